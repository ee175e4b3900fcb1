#!/usr/bin/env bash
# libcrypto is cvm-run's on first use (vmm/crypto-lazy.c): not linked, so a
# plain VM never loads it, and a launch that hashes says why it cannot.
# The library is hidden by a bind mount in a private mount namespace.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fw=$VEC/firmware/OVMF.amdsev.fd
k=$VEC/kernel/vmlinuz-6.1.0-56-cloud-amd64
[ -f "$fw" ] && [ -f "$k" ] || skip "no vectors in $VEC"

! ldd "$RUN" | grep -q libcrypto || fail "cvm-run links libcrypto"
lib=$(ldd "$MEASURE" | grep -o '/[^ ]*libcrypto\.so[^ ]*')
[ -n "$lib" ] || fail "cannot find cvm-measure's libcrypto"
# Root may make a mount namespace; anyone else one inside a user namespace.
ns=
for n in "-m" "-rm"; do
	unshare $n true 2>/dev/null && { ns=$n; break; }
done
[ -n "$ns" ] || skip "no mount namespace here (unshare -m and -rm refused)"

# without_libcrypto CMD...: CMD with libcrypto hidden; output in $tmp.
without_libcrypto() {
	unshare "$ns" sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" "$@" \
		> "$tmp/out" 2> "$tmp/err"
}

without_libcrypto "$RUN" -k "$BUILD/guest/cvm-guest.elf" --dry-run ||
	{ cat "$tmp/err"; fail "a plain --dry-run needs libcrypto"; }
without_libcrypto "$RUN" --tee snp --firmware "$fw" -k "$k" --vcpu-type EPYC-v4 --dry-run
st=$?
[ $st -eq 1 ] || fail "snp --dry-run without libcrypto: status $st, want 1"
head -n 1 "$tmp/err" | grep -q "^cvm-run: .*libcrypto" ||
	{ cat "$tmp/err"; fail "snp --dry-run without libcrypto does not say so first"; }
exit 0
