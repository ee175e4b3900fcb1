#!/usr/bin/env bash
# How cost grows: each curve is a table (bench/plots/NAME.tsv, printed as
# Markdown) and a PNG plot (gnuplot) that the README links.
#   vmm-ram         cvm-run set-up and exit against guest RAM, 512 MiB - 64 GiB
#   vmm-vcpus       ... against vCPUs, 1 - 64
#   measure-initrd  cvm-measure --mode snp against the initrd's size
#   measure-vcpus   ... against the vCPU count (VMSAs only)
#   convert         --tee sw-protected against memory converted (nested KVM:
#                   bench/curve-convert.sh)
# usage: bench/curves.sh [BUILD_DIR [CURVE...]]     (make bench-curves)
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh
PLOTS=bench/plots
CRUNS=${CURVE_RUNS:-7}
mkdir -p "$PLOTS"
build_kvm_tools curves || { echo "curves: cannot build the bench tools"; exit 1; }
command -v gnuplot >/dev/null || echo "curves: no gnuplot (Debian gnuplot-nox): tables only"

# plot NAME TITLE XLABEL YLABEL COLS [Y2LABEL Y2COLS]: NAME.tsv (a header
# line, x first, "-" where there is no value) as a Markdown table, and its
# columns COLS (and Y2COLS on a right-hand axis) as NAME.png, x in log2
# unless it starts at 0.
plot() {
	local name=$1 cols="" c logx="set logscale x 2" y2=""
	{ head -n 1 "$PLOTS/$name.tsv" | sed 's/\t/ | /g; s/^/| /; s/$/ |/'
	  head -n 1 "$PLOTS/$name.tsv" | sed 's/[^\t]*/---/g; s/\t/|/g; s/^/|/; s/$/|/'
	  tail -n +2 "$PLOTS/$name.tsv" | sed 's/\t/ | /g; s/^/| /; s/$/ |/'; }
	command -v gnuplot >/dev/null || return 0
	tail -n +2 "$PLOTS/$name.tsv" | awk '$1 <= 0 { z = 1 } END { exit !z }' && logx=""
	[ -z "${6:-}" ] || y2="set y2label '$6'; set y2tics; set y2range [0:*]"
	# Sizes over three decades: log-log, where linear growth is a slope of 1.
	[ -z "${PLOT_LOGY:-}" ] || { logx+="; set logscale y 10; set yrange [*:*]"
		y2="${y2/set y2range \[0:\*\]/set logscale y2 10}"; }
	for c in $5; do
		cols+="${cols:+, }\"$PLOTS/$name.tsv\" using 1:$c with linespoints title columnheader($c)"
	done
	for c in ${7:-}; do
		cols+=", \"$PLOTS/$name.tsv\" using 1:$c axes x1y2 with linespoints dashtype 2 title columnheader($c)"
	done
	gnuplot <<-EOF
		set terminal pngcairo size 800,480 font "sans,10" noenhanced
		set output "$PLOTS/$name.png"
		set datafile separator "\t"
		set datafile missing "-"
		set title "$2\n${PLOT_HOST:-$(host_line | sed 's/, load.*//; s/"//g')}"
		set xlabel "$3"
		set ylabel "$4"
		set key top left
		set grid
		set yrange [0:*]
		$logx
		$y2
		plot $cols
	EOF
}

