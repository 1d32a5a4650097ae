# testbed-lib.sh - sourced by the shell tests that run suites on testbed guests: builds the guest
# (or skips), a scratch directory with its own embedded QEMU driver ($uri) whose guests are
# stopped on exit however the test ended, and the TAP helpers ok, not_ok and contains.
: "${VIRTCON:?}" "${top_srcdir:?}"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 is not installed"; exit 77; }
"$top_srcdir/tools/mkguest" --quiet
rc=$?
[ $rc -eq 3 ] && { echo "SKIP: the testbed guest's packages cannot be downloaded here"; exit 77; }
[ $rc -eq 0 ] || { echo "tools/mkguest failed ($rc)"; exit 1; }

tmp=$(mktemp -d /tmp/vct-XXXXXX)
# a suite that stopped half-way, or a run that died, leaves its guest running: stop every QEMU
# of this test's driver (their pid files are under its root)
cleanup() {
	for p in $(find "$tmp/embed" -name '*.pid' 2>/dev/null); do
		pid=$(cat "$p" 2>/dev/null) && [ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_STATE_HOME="$tmp/state"
uri="qemu:///embed?root=$tmp/embed"
failures=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
contains() { if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1: '$3' not in $2"; sed 's/^/#   /' "$2" | tail -n 40; fi; }
