#!/bin/sh
# quit.sh - q while a step runs asks first, aborts the step; the journal is ended and its path printed.
. "$top_srcdir/tests/screen/lib.sh"
start screen/manual
wait_for "Steps: Manual verdict"
keys n
wait_for "1/2 passed"
keys n
wait_for "waiting for your verdict"
keys q
wait_for "A step is running: abort it and quit? (y/n)"
keys n
wait_gone "abort it and quit?"
keys q
wait_for "abort it and quit?"
keys y
wait_for "EXIT="
path=$(T capture-pane -p -J | grep -E '^/.*\.jsonl$' | head -n 1)
echo "printed: $path"
case $path in
"$work"/home/.local/state/virtcon/journals/screen-manual-*.jsonl) ;;
*) echo "FAIL: the journal path printed is not where it belongs"; T capture-pane -p; exit 1 ;;
esac
grep -q '"type":"session-end"' "$path" || { echo "FAIL: no session-end record in $path"; exit 1; }
grep '"type":"step-end"' "$path" | grep '"step":1' | grep -q 'aborted by the operator' ||
	{ echo "FAIL: the aborted step has no step-end record in $path"; cat "$path"; exit 1; }
# quitting with a step running is an interruption
T capture-pane -p | grep -q '^EXIT=130$' || { echo "FAIL: exit status"; T capture-pane -p; exit 1; }
echo "ok: quit printed $path"
finish
