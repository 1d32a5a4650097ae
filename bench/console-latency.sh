#!/bin/sh
# console-latency.sh - keystroke round trip to the testbed guest's shell: virtcon's console stream vs its peers.
#
# Usage: bench/console-latency.sh [-n SAMPLES] [--only vconsole,virsh,socat,raw]
# Environment: top_srcdir (default: this script's parent), top_builddir (default: $top_srcdir/build).
# Builds bench/console-latency (an EXTRA_PROGRAM) when missing. Exit 77 when QEMU or the
# testbed guest is unavailable.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
top_builddir=${top_builddir:-$top_srcdir/build}
export top_srcdir
prog=$top_builddir/bench/console-latency
if [ ! -x "$prog" ]; then
	make -C "$top_builddir" bench/console-latency >/dev/null || { echo "console-latency: cannot build $prog" >&2; exit 1; }
fi
for tool in socat script virsh; do
	command -v "$tool" >/dev/null 2>&1 || echo "console-latency: note: no $tool here; that peer will fail" >&2
done
cat <<'TEXT'
Keystroke round trip: one letter typed at the testbed guest's shell prompt (busybox ash on
ttyS0), timed until its echo comes back; DEL then erases it (untimed). Every measurement
boots the same testbed guest afresh (1 vCPU, 256 MiB, TCG here), one guest at a time.
  vconsole  virtcon: libvirt console stream (VIR_STREAM_NONBLOCK) on the GLib loop, in this
            process, with libvirt's embedded QEMU driver (qemu:///embed, no daemon).
  virsh     `virsh console` under script(1) (virsh insists on a terminal). virsh cannot attach
            to another process's embedded driver and no libvirt daemon runs here, so virsh
            runs the guest in its own embedded driver: one virsh does create; console; destroy.
  socat     QEMU started directly, serial port on a unix socket, socat relaying pipes<->socket
            (the cost of a minimal external console client, no libvirt at all).
  raw       the same socket read and written by the bench itself: the floor (QEMU + guest).
TEXT
"$prog" "$@" 2>&1 | grep -v -e ': info : ' -e ': warning : ' -e '^Authorization not available'
