#!/bin/sh
# manual-verdict.sh - a manual step waits; v asks for the verdict, then a note; the step passes.
. "$top_srcdir/tests/screen/lib.sh"
need_demo # the suites list on the screens shows them
start screen/manual
wait_for "Steps: Manual verdict"
keys a
wait_for "waiting for your verdict"
expect_screen manual-waiting
keys v
wait_for "Verdict for step 2: p pass, f fail, s skip"
keys p
wait_for "Verdict pass for step 2. Note"
type_text "seen it"
wait_for "Note (optional, Enter gives it, Esc cancels): seen it"
expect_screen manual-note
keys Enter
wait_for "2/2 passed"
expect_screen manual-passed
finish
