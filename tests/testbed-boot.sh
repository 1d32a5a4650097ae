#!/bin/bash
# testbed-boot.sh - build the local testbed guest, boot it under TCG, check its shell, agent, SSH and shutdown.
#
# Phase 1 runs QEMU directly; phase 2 runs the guest from guest-ssh.xml under libvirt's
# embedded QEMU driver (virsh -c qemu:///embed?root=..., no daemon) when virsh is there.
# Environment: top_srcdir (default .), VIRTCON_TESTBED_DIR (default: mkguest's cache dir),
# TESTBED_SMP (vCPUs, default 1), TESTBED_BOOT_TIMEOUT (seconds to the banner, default 90),
# VIRTCON_TESTBED_LIBVIRT=0 skips phase 2.
# Exit 77 (skip) when QEMU is missing or the Debian packages cannot be downloaded.

set -u

top_srcdir=${top_srcdir:-.}
mkguest=$top_srcdir/tools/mkguest
qemu=${QEMU:-qemu-system-x86_64}
boot_timeout=${TESTBED_BOOT_TIMEOUT:-90}
smp=${TESTBED_SMP:-1}

log() { echo "testbed-boot: $*"; }
fail() { echo "testbed-boot: FAIL: $*" >&2; exit 1; }
skip() { echo "testbed-boot: SKIP: $*" >&2; exit 77; }

command -v "$qemu" >/dev/null 2>&1 || skip "$qemu not found (install qemu-system-x86)"

dir_args=()
[ -n "${VIRTCON_TESTBED_DIR:-}" ] && dir_args=(--out "$VIRTCON_TESTBED_DIR")
t_build0=$(date +%s%N)
"$mkguest" "${dir_args[@]}" --quiet
rc=$?
case $rc in
0) ;;
3) skip "tools/mkguest cannot download the guest's Debian packages (no network or no apt lists)" ;;
*) fail "tools/mkguest failed (exit $rc)" ;;
esac
t_build1=$(date +%s%N)
dir=$("$mkguest" "${dir_args[@]}" --print-dir)
# shellcheck source=/dev/null
. "$dir/testbed.env" || fail "cannot read $dir/testbed.env"
log "guest built or reused in $(( (t_build1 - t_build0) / 1000000 )) ms: $TESTBED_DIR (kernel $TESTBED_KVER)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/testbed-boot.XXXXXX")
qemu_pid=""
cat_pid=""
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	[ -n "$cat_pid" ] && kill "$cat_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The serial port is a pair of FIFOs (QEMU's pipe chardev): serial.in to the guest,
# serial.out from it.  The guest agent is a unix socket, as libvirt makes it.
mkfifo "$tmp/serial.in" "$tmp/serial.out" || fail "mkfifo failed in $tmp"

ssh_port=""
net_args=()
if command -v ssh >/dev/null 2>&1; then
	for _ in 1 2 3 4 5 6 7 8; do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then ssh_port=$p; break; fi
	done
