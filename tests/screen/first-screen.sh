#!/bin/sh
# first-screen.sh - `virtcon` with no suite: the suites list has focus, demo/host-basics is open.
. "$top_srcdir/tests/screen/lib.sh"
need_demo
start
wait_for "Steps: Host basics"
expect_screen first-screen
expect_width 100
# Down and Enter open the next suite; its steps replace the first's
keys Down Enter
wait_for "Steps: Manual verdict"
expect_screen first-screen-open-other
finish
