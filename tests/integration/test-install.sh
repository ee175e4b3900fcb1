#!/usr/bin/env bash
# make install / uninstall into a temporary DESTDIR: binaries, man pages
# (rendered by man -l without warnings, every --help option in them), bash
# completion, the example configs; one version string everywhere.
. "$(dirname "$0")/lib.sh"
command -v help2man > /dev/null || skip "help2man is not installed (make deps installs it)"
command -v man > /dev/null || skip "man is not installed (make deps installs man-db)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mk() { make -s --no-print-directory BUILD="$BUILD" SAN="${CVM_SAN:-}" "$@"; }

mk install DESTDIR="$root" PREFIX=/usr > "$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install"; }
for f in bin/cvm-run bin/cvm-measure share/man/man1/cvm-run.1 share/man/man1/cvm-measure.1 \
	share/bash-completion/completions/cvm-run share/bash-completion/completions/cvm-measure \
	share/doc/cvm/examples/test-guest.ini share/doc/cvm/examples/debian-pvh.ini; do
	[ -f "$root/usr/$f" ] || fail "make install did not install /usr/$f"
done
[ -x "$root/usr/bin/cvm-run" ] && [ -x "$root/usr/bin/cvm-measure" ] || fail "binaries not executable"

# One version: the Makefile's, both programs', the Debian changelog's upstream part.
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
[ "$("$root/usr/bin/cvm-run" --version)" = "cvm-run $version" ] || fail "cvm-run --version"
[ "$("$root/usr/bin/cvm-measure" --version)" = "cvm-measure $version" ] || fail "cvm-measure --version"
if [ -f debian/changelog ]; then
	deb=$(sed -n '1s/^cvm (\([^-)]*\).*/\1/p' debian/changelog)
	[ "$deb" = "$version" ] || fail "debian/changelog has $deb, the Makefile $version"
fi

for p in cvm-run cvm-measure; do
	page=$root/usr/share/man/man1/$p.1
	MANWIDTH=100 man --warnings -l "$page" > "$tmp/$p.txt" 2> "$tmp/$p.err" ||
		fail "man -l $p.1 failed"
	[ ! -s "$tmp/$p.err" ] || { cat "$tmp/$p.err"; fail "man -l $p.1: warnings"; }
	grep -q "^NAME" "$tmp/$p.txt" && grep -q "^EXIT STATUS" "$tmp/$p.txt" ||
		fail "$p.1: no NAME or EXIT STATUS section"
	grep -q "$p $version" "$tmp/$p.txt" || fail "$p.1 does not carry version $version"
	# In step with --help: every option the program documents is in its page.
	for o in $("$root/usr/bin/$p" --help | grep -o -- '--[a-z0-9-]*' | sort -u); do
		grep -q -- "$o" "$tmp/$p.txt" || fail "$p.1 lacks $o of --help"
	done
done

# Completion, from the installed file.
comp() {  # comp PROG WORD...: the completions of the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cvm "$1"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$root/usr/share/bash-completion/completions/$1" \
		"$root/usr/bin/$1" "${@:2}"
}
comp cvm-measure --output-f | grep -qx -- --output-format || fail "completion: --output-format"
comp cvm-measure --mode sn | grep -qx snp:svsm || fail "completion: --mode snp:svsm"
comp cvm-measure --vcpu-type EPYC-G | grep -qx EPYC-Genoa || fail "completion: --vcpu-type"
comp cvm-run --memory-b | grep -qx -- --memory-backend || fail "completion: --memory-backend"
comp cvm-run ch | grep -qx check || fail "completion: check"
comp cvm-run --pit o | grep -qx off || fail "completion: --pit"
comp cvm-run --tee r | grep -qx realm || fail "completion: --tee realm"

# The example configs parse where they are installed.
"$root/usr/bin/cvm-run" --config "$root/usr/share/doc/cvm/examples/test-guest.ini" \
	-k "$BUILD/guest/cvm-guest.elf" --dry-run > /dev/null || fail "installed test-guest.ini"

mk uninstall DESTDIR="$root" PREFIX=/usr > "$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make uninstall"; }
left=$(find "$root" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
exit 0