fi
if [ -n "$ssh_port" ]; then
	# shellcheck disable=SC2054 # QEMU option values contain commas
	net_args=(-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$ssh_port-:22" -device virtio-net-pci,netdev=n0)
fi

t0=$(date +%s%N)
"$qemu" -accel tcg -machine pc -smp "$smp" -m 256 -nodefaults -display none \
	-kernel "$TESTBED_KERNEL" -initrd "$TESTBED_INITRD" -append "$TESTBED_CMDLINE" \
	-serial "pipe:$tmp/serial" -monitor none -qmp "unix:$tmp/qmp.sock,server=on,wait=off" \
	-device virtio-serial-pci \
	-chardev "socket,id=qga,path=$tmp/qga.sock,server=on,wait=off" \
	-device "virtserialport,chardev=qga,name=$TESTBED_AGENT_CHANNEL" \
	"${net_args[@]}" </dev/null >"$tmp/qemu.log" 2>&1 &
qemu_pid=$!

exec 4<>"$tmp/serial.out"
exec 3<>"$tmp/serial.in"
: >"$tmp/serial.log"
cat <&4 >>"$tmp/serial.log" &
cat_pid=$!

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# wait_for TEXT SECONDS - wait until the serial log (CRs removed) contains TEXT.
wait_for() {
	local text=$1 limit=$(( $2 * 10 )) i=0
	while [ $i -lt $limit ]; do
		tr -d '\r' <"$tmp/serial.log" | grep -qF -- "$text" && return 0
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

show_serial() {
	echo "--- serial output ---" >&2
	tr -d '\r' <"$tmp/serial.log" | tail -n 30 >&2
	echo "--- qemu output ---" >&2
	tail -n 10 "$tmp/qemu.log" >&2
}

if ! wait_for "$TESTBED_BANNER" "$boot_timeout"; then
	show_serial
	fail "no '$TESTBED_BANNER' on ttyS0 within $boot_timeout s"
fi
boot_ms=$(ms_since "$t0")
log "banner after $boot_ms ms (TCG, $smp vCPU): $(tr -d '\r' <"$tmp/serial.log" | grep -F "$TESTBED_BANNER" | head -1)"

wait_for "$TESTBED_PROMPT" 30 || { show_serial; fail "no shell prompt '$TESTBED_PROMPT' after the banner"; }
prompt_ms=$(ms_since "$t0")

# The shell: type uname -r, expect a line that is exactly the kernel version.
printf 'uname -r\n' >&3
i=0
while [ $i -lt 200 ]; do
	tr -d '\r' <"$tmp/serial.log" | grep -qx -- "$TESTBED_KVER" && break
	sleep 0.1
	i=$((i + 1))
done
tr -d '\r' <"$tmp/serial.log" | grep -qx -- "$TESTBED_KVER" ||
	{ show_serial; fail "'uname -r' on ttyS0 did not answer '$TESTBED_KVER'"; }
log "shell on ttyS0 answers uname -r = $TESTBED_KVER"

# agent JSON - send one command to the guest agent's unix socket, print the first reply line.
agent() {
	# socat must not see EOF on its input before the reply: QEMU's chardev drops
	# the connection at the half-close, so talk to it as a coprocess.
	if command -v socat >/dev/null 2>&1; then
		local line=""
		coproc ga { exec socat - "UNIX-CONNECT:$tmp/qga.sock" 2>&1; }
		printf '%s\n' "$1" >&"${ga[1]}"
		read -r -t 10 line <&"${ga[0]}"
		# shellcheck disable=SC2154 # ga_PID is set by coproc
		kill "$ga_PID" 2>/dev/null
		wait "$ga_PID" 2>/dev/null
		echo "$line"
	elif command -v python3 >/dev/null 2>&1; then
		timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
s.settimeout(5)
buf = b""
while b"\n" not in buf:
    chunk = s.recv(4096)
    if not chunk:
        break
    buf += chunk
print(buf.decode().split("\n")[0])
' "$tmp/qga.sock" "$1" 2>&1
	else
		echo "no socat or python3 to talk to the agent"
	fi
}
t_ga=$(date +%s%N)
reply=$(agent '{"execute":"guest-ping"}')
case $reply in
*'"return"'*) ;;
*) show_serial; fail "guest agent did not answer guest-ping on $TESTBED_AGENT_CHANNEL (got: $reply)" ;;
esac
log "guest agent answers guest-ping in $(ms_since "$t_ga") ms: $reply"
reply=$(agent '{"execute":"guest-get-osinfo"}')
case $reply in
*"\"kernel-release\": \"$TESTBED_KVER\""*) log "guest agent reports kernel-release $TESTBED_KVER" ;;
*) fail "guest-get-osinfo did not report kernel-release $TESTBED_KVER (got: $reply)" ;;
esac

# SSH to dropbear through QEMU's user network, with the host key pinned.
if [ -n "$ssh_port" ]; then
	echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1,2 "$TESTBED_DIR/host_key.pub")" >"$tmp/known_hosts"
	t_ssh=$(date +%s%N)
	out=$(timeout 60 ssh -F /dev/null -i "$TESTBED_SSH_KEY" -p "$ssh_port" \
		-o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=30 \
		-o UserKnownHostsFile="$tmp/known_hosts" -o StrictHostKeyChecking=yes \
		root@127.0.0.1 'uname -r' 2>"$tmp/ssh.log")
	[ "$out" = "$TESTBED_KVER" ] ||
		fail "ssh root@127.0.0.1:$ssh_port 'uname -r' gave '$out': $(tail -n 3 "$tmp/ssh.log" | tr '\n' ' ')"
	log "ssh (dropbear, ed25519 key, host key pinned) answers uname -r in $(ms_since "$t_ssh") ms"
else
	log "no ssh client here: SSH to the guest not checked"
fi

# Reboot through the agent (guest-shutdown runs /sbin/shutdown -r): a second banner.
t_reboot=$(date +%s%N)
agent '{"execute":"guest-shutdown","arguments":{"mode":"reboot"}}' >/dev/null
i=0
while [ "$(tr -d '\r' <"$tmp/serial.log" | grep -cF "$TESTBED_BANNER")" -lt 2 ] && [ $i -lt $((boot_timeout * 10)) ]; do
	kill -0 "$qemu_pid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
[ "$(tr -d '\r' <"$tmp/serial.log" | grep -cF "$TESTBED_BANNER")" -ge 2 ] ||
	{ show_serial; fail "no second banner within $boot_timeout s of guest-shutdown mode=reboot"; }
log "guest rebooted (agent guest-shutdown mode=reboot) to its banner in $(ms_since "$t_reboot") ms"

