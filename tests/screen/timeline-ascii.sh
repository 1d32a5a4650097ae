#!/bin/sh
# timeline-ascii.sh - the timeline pane in ASCII (--ascii, or without a UTF-8 locale): coverage as . + #,
# critical sections as . - =, overruns as !.
. "$top_srcdir/tests/screen/lib.sh"
cp "$top_srcdir/tests/timeline/rk-vms.txt" "$work/rk-vms.txt"
ascii_only() {
	if T capture-pane -p | LC_ALL=C grep -q '[^ -~]'; then
		echo "FAIL: non-ASCII characters on the screen ($1)"
		T capture-pane -p
		failures=$((failures + 1))
	fi
}
SCREEN_LANG=C start 80x20 timeline rk-vms.txt --budget 5ms
wait_for "vCPUs on pCPUs"
expect_screen timeline-ascii
ascii_only "LANG=C"
expect_width 80
keys + +
wait_for "/cell"
settle
ascii_only "LANG=C, zoomed"
stop
start 80x20 timeline rk-vms.txt --budget 5ms --ascii
wait_for "vCPUs on pCPUs"
expect_screen timeline-ascii
ascii_only "--ascii"
keys q
wait_for "EXIT=0"
finish
