#!/bin/sh
# testbed-suites.sh - the testbed suites run headless against real guests under libvirt's
# embedded QEMU driver (no daemon): console, agent, actions, and a guest that dies mid-step.
set -u
: "${VIRTCON:?}" "${top_srcdir:?}"
# shellcheck source=testbed-lib.sh
. "$top_srcdir/tests/testbed-lib.sh"

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
