#!/bin/sh
# demo-run.sh - headless runs of the shipped suites: host-basics passes, failing fails, the seeds are blocked here.
set -u
: "${top_srcdir:?}" "${VIRTCON:?}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config NO_COLOR=1
export XDG_STATE_HOME XDG_CONFIG_HOME NO_COLOR
fail=0
s=$top_srcdir/suites

# run NAME WANT SUITE [ARGS...]: runs the suite headless, checks the exit status; stderr in $tmp/NAME.err
run() {
	name=$1 want=$2 suite=$3
	shift 3
	"$VIRTCON" run "$suite" --journal "$tmp/$name.jsonl" "$@" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: virtcon run $suite $*: exit $rc, expected $want"; cat "$tmp/$name.err"; fail=1
		return 1
	fi
	echo "ok: virtcon run $(basename "$suite") $*: exit $rc"
	return 0
}
# expect NAME TEXT: the run's stderr has a line containing TEXT
expect() {
	grep -qF -- "$2" "$tmp/$1.err" || { echo "FAIL: $1: no line with '$2' in:"; cat "$tmp/$1.err"; fail=1; }
}

# host-basics passes; its manual step is skipped headless, or passes with a verdict
if run basics 0 "$s/demo/host-basics.yaml" --markdown "$tmp/basics.md" --junit "$tmp/basics.xml" --tap "$tmp/basics.tap"; then
	expect basics "result: 10 passed, 0 failed, 0 errors, 0 blocked, 1 skipped, 0 not run"
	grep -q '"type" *: *"session-end"' "$tmp/basics.jsonl" || { echo "FAIL: the journal has no session-end"; fail=1; }
	for f in basics.md basics.xml basics.tap; do
		[ -s "$tmp/$f" ] || { echo "FAIL: no export $f"; fail=1; }
	done
	# the journal exports again afterwards: Markdown on stdout by default
	"$VIRTCON" export "$tmp/basics.jsonl" >"$tmp/export.md" 2>"$tmp/export.err" &&
		grep -q 'host-basics\|Host basics' "$tmp/export.md" ||
		{ echo "FAIL: virtcon export of the journal"; cat "$tmp/export.err"; fail=1; }
	if grep -q 'not-a-real-secret' "$tmp/basics.jsonl" "$tmp/basics.md" "$tmp/basics.xml" "$tmp/basics.tap" \
		"$tmp/export.md"; then
		echo "FAIL: the secret variable's value reached the journal or an export"; fail=1
	fi
fi
if run verdict 0 "$s/demo/host-basics.yaml" --verdict 'Operator: confirm the output=pass'; then
	expect verdict "result: 11 passed, 0 failed, 0 errors, 0 blocked, 0 skipped, 0 not run"
fi
run verdict-fail 1 "$s/demo/host-basics.yaml" --verdict 10=fail

# failing: one step fails on purpose, the step after it still runs (on-failure: continue)
if run failing 1 "$s/demo/failing.yaml"; then
	expect failing "result: 2 passed, 1 failed, 0 errors, 0 blocked, 0 skipped, 0 not run"
fi

# the seeds need hardware, VMs and software this machine does not have: blocked, never failed
for f in "$s"/seeds/*.yaml; do
	n=$(basename "$f" .yaml)
	if run "$n" 3 "$f"; then
		expect "$n" " 0 failed, 0 errors, "
		expect "$n" "BLOCKED"
	fi
done
exit $fail
