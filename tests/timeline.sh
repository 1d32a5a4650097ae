#!/bin/sh
# timeline.sh - `virtcon timeline FILE --summary [--json]`: figures, exit statuses, malformed lines on stderr.
set -u
: "${VIRTCON:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
check() { # check DESCRIPTION EXPECTED_STATUS COMMAND...
	desc=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $got, expected $want)"; sed 's/^/#   /' "$tmp/err" | tail -n 20
	fi
}
contains() { # contains DESCRIPTION FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1: '$3' not in $2"; sed 's/^/#   /' "$2" | tail -n 20; fi
}
same() { # same DESCRIPTION EXPECTED ACTUAL
	if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1"; diff -u "$2" "$3" | sed 's/^/#   /'; fi
}

cd "$top_srcdir" || exit 1
log=tests/timeline/rk-two-tasks.txt

# the text summary, exactly
check "summary exits 0" 0 "$VIRTCON" timeline "$log" --summary --period 7=100ms --budget 2ms
same "summary text" tests/timeline/rk-two-tasks.summary "$tmp/out"
contains "malformed line reported with its line number" "$tmp/err" \
	"$log:16: malformed line: "
contains "malformed lines counted" "$tmp/err" "$log: 1 malformed line, 0 out of order, 0 unpaired"
if [ "$(wc -l <"$tmp/err")" -eq 2 ]; then ok "stderr has only the malformed line and the count"; else
	not_ok "stderr has more than expected"; sed 's/^/#   /' "$tmp/err"; fi

# the JSON summary: values read back with python's json
check "json exits 0" 0 "$VIRTCON" timeline "$log" --summary --json -p 7=100ms -p 8=100ms@2 --format rk
if python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "rk" and d["malformed"] == 1 and d["lines"] == 18, d
assert d["origin_ns"] == 500000000 and d["release_ns"] == 1500000000, d
tracks = {t["name"]: t for t in d["tracks"]}
assert tracks["task 7"]["spans"] == 4 and tracks["task 7"]["total_ns"] == 8000000, tracks["task 7"]
assert tracks["cs 8"]["max_ns"] == 3000000 and tracks["cs 8"]["kind"] == "cs", tracks["cs 8"]
t7 = [t for t in d["tasks"] if t["pid"] == 7][0]
assert [j["response_ns"] for j in t7["jobs"]] == [2000000, 6000000, 3000000], t7["jobs"]
assert t7["jobs"][1] == {"release_ns": 1600000000, "finish_ns": 1606000000, "response_ns": 6000000}
assert t7["response_max_ns"] == 6000000 and t7["missed"] == 0, t7
assert t7["cs"] == {"count": 1, "total_ns": 1500000, "max_ns": 1500000}, t7["cs"]
assert t7["blocking"] == {"count": 1, "total_ns": 2500000, "max_ns": 2500000}, t7["blocking"]
t8 = [t for t in d["tasks"] if t["pid"] == 8][0]
assert t8["period_ns"] == 100000000 and t8["blocking"]["count"] == 0, t8
assert [j["response_ns"] for j in t8["jobs"]] == [-1, 4000000, -1], t8["jobs"]
PY
then ok "json values"; else not_ok "json values"; sed 's/^/#   /' "$tmp/out" | head -n 40; fi

# other formats are recognised
check "trace-cmd summary" 0 "$VIRTCON" timeline tests/evlog/trace-cmd.txt --summary
contains "trace-cmd recognised" "$tmp/out" "tests/evlog/trace-cmd.txt: trace-cmd,"

# files that cannot be used: exit 2, the file named
check "missing file exits 2" 2 "$VIRTCON" timeline "$tmp/nope.txt" --summary
contains "missing file named" "$tmp/err" "$tmp/nope.txt: No such file or directory"
printf 'hello\nthis is not an event log\n' >"$tmp/prose.txt"
check "unrecognised file exits 2" 2 "$VIRTCON" timeline "$tmp/prose.txt" --summary
contains "unrecognised file named" "$tmp/err" "$tmp/prose.txt"
: >"$tmp/empty.txt"
check "empty file exits 2" 2 "$VIRTCON" timeline "$tmp/empty.txt" --summary
contains "empty file named" "$tmp/err" "$tmp/empty.txt"
check "a directory exits 2" 2 "$VIRTCON" timeline "$tmp" --summary
contains "directory named" "$tmp/err" "$tmp"
check "unknown format exits 2" 2 "$VIRTCON" timeline "$log" --summary --format xml
contains "unknown format named" "$tmp/err" "xml"

# many malformed lines: the first few shown with line numbers, all counted, never fatal
{
	echo "time, type, cpuid, pid, arg1, arg2"
	echo "0.5, 101, 0, 500, 7, 10"
	for i in 1 2 3 4 5 6 7 8 9 10; do echo "garbage $i"; done
	echo "1.0, 100, 0, 500, 7, 10"
	echo "1.1, 101, 0, 500, 7, 10"
} >"$tmp/bad-lines.txt"
check "malformed lines are not fatal" 0 "$VIRTCON" timeline "$tmp/bad-lines.txt" --summary --format rk
contains "first malformed line" "$tmp/err" "$tmp/bad-lines.txt:3: malformed line"
contains "fifth malformed line" "$tmp/err" "$tmp/bad-lines.txt:7: malformed line"
if grep -q "bad-lines.txt:8:" "$tmp/err"; then not_ok "only the first five shown"; else ok "only the first five shown"; fi
contains "all counted" "$tmp/err" "10 malformed lines"
contains "spans still read" "$tmp/out" "task 7        1        100ms        100ms"

# usage errors
check "bad --period exits 2" 2 "$VIRTCON" timeline "$log" --summary --period 7
contains "bad --period explained" "$tmp/err" "--period 7: give PID=DURATION"
check "bad --budget exits 2" 2 "$VIRTCON" timeline "$log" --summary --budget soon
check "--json without --summary exits 2" 2 "$VIRTCON" timeline "$log" --json
check "no file exits 2" 2 "$VIRTCON" timeline
check "the console needs a terminal" 2 "$VIRTCON" timeline "$log"
contains "terminal explained" "$tmp/err" "needs a terminal"

echo "1..$n"
[ "$failures" -eq 0 ]