# Power off with the ACPI power button (what virsh shutdown --mode acpi does): QEMU must exit.
t_off=$(date +%s%N)
qmp_lines='{"execute":"qmp_capabilities"}
{"execute":"system_powerdown"}'
if command -v socat >/dev/null 2>&1; then
	printf '%s\n' "$qmp_lines" | timeout 10 socat -t 2 - "UNIX-CONNECT:$tmp/qmp.sock" >"$tmp/qmp.log" 2>&1
else
	timeout 10 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(2)
' "$tmp/qmp.sock" "$qmp_lines" >"$tmp/qmp.log" 2>&1
fi || fail "QMP system_powerdown failed: $(cat "$tmp/qmp.log")"
i=0
while kill -0 "$qemu_pid" 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$qemu_pid" 2>/dev/null; then
	show_serial
	fail "the guest did not power off within 30 s of the ACPI power button"
fi
wait "$qemu_pid" 2>/dev/null
qemu_pid=""
log "guest powered off $(ms_since "$t_off") ms after the ACPI power button"
log "boot times (QEMU direct): banner $boot_ms ms, prompt $prompt_ms ms (TCG, $smp vCPU)"

# Phase 2: the same guest from guest-ssh.xml under libvirt's embedded QEMU driver (no
# daemon).  The driver lives inside the virsh process, so one virsh runs the whole
# command list: define, start, wait for the agent, ping it, then wait for the guest to
# stop, which the test causes with `poweroff` over SSH.
if [ "${VIRTCON_TESTBED_LIBVIRT:-1}" = 0 ]; then
	log "libvirt phase skipped (VIRTCON_TESTBED_LIBVIRT=0)"
	exit 0
fi
if ! command -v virsh >/dev/null 2>&1; then
	log "no virsh (libvirt-clients): libvirt phase not run"
	exit 0
fi
if [ -z "$ssh_port" ]; then
	log "no ssh client or free port: libvirt phase not run"
	exit 0
fi
root=$tmp/libvirt
mkdir -p "$root/etc"
{
	echo 'stdio_handler = "file"'
	if [ "$(id -u)" = 0 ]; then
		# as root the driver would run QEMU as libvirt-qemu, which cannot read ~root/.cache
		echo 'user = "root"'
		echo 'group = "root"'
		echo 'remember_owner = 0'
	fi
} >"$root/etc/qemu.conf"
sed -e "s|@NAME@|testbed-boot|" -e "s|@SSH_PORT@|$ssh_port|" "$TESTBED_XML_SSH" >"$tmp/domain.xml"
: >"$tmp/virsh.log"
t_lv=$(date +%s%N)
timeout 300 stdbuf -oL virsh -q -c "qemu:///embed?root=$root" \
	"define $tmp/domain.xml; start testbed-boot; event testbed-boot --event agent-lifecycle --timeout 120; qemu-agent-command testbed-boot '{\"execute\":\"guest-ping\"}'; event testbed-boot --event lifecycle --timeout 120; domstate testbed-boot" \
	>"$tmp/virsh.log" 2>&1 &
virsh_pid=$!
i=0
until grep -q "state: 'connected'" "$tmp/virsh.log" || [ $i -ge $((boot_timeout * 10)) ] || ! kill -0 $virsh_pid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
grep -q "state: 'connected'" "$tmp/virsh.log" || {
	kill $virsh_pid 2>/dev/null
	fail "libvirt (embedded driver): no guest agent within $boot_timeout s: $(grep -v 'warning :' "$tmp/virsh.log" | tail -n 5 | tr '\n' ' ')"
}
lv_agent_ms=$(ms_since "$t_lv")
echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1,2 "$TESTBED_HOST_KEY")" >"$tmp/known_hosts"
ssh_lv() {
	timeout 60 ssh -F /dev/null -i "$TESTBED_SSH_KEY" -p "$ssh_port" \
		-o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=30 \
		-o UserKnownHostsFile="$tmp/known_hosts" -o StrictHostKeyChecking=yes root@127.0.0.1 "$@"
}
out=$(ssh_lv 'uname -r' 2>"$tmp/ssh.log")
[ "$out" = "$TESTBED_KVER" ] || { kill $virsh_pid 2>/dev/null; fail "libvirt guest: ssh uname -r gave '$out': $(tail -n 2 "$tmp/ssh.log")"; }
ssh_lv 'poweroff' >/dev/null 2>&1
wait $virsh_pid
rc=$?
grep -q '{"return":{}}' "$tmp/virsh.log" || fail "libvirt guest: the agent did not answer guest-ping: $(tail -n 5 "$tmp/virsh.log")"
grep -q "event 'lifecycle'.*Shutdown\|event 'lifecycle'.*Stopped" "$tmp/virsh.log" ||
	fail "libvirt guest: no shutdown event after poweroff (virsh exit $rc): $(grep -v 'warning :' "$tmp/virsh.log" | tail -n 5 | tr '\n' ' ')"
log "libvirt embedded driver: agent connected $lv_agent_ms ms after start, ssh uname -r ok, powered off in $(ms_since "$t_lv") ms total"
exit 0
