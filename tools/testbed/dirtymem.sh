#!/bin/sh
# dirtymem - shell fallback of dirtymem.c: rewrite MiB of /dev/shm again and again.
mib=${1:-64}
secs=${2:-0}
end=0
[ "$secs" -gt 0 ] && end=$(($(cut -d. -f1 /proc/uptime) + secs))
while :; do
	dd if=/dev/urandom of=/dev/shm/dirtymem bs=1M count="$mib" conv=notrunc 2>/dev/null
	[ "$end" -gt 0 ] && [ "$(cut -d. -f1 /proc/uptime)" -ge "$end" ] && break
done
rm -f /dev/shm/dirtymem
