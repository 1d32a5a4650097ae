#!/bin/sh
# export-conformance.sh - exports the fixture journals and checks them: JUnit against the xsd, TAP with prove, Markdown sanity.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
tool="$top_builddir/tests/export_tool"
# JUNIT_XSD overrides where the schema is (a worktree may not sit beside ../shared)
xsd=${JUNIT_XSD:-"$top_srcdir/../shared/conformance/junit-10.xsd"}
journals="$top_srcdir/tests/journals"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

[ -x "$tool" ] || { echo "missing $tool"; exit 99; }
xmllint=${XMLLINT:-$(command -v xmllint || true)}
prove=${PROVE:-$(command -v prove || true)}

# expected: fixture  tests  prove-passes(0/1)  complete(0/1)
while read -r name tests passes complete; do
	j="$journals/$name.jsonl"
	out="$tmp/$name"
	"$tool" "$j" --junit "$out.xml" --tap "$out.tap" --markdown "$out.md" 2>"$out.err"
	rc=$?
	[ $rc -eq 0 ] || { bad "$name: export_tool exited $rc"; cat "$out.err"; continue; }
	if [ "$complete" = 0 ]; then
		grep -q "session incomplete (crashed or still running)" "$out.err" || bad "$name: no incomplete warning on stderr"
	else
		[ -s "$out.err" ] && bad "$name: unexpected stderr: $(cat "$out.err")"
	fi

	# JUnit: well-formed always; valid against the schema when it is there
	if [ -n "$xmllint" ]; then
		"$xmllint" --noout "$out.xml" || bad "$name: JUnit is not well-formed"
		if [ -f "$xsd" ]; then
			"$xmllint" --noout --schema "$xsd" "$out.xml" 2>"$out.xsd.log" || { bad "$name: JUnit does not validate"; cat "$out.xsd.log"; }
		fi
		n=$("$xmllint" --xpath 'count(//testcase)' "$out.xml")
		[ "$n" = "$tests" ] || bad "$name: $n testcases, expected $tests"
	fi

	# TAP: prove parses every test; passes exactly when every step passed or was skipped
	if [ -n "$prove" ]; then
		"$prove" --exec cat "$out.tap" >"$out.prove" 2>&1
		prc=$?
		grep -q "Parse errors" "$out.prove" && bad "$name: prove reports parse errors: $(cat "$out.prove")"
		grep -q "Tests=$tests," "$out.prove" || bad "$name: prove did not count $tests tests: $(cat "$out.prove")"
		if [ "$passes" = 1 ]; then
			[ $prc -eq 0 ] || bad "$name: prove failed: $(cat "$out.prove")"
		else
			[ $prc -ne 0 ] && grep -q "Failed" "$out.prove" || bad "$name: prove should report failed tests: $(cat "$out.prove")"
		fi
		perl "$top_srcdir/tests/tap-check.pl" "$out.tap" "$tests" || bad "$name: TAP::Parser check"
	fi

	# Markdown: title, result line, one table row and one section per step, balanced fences
	head -n1 "$out.md" | grep -q '^# ' || bad "$name: Markdown has no title"
	grep -q '^- Result: \*\*' "$out.md" || bad "$name: Markdown has no result line"
	rows=$(grep -c '^| [0-9]* | ' "$out.md")
	[ "$rows" = "$tests" ] || bad "$name: $rows table rows, expected $tests"
	sections=$(grep -c '^## [0-9]*\. ' "$out.md")
	[ "$sections" = "$tests" ] || bad "$name: $sections step sections, expected $tests"
	awk '/^```/ { f = $0; sub(/[^`].*/, "", f)
		if (open == "") open = f; else if (f == open && $0 == f) open = "" }
		END { exit open != "" }' "$out.md" || bad "$name: unbalanced code fences in Markdown"
	if [ "$complete" = 0 ]; then
		sed -n 3p "$out.md" | grep -q 'Session incomplete' || bad "$name: Markdown does not say incomplete at the top"
	fi
done <<'LIST'
passing 3 1 1
failing 6 0 1
crashed 4 0 0
nasty 3 0 1
LIST

# usage errors and unreadable journals: exit status 2 and a message naming the file
"$tool" "$tmp/absent.jsonl" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "$tmp/absent.jsonl" "$tmp/err" || bad "an absent journal: $(cat "$tmp/err")"
printf 'not a journal\n' >"$tmp/bogus.jsonl"
"$tool" "$tmp/bogus.jsonl" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "bogus.jsonl" "$tmp/err" || bad "a file that is no journal: $(cat "$tmp/err")"
"$tool" >/dev/null 2>&1
[ $? -eq 2 ] || bad "no journal given should exit 2"

[ $fail -eq 0 ] || exit 1
[ -n "$xmllint" ] || { echo "SKIP: xmllint not found: JUnit not validated"; exit 77; }
[ -n "$prove" ] || { echo "SKIP: prove not found: TAP not checked"; exit 77; }
[ -f "$xsd" ] || { echo "SKIP: $xsd is absent (../shared beside the source tree): JUnit not validated against the schema"; exit 77; }
echo "all exports conform"
