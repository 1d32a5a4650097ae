#!/bin/sh
# ascii.sh - without a UTF-8 locale, or with --ascii, the console draws with ASCII only.
. "$top_srcdir/tests/screen/lib.sh"
need_demo # the suites list on the screens shows them
ascii_only() {
	if T capture-pane -p | LC_ALL=C grep -q '[^ -~]'; then
		echo "FAIL: non-ASCII characters on the screen ($1)"
		T capture-pane -p
		failures=$((failures + 1))
	fi
}
SCREEN_LANG=C start 80x24 screen/manual
wait_for "Steps: Manual verdict"
keys n
wait_for "1/2 passed"
expect_screen ascii-80x24
ascii_only "LANG=C"
expect_width 80
stop
start --ascii screen/manual
wait_for "Steps: Manual verdict"
settle
ascii_only "--ascii"
finish
