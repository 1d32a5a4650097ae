#!/bin/sh
# mouse.sh - a click selects a step, focuses a pane; opening another suite while a step runs asks first.
. "$top_srcdir/tests/screen/lib.sh"
need_demo # the suites list on the screens shows them
start screen/manual
wait_for "Steps: Manual verdict"
settle
# SGR mouse reports as xterm sends them: press and release of button 1 at column;row (1-based)
click() { type_text "$(printf '\033[<0;%d;%dM\033[<0;%d;%dm' "$1" "$2" "$1" "$2")"; }
# click_until TEXT X Y: clicks until TEXT shows. tmux may hand a loaded machine's terminal a
# mouse report in two reads, past the console's short escape delay; a person clicks again too.
click_until() {
	for _ in 1 2 3 4 5; do
		click "$2" "$3"
		for _ in $(seq 1 40); do
			T capture-pane -p | grep -qF -- "$1" && return 0
			sleep 0.05
		done
	done
	wait_for "$1" 1
}
# the steps box starts at row 1: step 2 is on row 3
click_until "Step 2/2: manual" 40 3
# the journal pane: the right half of the bottom area; focus shows as a heavy border
click_until "┏━ journal" 90 20
wait_for "↑↓ scroll"
# back to the steps, run step 2 (it waits for a verdict), then try to open another suite
click_until "Step 1/2" 40 2
keys n
wait_for "1/2 passed"
keys n
wait_for "waiting for your verdict"
click_until "┏━ Suites" 5 2
keys Enter
wait_for "A step is running: abort it and open demo/failing? (y/n)"
keys n
wait_gone "abort it and open"
wait_for "Steps: Manual verdict"
finish
