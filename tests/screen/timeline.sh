#!/bin/sh
# timeline.sh - `virtcon timeline FILE`: the first screen, zoom in and out, fit, the spans under
# the cursor, going to a time, finding a track, and a followed log that grows.
. "$top_srcdir/tests/screen/lib.sh"
cp "$top_srcdir/tests/timeline/rk-vms.txt" "$work/rk-vms.txt"

start 100x24 timeline rk-vms.txt --budget 5ms
wait_for "vCPUs on pCPUs"
expect_screen timeline-first
expect_width 100

# zoom in twice around the cursor (at the left edge): a quarter of the time, units in µs
keys + +
wait_for "62.5µs/cell"
expect_screen timeline-zoom-in

# zoom out three times from there: twice the time of the whole log, units in ms
keys - - -
wait_for "500µs/cell"
keys -
wait_for "1ms/cell"
expect_screen timeline-zoom-out

# f fits the whole log again: the first screen
keys f
wait_for "250µs/cell"
expect_screen timeline-first

# the cursor to task 2985, four cells right, and the spans under it
keys / ; type_text 2985 ; keys Enter
wait_for "cursor 1.000s task 2985"
keys l l l l l l l l l l l l
wait_for "cursor 1.003s task 2985"
keys Enter
wait_for "spans under the cursor"
expect_screen timeline-details
keys Enter
wait_gone "spans under the cursor"

# g goes to a time: the view centred on it, the zoom kept
keys g ; type_text 1.015 ; keys Enter
wait_for "cursor 1.015s"
expect_screen timeline-goto

# a bad time is explained, the view stays
keys g ; type_text soon ; keys Enter
wait_for "not a time: 'soon'"

# a track that is not there is said so
keys / ; type_text 9999 ; keys Enter
wait_for "no track matches '9999'"

# ? shows the keys, any key closes them
keys ?
wait_for "timeline keys"
keys x
wait_gone "timeline keys"

keys q
wait_for "EXIT=0"
stop

# follow: a log that grows while it is shown
# (the first 12 lines, the last one without its newline)
head -n 12 "$top_srcdir/tests/timeline/rk-vms.txt" | head -c -1 >"$work/grow.txt"
start 100x24 timeline grow.txt --follow
wait_for "timeline grow.txt (following)"
wait_for "task 2985"
wait_for "from 1.000s, 50µs/cell"
if T capture-pane -p | grep -q "vcpu 12197"; then
	echo "FAIL: vcpu 12197 shows before its lines were written"
	failures=$((failures + 1))
fi
printf '\n' >>"$work/grow.txt"
tail -n +13 "$top_srcdir/tests/timeline/rk-vms.txt" >>"$work/grow.txt"
wait_for "vcpu 12197" 5
# the view still fits the whole log as it grows
wait_for "from 1.000s, 250µs/cell"
# replaced by a shorter log (a new test run): read again from its start
printf 'time, type, cpuid, pid, arg1, arg2\n0.0, 101, 0, 777, 4242, 20\n1.0, 100, 0, 777, 4242, 20\n1.5, 101, 0, 777, 4242, 20\n' \
	>"$work/grow.new"
mv "$work/grow.new" "$work/grow.txt"
wait_for "task 4242" 5
wait_gone "vcpu 12197"
wait_for "from 1.000s, 5.88ms/cell"
keys q
wait_for "EXIT=0"
finish
