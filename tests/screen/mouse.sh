#!/bin/sh
# mouse.sh - a click selects a step, focuses a pane; opening another suite while a step runs asks first.
. "$top_srcdir/tests/screen/lib.sh"
need_demo # the suites list on the screens shows them
start screen/manual
wait_for "Steps: Manual verdict"
settle
# SGR mouse reports as xterm sends them: press and release of button 1 at column;row (1-based)
click() { type_text "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$1" "$2" "$1" "$2")"; }
# the steps box starts at row 1: step 2 is on row 3
click 40 3
wait_for "Step 2/2: manual"
# the journal pane: the right half of the bottom area; focus shows as a heavy border
click 90 20
wait_for "┏━ journal"
wait_for "↑↓ scroll"
# back to the steps, run step 2 (it waits for a verdict), then try to open another suite
click 40 2
keys n
wait_for "1/2 passed"
keys n
wait_for "waiting for your verdict"
click 5 2
keys Enter
wait_for "A step is running: abort it and open demo/failing? (y/n)"
keys n
wait_gone "abort it and open"
wait_for "Steps: Manual verdict"
finish
