#!/bin/sh
# vms.sh - `virtcon -c test:///default`: the VMs list shows the test driver's "test" running; destroy
# asks first, then start; the results in the message line; the status line says which URI and why.
. "$top_srcdir/tests/screen/lib.sh"
need_demo
start -c test:///default
wait_for "test:///default (-c)"
wait_for "running"
expect_screen vms-first
# Tab: from the suites to the VMs list; D asks before it destroys
keys Tab
wait_for "c console"
keys D
wait_for "Destroy test (power it off at once)? (y/n)"
expect_screen vms-destroy-ask
# n keeps it running
keys n
settle
T capture-pane -p | grep -q "▸ test.*running" || { echo "FAIL: n destroyed the domain"; T capture-pane -p; exit 1; }
keys D
wait_for "(y/n)"
keys y
wait_for "test: destroy: destroyed"
wait_for "shut off"
expect_screen vms-destroyed
keys S
wait_for "test: start: started"
wait_for "running"
expect_screen vms-started
# c opens a console pane: the test driver has no consoles, and the pane says so
keys c
wait_for "console: test"
wait_for "test driver"
# w closes the focused pane (the new one)
keys w
wait_gone "console: test"
# back to the VMs list (from the last pane: journal, output, steps, VMs); m opens a migration
# pane: the test driver has no job stats, so no migration job
keys BTab BTab BTab
wait_for "c console"
keys m
wait_for "migration: test"
wait_for "status: none (no migration"
keys w
wait_gone "migration: test"
finish
