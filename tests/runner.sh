#!/bin/sh
# runner.sh - end-to-end tests of `virtcon run`, `virtcon check` and `virtcon export`: exit
# statuses, the journal after kill -9, exports from a crashed session, bad suites and options.
set -u
: "${VIRTCON:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME="$tmp/state"
failures=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
check() { # check DESCRIPTION EXPECTED_STATUS COMMAND...
	desc=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $got, expected $want)"; sed 's/^/#   /' "$tmp/err" | tail -n 20
	fi
}
contains() { # contains DESCRIPTION FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1: '$3' not in $2"; sed 's/^/#   /' "$2" | tail -n 20; fi
}

cat >"$tmp/pass.yaml" <<'EOF'
suite: e2e-pass
vars: { greeting: "hello there" }
steps:
  - { name: greet, run: 'echo ${greeting}', expect: { match: 'hello there' } }
  - { name: look, manual: 'Look at the greeting' }
EOF
cat >"$tmp/fail.yaml" <<'EOF'
suite: e2e-fail
steps:
  - { name: good, run: 'true' }
  - { name: bad, run: 'echo some output; exit 4' }
  - { name: never, run: 'true' }
EOF
cat >"$tmp/blocked.yaml" <<'EOF'
suite: e2e-blocked
steps:
  - { name: needs, run: 'true', requires: { commands: [virtcon-no-such-tool] } }
  - { name: fine, run: 'true' }
EOF
cat >"$tmp/slow.yaml" <<'EOF'
suite: e2e-slow
steps:
  - { name: first, run: 'echo first done' }
  - { name: second, run: 'echo second done' }
  - { name: hang, run: 'echo started; sleep 60' }
  - { name: after, run: 'true' }
EOF
printf 'suite: broken\nsteps:\n  - { name: x, rn: true }\n' >"$tmp/broken.yaml"

check "a passing suite exits 0" 0 "$VIRTCON" run --journal "$tmp/p.jsonl" "$tmp/pass.yaml"
contains "progress names the steps" "$tmp/err" "[1/2] greet"
contains "the manual step is skipped headless" "$tmp/err" "no verdict given"
check "a manual verdict from the command line" 1 "$VIRTCON" run --journal "$tmp/p2.jsonl" --verdict look=fail "$tmp/pass.yaml"
check "a verdict for a missing step is a usage error" 2 "$VIRTCON" run --verdict nope=pass "$tmp/pass.yaml"
cat >"$tmp/twice.yaml" <<'EOF'
suite: twice
steps:
  - name: look
    manual: "Look at it."
  - name: look
    manual: "Look again."
EOF
check "a verdict by a name two steps share is a usage error" 2 "$VIRTCON" run --verdict look=pass "$tmp/twice.yaml"
contains "it says which steps, and to give the number" "$tmp/err" "--verdict 'look': steps 1, 2 are all named so; give the step's number"
check "a verdict by number picks one of them" 0 "$VIRTCON" run --journal "$tmp/tw.jsonl" --verdict 1=pass --verdict 2=skip "$tmp/twice.yaml"
check "a failing suite exits 1" 1 "$VIRTCON" run --journal "$tmp/f.jsonl" --junit "$tmp/f.xml" --tap "$tmp/f.tap" --markdown "$tmp/f.md" "$tmp/fail.yaml"
contains "the failure says why" "$tmp/err" "exit status 4, expected 0"
contains "the failure shows the output tail" "$tmp/err" "| some output"
contains "run all stops at the failure" "$tmp/err" "1 not run"
check "a blocked suite exits 3" 3 "$VIRTCON" run --journal "$tmp/b.jsonl" "$tmp/blocked.yaml"
contains "blocked names the missing command" "$tmp/err" "virtcon-no-such-tool"
check "an invalid suite exits 2" 2 "$VIRTCON" run "$tmp/broken.yaml"
contains "run names file, line and column" "$tmp/err" "broken.yaml:3:"
check "a missing suite exits 2" 2 "$VIRTCON" run "$tmp/nothing-here.yaml"
check "an unknown --var exits 2" 2 "$VIRTCON" run --var nosuch=1 "$tmp/pass.yaml"
check "--var overrides a variable" 0 "$VIRTCON" run -v --var "greeting=hello there, friend" "$tmp/pass.yaml"
contains "the override reached the command" "$tmp/err" "hello there, friend"
check "check accepts a good suite" 0 "$VIRTCON" check "$tmp/pass.yaml" "$tmp/fail.yaml"
check "check refuses a broken suite" 2 "$VIRTCON" check "$tmp/pass.yaml" "$tmp/broken.yaml"
contains "check prints FILE:LINE:COL" "$tmp/err" "broken.yaml:3:"
check "the default journal goes to XDG_STATE_HOME" 0 "$VIRTCON" run "$tmp/pass.yaml"
contains "the journal path is printed" "$tmp/err" "$tmp/state/virtcon/journals/e2e-pass-"

