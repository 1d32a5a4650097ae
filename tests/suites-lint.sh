#!/bin/sh
# suites-lint.sh - `virtcon check` accepts every shipped suite, and mk/suites.am installs every one.
set -u
: "${top_srcdir:?}" "${VIRTCON:?}"
fail=0
tmp=$(mktemp) || exit 99
trap 'rm -f "$tmp"' EXIT
cd "$top_srcdir" || exit 99

files=$(find suites -name '*.yaml' -o -name '*.yml' | LC_ALL=C sort)
[ -n "$files" ] || { echo "no suites found under $top_srcdir/suites"; exit 1; }

# every suite file is listed for installation (and so in the tarball), and every listed one exists
for f in $files; do
	grep -q "^[[:space:]]*$f[[:space:]\\\\]*$" mk/suites.am || { echo "FAIL: $f is not listed in mk/suites.am"; fail=1; }
done
for f in $(sed -n 's/^[[:space:]]*\(suites\/[^[:space:]\\]*\.ya\?ml\).*/\1/p' mk/suites.am); do
	[ -f "$f" ] || { echo "FAIL: mk/suites.am lists $f, which does not exist"; fail=1; }
done

# each one checks clean, one "ok" line per file on stdout, nothing on stderr
for f in $files; do
	out=$("$VIRTCON" check "$f" 2>"$tmp")
	rc=$?
	err=$(cat "$tmp")
	if [ $rc -ne 0 ] || [ -n "$err" ]; then
		echo "FAIL: virtcon check $f: exit $rc"; printf '%s\n' "$err"; fail=1
	elif ! printf '%s\n' "$out" | grep -q "^$f: ok, suite [a-z0-9-]*, [1-9][0-9]* steps$"; then
		echo "FAIL: virtcon check $f printed: $out"; fail=1
	else
		printf '%s\n' "$out"
	fi
done

# all of them at once, too
"$VIRTCON" check $files >/dev/null 2>&1 || { echo "FAIL: virtcon check of all suites at once: exit $?"; fail=1; }
exit $fail
