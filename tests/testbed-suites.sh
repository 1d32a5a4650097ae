#!/bin/sh
# testbed-suites.sh - the testbed suites run headless against real guests under libvirt's
# embedded QEMU driver (no daemon): console, agent, actions, and a guest that dies mid-step.
set -u
: "${VIRTCON:?}" "${top_srcdir:?}"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 is not installed"; exit 77; }
"$top_srcdir/tools/mkguest" --quiet
rc=$?
[ $rc -eq 3 ] && { echo "SKIP: the testbed guest's packages cannot be downloaded here"; exit 77; }
[ $rc -eq 0 ] || { echo "tools/mkguest failed ($rc)"; exit 1; }

tmp=$(mktemp -d /tmp/vct-XXXXXX)
# a suite that stopped half-way leaves its guest running: stop every QEMU of this test's driver
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
contains() { if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1: '$3' not in $2"; sed 's/^/#   /' "$2" | tail -n 30; fi; }

cd "$top_srcdir" || exit 1
"$VIRTCON" run -c "$uri" --journal "$tmp/ca.jsonl" --var "xml=$tmp/tb1.xml" \
	suites/testbed/console-agent.yaml >"$tmp/ca.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "console-agent passes" || { not_ok "console-agent passes (exit $rc)"; sed 's/^/#   /' "$tmp/ca.out"; }
contains "the console bytes are journaled" "$tmp/ca.jsonl" '"stream":"console:tb"'
contains "the dirty rate is reported" "$tmp/ca.jsonl" "dirty rate:"

"$VIRTCON" run -c "$uri" --journal "$tmp/gd.jsonl" --var "xml=$tmp/tb2.xml" \
	suites/testbed/guest-dies.yaml >"$tmp/gd.out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "guest-dies exits 1 (a step errored)" || { not_ok "guest-dies exits 1 (got $rc)"; sed 's/^/#   /' "$tmp/gd.out"; }
contains "the waiting step says the console closed" "$tmp/gd.out" "closed"
contains "the journal ends the session" "$tmp/gd.jsonl" '"session-end"'
contains "the steps after it ran (shut off seen)" "$tmp/gd.out" "[7/9]"
contains "the check's table is journaled" "$tmp/gd.jsonl" '"source":"interrupts"'
if grep -q '\[5/9\] Guest: its timer interrupts.* pass ' "$tmp/gd.out"; then ok "interrupts read on a console-only machine: the check passes"; else not_ok "interrupts read on a console-only machine: the check passes"; sed 's/^/#   /' "$tmp/gd.out"; fi
contains "a check on a guest that is off: an error naming it" "$tmp/gd.out" "check: interrupts on tb (before sample): cannot open the console of 'virtcon-tb2': "
"$VIRTCON" run -v -c "$uri" --journal "$tmp/ar.jsonl" --var "xml=$tmp/tb3.xml" \
	suites/testbed/agent-restart.yaml >"$tmp/ar.out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "agent-restart exits 1 (its short step errored)" ||
	{ not_ok "agent-restart exits 1 (got $rc)"; sed 's/^/#   /' "$tmp/ar.out"; }
contains "the short step names the machine, says the command was not run, and why" "$tmp/ar.out" \
	"machine tb: virtcon-tb3: no answer from the guest agent in 0.5 s; the command was not run (libvirt: "
contains "the agent steps around it pass" "$tmp/ar.out" "9 passed, 0 failed, 1 errors"
waits=$(grep -c '"stream":"virtcon".*waiting for the guest agent on tb (domain virtcon-tb3); libvirt: ' "$tmp/ar.jsonl")
[ "$waits" -eq 3 ] && ok "the three agent steps waited for the agent, journaled" ||
	{ not_ok "the three agent steps waited for the agent (journaled $waits times)"; grep virtcon "$tmp/ar.jsonl" | sed 's/^/#   /'; }
contains "the end of the wait is shown" "$tmp/ar.out" "[virtcon: the guest agent on tb (domain virtcon-tb3) answers (after "
echo "1..$n"
[ $failures -eq 0 ]