# exports written by run
if [ -n "${XMLLINT:-}" ] && [ -f "$top_srcdir/../shared/conformance/junit-10.xsd" ]; then
	check "JUnit export validates" 0 "$XMLLINT" --noout --schema "$top_srcdir/../shared/conformance/junit-10.xsd" "$tmp/f.xml"
fi
if [ -n "${PROVE:-}" ]; then
	"$PROVE" --exec cat "$tmp/f.tap" >"$tmp/prove.out" 2>&1
	contains "prove parses the TAP export" "$tmp/prove.out" "Failed 1/3 subtests"
fi
contains "Markdown export has the failing step" "$tmp/f.md" "exit status 4, expected 0"

# kill -9 in the middle of a step: every finished step is in the journal, and it exports
"$VIRTCON" run --journal "$tmp/k.jsonl" "$tmp/slow.yaml" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q '"started' "$tmp/k.jsonl" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -9 $pid
wait $pid 2>/dev/null
pkill -9 -f 'sleep 60' 2>/dev/null
# (a write cut by the kill would leave a last fragment without its newline: readers skip it)
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.endswith("\n")]' "$tmp/k.jsonl" 2>"$tmp/err"; then
	ok "every journal line parses after kill -9"
else
	not_ok "journal lines parse after kill -9"; cat "$tmp/err"
fi
contains "the finished steps are in the journal" "$tmp/k.jsonl" "second done"
check "a crashed journal exports" 0 "$VIRTCON" export "$tmp/k.jsonl" --markdown "$tmp/k.md" --junit "$tmp/k.xml" --tap "$tmp/k.tap"
contains "export warns about the crash" "$tmp/err" "incomplete"
contains "the Markdown says incomplete" "$tmp/k.md" "incomplete"
if [ -n "${XMLLINT:-}" ] && [ -f "$top_srcdir/../shared/conformance/junit-10.xsd" ]; then
	check "the crashed JUnit export validates" 0 "$XMLLINT" --noout --schema "$top_srcdir/../shared/conformance/junit-10.xsd" "$tmp/k.xml"
fi
check "export of a missing journal exits 2" 2 "$VIRTCON" export "$tmp/none.jsonl"

# SIGINT aborts the running step, and the session still ends in the journal
"$VIRTCON" run --journal "$tmp/i.jsonl" "$tmp/slow.yaml" >/dev/null 2>"$tmp/i.err" &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q '"started' "$tmp/i.jsonl" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] && ok "SIGINT exits 130" || not_ok "SIGINT exits 130 (got $rc)"
contains "SIGINT: the session ends in the journal" "$tmp/i.jsonl" '"session-end"'
contains "SIGINT: the step is aborted" "$tmp/i.jsonl" "aborted by the operator"

echo "1..$n"
[ $failures -eq 0 ]
