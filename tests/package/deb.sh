#!/usr/bin/env bash
# Builds the Debian package from a copy of this tree with nothing beside it
# (no ../shared: the package build must not need it, nor KVM), then checks
# the .deb: its contents, and, installed with dpkg -i (as root; else
# extracted), that its binaries run: cvm-run --version, cvm-measure on a
# known-answer vector when ../shared is here, man finds both pages.
# The installed package is removed again.  usage: tests/package/deb.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
shared=${CVM_SHARED:-$src/../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "deb: FAIL: $*"; exit 1; }

mkdir "$tmp/cvm"
git ls-files -z --cached --others --exclude-standard |
	tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$tmp/cvm"
(cd "$tmp/cvm" && dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1 ||
	{ tail -n 40 "$tmp/build.log"; fail "dpkg-buildpackage"; }
deb=$(ls "$tmp"/cvm_*_amd64.deb)
echo "deb: built $(basename "$deb")"

dpkg-deb -c "$deb" > "$tmp/contents"
for f in usr/bin/cvm-run usr/bin/cvm-measure usr/share/man/man1/cvm-run.1.gz \
	usr/share/man/man1/cvm-measure.1.gz usr/share/bash-completion/completions/cvm-run \
	usr/share/bash-completion/completions/cvm-measure usr/share/doc/cvm/copyright \
	usr/share/doc/cvm/examples/test-guest.ini; do
	grep -q " \./$f\$" "$tmp/contents" || fail "the package lacks /$f"
done

if [ "$(id -u)" = 0 ] && ! dpkg -s cvm > /dev/null 2>&1; then
	dpkg -i "$deb" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "dpkg -i"; }
	trap 'dpkg -r cvm > /dev/null 2>&1; rm -rf "$tmp"' EXIT
	bin=/usr/bin
	man -w cvm-run > /dev/null && man -w cvm-measure > /dev/null || fail "man does not find the pages"
	how="installed with dpkg -i"
else
	dpkg-deb -x "$deb" "$tmp/root"
	bin=$tmp/root/usr/bin
	how="extracted (not root, or a cvm package is installed already)"
fi
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
[ "$("$bin/cvm-run" --version)" = "cvm-run $version" ] || fail "cvm-run --version"
if [ -d "$shared/vectors" ]; then
	want=$(awk -F'\t' '$1 == "deb-05" { print $3 }' "$shared/vectors/EXPECTED-sev.tsv")
	got=$(cd "$shared/vectors" && "$bin/cvm-measure" --mode snp --vcpus 1 --vcpu-type EPYC-v4 \
		--ovmf firmware/OVMF.amdsev.fd --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64 \
		--initrd kernel/initrd.bin --append 'console=ttyS0 root=/dev/vda1 ro')
	[ "$got" = "$want" ] || fail "cvm-measure from the package: $got, want $want"
	how="$how, cvm-measure matches vector deb-05"
fi
echo "deb: PASS ($how)"
