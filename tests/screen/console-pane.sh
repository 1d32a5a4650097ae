#!/bin/sh
# console-pane.sh - a console pane shows the testbed guest's boot on libvirt's embedded QEMU driver;
# i, cursor keys in the guest's modes, a command typed into it, Ctrl-]; the guest is destroyed by
# the suite's last step (and here on failure).
. "$top_srcdir/tests/screen/lib.sh"
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "SKIP: qemu-system-x86_64 is not installed"
	exit 77
fi
if ! "$top_srcdir/tools/mkguest" --quiet >"$work/mkguest.log" 2>&1; then
	echo "SKIP: the testbed guest could not be built (tools/mkguest):"
	tail -n 5 "$work/mkguest.log"
	exit 77
fi
dir=$("$top_srcdir/tools/mkguest" --print-dir)
. "$dir/testbed.env"
# libvirt 9.0's embedded QEMU driver logs a GLib critical from its own qemu-event thread when the
# guest agent's channel is being connected while the domain is destroyed (qemuAgentOpen's failure
# path unrefs a NULL GMainContext): fatal under make check's G_DEBUG=fatal-criticals, harmless
# otherwise. The console here runs without it, so that race in libvirt does not fail this test.
G_DEBUG=
export G_DEBUG
name=virtcon-screen-$$
suite=$(cd "$top_srcdir" && pwd)/tests/screen/suites/testbed/console-pane.yaml
# a short root: QEMU's monitor sockets live under it (UNIX socket paths are short)
root=$(mktemp -d /tmp/vc-embed.XXXXXX)
sed "s/@NAME@/$name/" "$TESTBED_XML" >"$work/tb.xml"

# Always: the guest's QEMU goes with the console (the embedded driver runs inside virtcon, but
# QEMU is its own process: killed by its pid file when the suite's destroy step did not run).
guest_cleanup() {
	T kill-server >/dev/null 2>&1
	if [ -f "$root/run/qemu/$name.pid" ]; then
		kill "$(cat "$root/run/qemu/$name.pid")" 2>/dev/null
		sleep 0.5
	fi
	rm -rf "$root"
	cleanup
}
trap guest_cleanup EXIT INT TERM

start 100x30 -c "'qemu:///embed?root=$root'" --var "xml=$work/tb.xml" --var "name=$name" \
	"'$suite'"
wait_for "console: tb (virtcon-screen-" 20
wait_for "(-c)" 30
# a runs define, start and the wait for the prompt; it stops at the manual step
keys a
wait_for "testbed# " 90
wait_for "waiting for your verdict" 30
# Tab from the steps to the first pane (the console), i: keys go to the guest
keys Tab
keys i
wait_for "[typing"
# keys follow the guest's modes: arrows, Home and End are ESC O x once it set application cursor
# keys (DECCKM, as vim and less do), ESC [ x again when it reset them; cat -v shows what came
# (the prompts come through %s so that the command's echo does not show them; tmux's Home and End
# are ESC [ 1 ~ and ESC [ 4 ~, which the console's TERM=xterm-256color does not know: xterm's own
# khome and kend, in the keypad mode curses asks for, are sent instead; a text ending in ; would be
# a command separator to tmux)
home=$(printf '\033OH')
end=$(printf '\033OF')
type_text "printf '\\033[?1h%s: ' app; read -r a; printf '\\033[?1l%s: ' normal; read -r b"
type_text "; echo \"keys \$a \$b\" | cat -v"
keys Enter
wait_for "app: " 20
keys Up
type_text "$home"
keys Enter
wait_for "normal: " 20
keys Up
type_text "$end"
keys Enter
wait_for "keys ^[OA^[OH ^[[A^[[F" 20
echo "ok: cursor keys in application and in normal cursor mode"
type_text "echo hi-from-pane-\$((6*7))"
keys Enter
wait_for "hi-from-pane-42" 20
keys C-]
wait_gone "[typing"
# the command echoed and its output: both in the pane
if [ "$(T capture-pane -p | grep -c 'hi-from-pane-')" -lt 2 ]; then
	echo "FAIL: the typed command and its output are not both in the pane:"
	T capture-pane -p
	failures=$((failures + 1))
else
	echo "ok: the command typed in the pane and its output show in it"
fi
# / searches the scrollback (without regard to case): the boot banner
keys /
wait_for "Search the scrollback"
type_text "BUSYBOX V1"
keys Enter
wait_for "'BUSYBOX V1' found"
keys End
# keys are the console's again: v gives the manual step its verdict, then the suite destroys the guest
keys v p Enter
wait_for "4/5 passed" 20
wait_for "5/5 passed" 60
wait_for "shut off" 20
# 80x24 still draws the pane, nothing past the edge
T resize-window -x 80 -y 24
wait_for "console: tb" 10
settle
expect_width 80
if ! T capture-pane -p | grep -q "hi-from-pane-42"; then
	echo "FAIL: after the resize the pane lost the guest's output:"
	T capture-pane -p
	failures=$((failures + 1))
else
	echo "ok: 80x24 draws the pane with the guest's output"
fi
finish
