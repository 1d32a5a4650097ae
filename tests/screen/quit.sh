#!/bin/sh
# quit.sh - q while a step runs asks first; quitting ends the session in the journal and prints its path.
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
grep -q '"type":"step-end"' "$path" || { echo "FAIL: no step-end record in $path"; exit 1; }
T capture-pane -p | grep -q '^EXIT=0$' || { echo "FAIL: exit status"; T capture-pane -p; exit 1; }
echo "ok: quit printed $path"
finish
