#!/bin/sh
# step-by-step.sh - a suite run one step at a time with n: statuses, durations, output, journal pane.
. "$top_srcdir/tests/screen/lib.sh"
need_demo
start demo/host-basics
wait_for "Steps: Host basics"
keys n
wait_for "1/11 passed"
keys n
wait_for "2/11 passed"
keys n
wait_for "3/11 passed"
wait_for "word: gamma"
expect_screen step-by-step
finish
