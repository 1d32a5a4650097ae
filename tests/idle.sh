#!/bin/sh
# idle.sh - an idle console makes no wake-ups: virtcon on a host-only suite (the VMs list on libvirt's
# test driver), left alone, is switched in at most a handful of times in 10 s (its main thread's
# voluntary context switches, /proc/PID/status). The VMs list's 1 s stats poll pauses after two
# polls that change nothing it shows; the redraw timer runs only after a change.
. "$top_srcdir/tests/screen/lib.sh"
need_demo
IDLE_SECONDS=${IDLE_SECONDS:-10}
IDLE_MAX=${IDLE_MAX:-5}
if [ ! -r /proc/self/status ]; then
	echo "SKIP: no /proc"
	exit 77
fi
start -c test:///default demo/host-basics
wait_for "test:///default (-c)"
wait_for "running"
pane_pid=$(T display-message -p '#{pane_pid}')
pid=
for _ in $(seq 1 50); do
	pid=$(ps -o pid= --ppid "$pane_pid" | tr -d ' ' | head -n 1)
	[ -n "$pid" ] && break
	sleep 0.1
done
if [ -z "$pid" ] || [ ! -r "/proc/$pid/status" ]; then
	echo "FAIL: cannot find the virtcon process (pane pid $pane_pid)"
	exit 1
fi
case "$(cat "/proc/$pid/comm")" in
virtcon*) ;;
*) echo "FAIL: pid $pid is $(cat "/proc/$pid/comm"), not virtcon"; exit 1 ;;
esac

switches() { sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/status"; }
all_switches() { cat /proc/"$pid"/task/*/status 2>/dev/null | sed -n 's/^voluntary_ctxt_switches:[[:space:]]*//p' | awk '{ s += $1 } END { print s }'; }

sleep 2
before=$(switches)
before_all=$(all_switches)
sleep "$IDLE_SECONDS"
after=$(switches)
after_all=$(all_switches)
n=$((after - before))
n_all=$((after_all - before_all))
echo "idle ${IDLE_SECONDS}s: main thread $n voluntary context switches, all threads $n_all"
if [ "$n" -gt "$IDLE_MAX" ]; then
	echo "FAIL: the idle console woke up $n times in ${IDLE_SECONDS}s (at most $IDLE_MAX allowed)"
	exit 1
fi
# still alive and answering
keys j
wait_for "Vars: a value"
echo "ok: idle"
finish