curve_vmm_ram() {
	local g=$OUT/exit-guest mem r floor nopit pit
	if ! "$RUN" check --quiet >/dev/null 2>&1; then
		printf 'guest RAM (MiB)\tcvm-run --dry-run (ms)\n' > "$PLOTS/vmm-ram.tsv"
		for mem in 512 1024 2048 4096 8192 16384 32768 65536; do
			r=$(timed "$CRUNS" 0 "$RUN" -k "$g.elf" -m "${mem}M" --dry-run) || return 1
			printf '%s\t%s\n' "$mem" "${r%% *}" >> "$PLOTS/vmm-ram.tsv"
		done
		echo "vmm-ram: no usable KVM here: the plan alone (--dry-run)"
		plot vmm-ram "cvm-run --dry-run against guest RAM (no usable KVM)" "guest RAM (MiB)" \
			"ms, exec to exit" 2
		return
	fi
	printf 'guest RAM (MiB)\tfloor (ms)\tcvm-run --pit off (ms)\tfloor with a PIT (ms)\tcvm-run (ms)\t--pit off / floor\tcvm-run / floor with a PIT\n' \
		> "$PLOTS/vmm-ram.tsv"
	for mem in 512 1024 2048 4096 8192 16384 32768 65536; do
		r=$(timed "$CRUNS" 0 "$OUT/bare-kvm" "$mem" 0x100000 "$g.bin" \
			:: 0 "$RUN" -k "$g.elf" -m "${mem}M" --pit off :: 0 "$RUN" -k "$g.elf" -m "${mem}M" \
			:: 0 "$OUT/bare-kvm" "$mem" 0x100000 "$g.bin" 1 pit) || return 1
		{ read -r floor _; read -r nopit _; read -r pit _; read -r fpit _; } <<< "$r"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mem" "$floor" "$nopit" "$fpit" "$pit" \
			"$(ratio "$nopit" "$floor")" "$(ratio "$pit" "$fpit")" >> "$PLOTS/vmm-ram.tsv"
	done
	echo "vmm-ram: exit guest, 1 vCPU, guest RAM on $(memory_backend); medians of $CRUNS"
	plot vmm-ram "VM set-up and exit against guest RAM" "guest RAM (MiB)" "ms, exec to exit" "2 3 4 5"
}

curve_vmm_vcpus() {
	local g=$OUT/exit-guest n r floor nopit
	"$RUN" check --quiet >/dev/null 2>&1 || { echo "vmm-vcpus: skipped: no usable KVM here"; return; }
	printf 'vCPUs\tfloor (ms)\tcvm-run --pit off (ms)\t--pit off / floor\n' > "$PLOTS/vmm-vcpus.tsv"
	for n in 1 2 4 8 16 32 40 64; do
		r=$(timed "$CRUNS" 0 "$OUT/bare-kvm" 512 0x100000 "$g.bin" "$n" \
			:: 0 "$RUN" -k "$g.elf" -m 512M -c "$n" --pit off) || return 1
		{ read -r floor _; read -r nopit _; } <<< "$r"
		printf '%s\t%s\t%s\t%s\n' "$n" "$floor" "$nopit" "$(ratio "$nopit" "$floor")" \
			>> "$PLOTS/vmm-vcpus.tsv"
	done
	echo "vmm-vcpus: exit guest, 512 MiB; medians of $CRUNS"
	plot vmm-vcpus "VM set-up and exit against vCPUs" "vCPUs" "ms, exec to exit" "2 3"
}

# The SNP direct boot of bench/measure-sev.sh with a random initrd of SIZE MiB.
snp_args() {
	echo --mode snp --vcpu-type EPYC-v4 --ovmf "$VEC/firmware/OVMF.amdsev.fd" \
		--kernel "$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64" --append console=ttyS0
}

