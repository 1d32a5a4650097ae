#!/bin/sh
# testbed-seed000.sh - seed 000's per-vCPU channels on the testbed guest: a message into channel 3
# moves only CPU 3's counter when the channels are pinned 0..3, and fails clearly pinned backwards.
set -u
: "${VIRTCON:?}" "${top_srcdir:?}"
command -v socat >/dev/null || { echo "SKIP: socat is not installed (tools/packages)"; exit 77; }
# shellcheck source=testbed-lib.sh
. "$top_srcdir/tests/testbed-lib.sh"
suite=suites/testbed/seed000-vchannels.yaml

cd "$top_srcdir" || exit 1
# under TCG with 4 vCPUs on a shared machine a run takes 20-60 s
"$VIRTCON" run -c "$uri" --journal "$tmp/pass.jsonl" --var "name=virtcon-s000a-$$" --var "xml=$tmp/a.xml" \
	--var "sock=$tmp/a-rk" "$suite" >"$tmp/pass.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "pinned 0..3: the suite passes" || { not_ok "pinned 0..3: the suite passes (exit $rc)"; sed 's/^/#   /' "$tmp/pass.out"; }
contains "the check's table shows the channel's interrupt on CPU 3" "$tmp/pass.jsonl" 'virtio6-virtqueues       CPU3 +'
contains "the guest delivers channel 3's interrupt to CPU 3" "$tmp/pass.jsonl" 'pinned to CPU 3, delivered to CPU 3'
contains "the guest read the message" "$tmp/pass.out" "[13/15] Guest: the reader got the message                  pass"
contains "the journal has the check's sample" "$tmp/pass.jsonl" '"source":"interrupts","data":{"check":"interrupts","machine":"vm1","irq":"virtio6-virtqueues","cpu":3,"result":"pass"'

"$VIRTCON" run -c "$uri" --journal "$tmp/fail.jsonl" --var "name=virtcon-s000b-$$" --var "xml=$tmp/b.xml" \
	--var "sock=$tmp/b-rk" --var "pin=3 2 1 0" "$suite" >"$tmp/fail.out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "pinned backwards: the suite fails (exit 1)" || { not_ok "pinned backwards: exit 1 (got $rc)"; sed 's/^/#   /' "$tmp/fail.out"; }
contains "the pinning took effect" "$tmp/fail.jsonl" "pinned to CPU 0, delivered to CPU 0"
contains "the check step fails" "$tmp/fail.out" "(seed step 13) FAIL"
contains "the reason names CPU 3 and CPU 0" "$tmp/fail.out" \
	"check failed: interrupt virtio6-virtqueues on CPU 3: +0, expected >= 1; interrupt virtio6-virtqueues moved on CPU 0 (+"
contains "the journal has the failed check's sample" "$tmp/fail.jsonl" '"result":"fail"'
contains "the guest was torn down anyway" "$tmp/fail.out" "[15/15] Host: undefine the guest"
echo "1..$n"
[ $failures -eq 0 ]
