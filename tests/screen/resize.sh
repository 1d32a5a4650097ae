#!/bin/sh
# resize.sh - from 100x30 to 80x24 and back: everything redrawn to the new size, nothing past the edge.
. "$top_srcdir/tests/screen/lib.sh"
need_demo
start demo/host-basics
wait_for "Steps: Host basics"
keys n
wait_for "1/11 passed"
keys j j
T resize-window -x 80 -y 24
wait_for "Steps: Host basics"
expect_screen resize-80x24
expect_width 80
T resize-window -x 100 -y 30
settle
expect_width 100
wait_for "journal host-basics-"
keys n
wait_for "2/11 passed"
expect_screen resize-back-100x30
finish
