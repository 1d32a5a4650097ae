# lib.sh - shared by the screen tests: the real binary in a private tmux server, keys in, screens out.
# Each test sources this, then calls start, keys, wait_for, expect_screen ... (see the tests).
# UPDATE_EXPECTED=1 rewrites the expected screens instead of comparing (then read them!).
set -u
: "${top_srcdir:?}" "${VIRTCON:?}"
TMUX_BIN=${TMUX_BIN:-tmux}
if ! command -v "$TMUX_BIN" >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed"
	exit 77
fi
expected_dir=${SCREEN_EXPECTED_DIR:-$top_srcdir/tests/screen/expected}
work=$(mktemp -d "${TMPDIR:-/tmp}/virtcon-screen.XXXXXX")
sock=virtcon-screen-$$
failures=0

T() { "$TMUX_BIN" -L "$sock" -f /dev/null "$@"; }
cleanup() { T kill-server >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# The suites the console finds: the demo suites (when the tree has them) and the tests' own.
mkdir -p "$work/suites/screen" "$work/home"
cp "$top_srcdir"/tests/screen/suites/*.yaml "$work/suites/screen/"
if [ -d "$top_srcdir/suites/demo" ]; then
	mkdir -p "$work/suites/demo"
	cp "$top_srcdir"/suites/demo/host-basics.yaml "$top_srcdir"/suites/demo/failing.yaml "$work/suites/demo/" 2>/dev/null
fi
need_demo() {
	if [ ! -f "$work/suites/demo/host-basics.yaml" ] || [ ! -f "$work/suites/demo/failing.yaml" ]; then
		echo "SKIP: suites/demo/host-basics.yaml and failing.yaml are not in this tree"
		exit 77
	fi
}

# start [COLSxROWS] [virtcon arguments...]: the console in a fresh window. HOME is the work dir's
# home, so journals go to ~/.local/state (shown the same everywhere) and no user suites are found.
# The VMs list is on libvirt's test driver (LIBVIRT_DEFAULT_URI; SCREEN_URI overrides) unless -c.
start() {
	size=100x30
	case "${1:-}" in [0-9]*x[0-9]*) size=$1; shift ;; esac
	cols=${size%x*}
	rows=${size#*x}
	T new-session -d -x "$cols" -y "$rows" \
		"cd '$work' && exec env -u TMUX HOME='$work/home' XDG_STATE_HOME='$work/home/.local/state' \
		XDG_CONFIG_HOME='$work/home/.config' LIBVIRT_DEFAULT_URI='${SCREEN_URI:-test:///default}' TERM=xterm-256color LANG=${SCREEN_LANG:-C.UTF-8} LC_ALL=${SCREEN_LANG:-C.UTF-8} \
		NO_COLOR=1 sh -c '\"\$0\" \"\$@\"; echo \"EXIT=\$?\"; sleep 3600' '$VIRTCON' $*"
}

# stop: ends this console's tmux server; the next start gets a new one.
stop() {
	T kill-server >/dev/null 2>&1
	sock=$sock-next
}

keys() { T send-keys "$@"; }
# text typed as is (no key names)
type_text() { T send-keys -l "$1"; }

screen() {
	T capture-pane -p | sed -E \
		-e 's/[0-9]{8}-[0-9]{6}(-[0-9]+)?/YYYYMMDD-HHMMSS/g' \
		-e 's/-[0-9]{1,8}(-[0-9]{0,6})?(…|~)/-YYYY\2/g' \
		-e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/hh:mm:ss/g' \
		-e 's/[0-9]\.[0-9]{2}s/D.DDs/g' \
		-e "s#$work#WORK#g"
}

# wait_for TEXT [SECONDS]: polls the screen until TEXT shows (fails the test after SECONDS, 10 by default).
wait_for() {
	n=$(( ${2:-10} * 20 ))
	while [ "$n" -gt 0 ]; do
		if T capture-pane -p | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		n=$((n - 1))
	done
	echo "FAIL: '$1' did not show; the screen was:"
	T capture-pane -p
	exit 1
}

# wait_gone TEXT [SECONDS]: the opposite.
wait_gone() {
	n=$(( ${2:-10} * 20 ))
	while [ "$n" -gt 0 ]; do
		if ! T capture-pane -p | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		n=$((n - 1))
	done
	echo "FAIL: '$1' did not go away; the screen was:"
	T capture-pane -p
	exit 1
}

# settle: waits until two captures a little apart are the same (the redraw timer has run).
settle() {
	prev=
	for _ in $(seq 1 60); do
		cur=$(T capture-pane -p)
		[ -n "$prev" ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.1
	done
}

# expect_screen NAME: the screen (normalised) must equal tests/screen/expected/NAME.txt.
expect_screen() {
	settle
	screen >"$work/$1.txt"
	if [ "${UPDATE_EXPECTED:-}" = 1 ]; then
		cp "$work/$1.txt" "$expected_dir/$1.txt"
		echo "updated $expected_dir/$1.txt"
		return 0
	fi
	if ! diff -u "$expected_dir/$1.txt" "$work/$1.txt"; then
		echo "FAIL: screen $1 differs from $expected_dir/$1.txt (above: - expected, + got)"
		failures=$((failures + 1))
		return 1
	fi
	echo "ok: screen $1"
}

# Every line of the screen fits the window (no wrapping, no stray cells past the edge).
expect_width() {
	over=$(T capture-pane -p | perl -CSD -ne 'chomp; print "$.: $_\n" if length($_) > '"$1")
	if [ -n "$over" ]; then
		echo "FAIL: lines wider than $1:"
		echo "$over"
		failures=$((failures + 1))
	fi
}

finish() {
	[ "$failures" -eq 0 ] || exit 1
	exit 0
}
