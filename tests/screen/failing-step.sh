#!/bin/sh
# failing-step.sh - a step that fails: its mark, its reason in the details, the counts.
. "$top_srcdir/tests/screen/lib.sh"
need_demo
start demo/failing
wait_for "Steps: A failing step"
keys n
wait_for "1/3 passed"
keys n
wait_for "1 failed"
wait_for "exit status 1, expected 0"
expect_screen failing-step
finish