curve_measure_initrd() {
	local size r run rss start ssm ssm_rss hl=$OUT/hash-limit.initrd img=$OUT/initrd.curve peer
	local -a args
	read -r -a args <<< "$(snp_args)"
	snp_measure || echo "measure-initrd: no sev-snp-measure column: $SNP_MEASURE_WHY"
	printf 'initrd (MiB)\tcvm-measure (ms)\tlimit (ms)\tcvm-measure RSS (MiB)\tsev-snp-measure (ms)\tsev-snp-measure RSS (MiB)\n' \
		> "$PLOTS/measure-initrd.tsv"
	for size in 1 4 16 64 256 1024; do
		head -c $((size << 20)) /dev/urandom > "$img"
		peer=()
		[ ${#SNP_MEASURE[@]} -gt 0 ] &&
			peer=(:: 0 "${SNP_MEASURE[@]}" "${args[@]}" --vcpus 4 --initrd "$img")
		rm -f "$hl"
		r=$(timed "$CRUNS" 0 "$MEASURE" "${args[@]}" --vcpus 4 --initrd "$img" :: 0 "$OUT/empty" \
			:: 0 "$OUT/hash-limit" "$hl" "pages:sha384:$VEC/firmware/OVMF.amdsev.fd" \
			"stream:sha256:$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64" "stream:sha256:$img" \
			"${peer[@]}") || return 1
		{ read -r run _ rss _; read -r start _; read -r _; read -r ssm _ ssm_rss _; } <<< "$r"
		awk -v s="$size" -v r="$run" -v lim="$(hash_limit "$hl" "$start" | cut -d' ' -f1)" \
		    -v rss="$rss" -v p="${ssm:--}" -v prss="${ssm_rss:-}" \
		    'BEGIN { printf "%s\t%.1f\t%.1f\t%.1f\t%s\t%s\n", s, r, lim, rss / 1024, p,
			     prss == "" ? "-" : sprintf("%.1f", prss / 1024) }' >> "$PLOTS/measure-initrd.tsv"
	done
	rm -f "$img"
	echo "measure-initrd: snp, 4 vCPUs, OVMF.amdsev.fd + the Debian kernel + a random initrd; medians of $CRUNS"
	PLOT_LOGY=1 plot measure-initrd "cvm-measure --mode snp against the initrd's size" \
		"initrd (MiB)" "ms, exec to exit" "2 3 5" "peak RSS (MiB)" "4 6"
}

curve_measure_vcpus() {
	local n r run ssm peer
	local -a args
	read -r -a args <<< "$(snp_args) --initrd $VEC/kernel/initrd.bin"
	snp_measure || echo "measure-vcpus: no sev-snp-measure column: $SNP_MEASURE_WHY"
	printf 'vCPUs\tcvm-measure (ms)\tsev-snp-measure (ms)\n' > "$PLOTS/measure-vcpus.tsv"
	for n in 1 2 4 8 16 32 64; do
		peer=()
		[ ${#SNP_MEASURE[@]} -gt 0 ] && peer=(:: 0 "${SNP_MEASURE[@]}" "${args[@]}" --vcpus "$n")
		r=$(timed "$CRUNS" 0 "$MEASURE" "${args[@]}" --vcpus "$n" "${peer[@]}") || return 1
		{ read -r run _; read -r ssm _; } <<< "$r"
		printf '%s\t%s\t%s\n' "$n" "$run" "${ssm:--}" >> "$PLOTS/measure-vcpus.tsv"
	done
	echo "measure-vcpus: snp, OVMF.amdsev.fd + the Debian kernel + 1 MiB initrd; medians of $CRUNS"
	plot measure-vcpus "cvm-measure --mode snp against vCPUs" "vCPUs" "ms, exec to exit" "2 3"
}

curve_convert() {
	bash bench/curve-convert.sh "$BUILD" || return 1
	PLOT_HOST="nested: Linux 7.3 KVM in QEMU TCG (1 L1 CPU) on $(host_line |
		sed 's/^host: Linux [^,]*, //; s/ (itself a VM)//; s/, load.*//')" plot convert "--tee sw-protected: conversions on the nested KVM (QEMU TCG)" \
		"random conversion requests (about 4.5 pages each)" "s, cvm-run exec to exit" "2 3"
}

curves=("${@:2}")
[ ${#curves[@]} -gt 0 ] || curves=(vmm-ram vmm-vcpus measure-initrd measure-vcpus convert)
for c in "${curves[@]}"; do
	"curve_${c//-/_}" || echo "$c: failed"
done
