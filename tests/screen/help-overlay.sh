#!/bin/sh
# help-overlay.sh - ? shows every key over the screen; Esc closes it; at 80x24 it scrolls.
. "$top_srcdir/tests/screen/lib.sh"
need_demo # the suites list on the screens shows them
start screen/manual
wait_for "Steps: Manual verdict"
keys '?'
wait_for "Keys ("
expect_screen help
keys Escape
wait_gone "Keys ("
T resize-window -x 80 -y 24
keys F1
wait_for "Keys (Up/Down scroll, Esc closes)"
expect_width 80
keys PageDown
expect_screen help-80x24-scrolled
keys q
wait_gone "Keys (Up/Down"
finish
