#!/bin/sh
# commands.sh - the operator's commands on a step: skip with a note, edit, breakpoint and run all, export.
. "$top_srcdir/tests/screen/lib.sh"
need_demo
start demo/host-basics
wait_for "Steps: Host basics"
# s: skip step 1 with a note
keys s
wait_for "Skip step 1. Note"
type_text "not on this box"
keys Enter
wait_for "0/11 passed, 0 failed, 0 blocked, 1 skipped"
wait_for "skip after"
wait_for "not on this box"
# e: edit step 2's command (its expectations then fail), Enter runs it
keys j e
wait_for "Command for step 2: printf"
keys C-u
type_text "echo edited command"
keys Enter
wait_for '$ (edited) echo edited command'
keys Enter
wait_for "1 failed"
wait_for "edited command"
# b: a breakpoint on step 5; a runs the pending steps 3 and 4, then stops before 5
keys j j j b
keys a
wait_for "stopped at the breakpoint before step 5"
wait_for "2/11 passed, 1 failed, 0 blocked, 1 skipped"
expect_screen commands
# E: the exports beside the journal
keys E
wait_for "exported JUnit, TAP and Markdown"
journal=$(ls "$work"/home/.local/state/virtcon/journals/host-basics-*.jsonl)
base=${journal%.jsonl}
for ext in xml tap md; do
	[ -s "$base.$ext" ] || { echo "FAIL: no export $base.$ext"; failures=$((failures + 1)); }
done
grep -q 'not on this box' "$base.md" || { echo "FAIL: the skip note is not in the Markdown export"; failures=$((failures + 1)); }
grep -q '"what":"edit","data":"echo edited command"' "$journal" ||
	{ echo "FAIL: the edit is not journaled"; failures=$((failures + 1)); }
finish
