#!/bin/sh
# watch.sh - `virtcon watch interrupts`: snapshot files diffed in order, live samples of a file and of
# the local machine, filtering, JSON, and the errors.
set -u
: "${VIRTCON:?}" "${top_srcdir:?}"
tmp=$(mktemp -d /tmp/vcw-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
irq="$top_srcdir/tests/irq"
failures=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; printf '#   got:      %s\n#   expected: %s\n' "$2" "$3"; fi; }

out=$("$VIRTCON" watch interrupts --file "$irq/seed000-step6.txt" --file "$irq/seed000-step13.txt" \
	--file "$irq/seed000-step6.txt" 2>&1)
same "two diffs of three snapshots, only what moved" "$out" "$irq/seed000-step13.txt: 52 virtio6-virtqueues CPU3 +1
$irq/seed000-step6.txt: (nothing moved) (1 counters went back: reset)"

out=$("$VIRTCON" watch interrupts --file "$irq/seed000-step6.txt" --file "$irq/seed000-step13.txt" --match 'virtio5' 2>&1)
same "--match leaves other IRQs out" "$out" "$irq/seed000-step13.txt: (nothing moved)"

out=$("$VIRTCON" watch interrupts --file "$irq/seed000-step6.txt" --file "$irq/seed000-step13.txt" --json 2>&1)
same "--json: one object per diff" "$out" "{\"file\":\"$irq/seed000-step13.txt\",\"interval_s\":0.0,\"moved\":[{\"irq\":\"52\",\"name\":\"virtio6-virtqueues\",\"total\":1,\"cpus\":{\"3\":1}}],\"resets\":0}"

# a live file that a writer changes between samples
printf '      CPU0 CPU1\n  0:  10  12  IO-APIC 2-edge timer\n' >"$tmp/irq"
( i=0; while [ $i -lt 40 ]; do i=$((i + 1)); printf '      CPU0 CPU1\n  0:  10  %d  IO-APIC 2-edge timer\n' $((12 + i)) >"$tmp/irq.new"; mv "$tmp/irq.new" "$tmp/irq"; sleep 0.05; done ) &
writer=$!
"$VIRTCON" watch interrupts --file "$tmp/irq" --interval 0.2 --count 3 >"$tmp/live.out" 2>&1
rc=$?
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
same "a live file: --count 3 gives 3 lines and exits 0" "$rc $(wc -l <"$tmp/live.out" | tr -d ' ')" "0 3"
if grep -Eq '^ *[0-9]+\.[0-9]{3}s 0 timer CPU1 \+[0-9]+$' "$tmp/live.out"; then ok "each line: time, IRQ, CPU delta"; else not_ok "each line: time, IRQ, CPU delta"; sed 's/^/#   /' "$tmp/live.out"; fi

# the local machine of a suite
cat >"$tmp/s.yaml" <<'YAML'
suite: w
machines:
  vm2: { ssh: "root@127.0.0.1:1", known-hosts: /dev/null }
  vm3: { domain: d3 }
steps:
  - name: a
    run: echo
YAML
if [ -r /proc/interrupts ]; then
	"$VIRTCON" watch interrupts --on host --suite "$tmp/s.yaml" --interval 0.1 --count 2 >"$tmp/host.out" 2>&1
	same "--on host samples /proc/interrupts" "$? $(wc -l <"$tmp/host.out" | tr -d ' ')" "0 2"
fi
# (a real SSH server is sampled in tests/test_ssh.c)
"$VIRTCON" watch interrupts --on vm2 --suite "$tmp/s.yaml" --count 1 >"$tmp/ssh.out" 2>&1
rc=$?
case "$rc $(cat "$tmp/ssh.out")" in
"1 virtcon watch: root@127.0.0.1:1: could not connect: "*) ok "an SSH machine that does not answer: exit 1, the target named" ;;
*) not_ok "an SSH machine that does not answer: exit 1, the target named"; echo "#   got: $rc $(cat "$tmp/ssh.out")" ;;
esac
# (a console-only guest is sampled on its console in tests/test_vconsole.c)
"$VIRTCON" watch interrupts --on vm3 --suite "$tmp/s.yaml" --count 1 -c test:///default >"$tmp/con.out" 2>&1
same "a console-only machine whose domain is not there: exit 1, named" "$? $(cat "$tmp/con.out")" "1 virtcon watch: cannot open the console of 'd3': Domain not found"
"$VIRTCON" watch interrupts --on vm9 --suite "$tmp/s.yaml" >"$tmp/e.out" 2>&1
same "an unknown machine" "$? $(cat "$tmp/e.out")" "2 virtcon watch: $tmp/s.yaml: no machine 'vm9'"
"$VIRTCON" watch interrupts --file "$tmp/missing" --file "$irq/seed000-step6.txt" >"$tmp/e.out" 2>&1
rc=$?
case "$rc $(cat "$tmp/e.out")" in
"1 virtcon watch: "*"$tmp/missing"*"No such file or directory") ok "a missing file: exit 1, named" ;;
*) not_ok "a missing file: exit 1, named"; sed 's/^/#   /' "$tmp/e.out" ;;
esac
"$VIRTCON" watch interrupts >"$tmp/e.out" 2>&1
same "no source: usage, exit 2" "$? $(cat "$tmp/e.out")" "2 virtcon watch: give --on MACHINE --suite SUITE, or --file PATH..."
"$VIRTCON" watch disks --file x >"$tmp/e.out" 2>&1
same "only interrupts" "$? $(cat "$tmp/e.out")" "2 virtcon watch: only 'virtcon watch interrupts' exists in this version"
"$VIRTCON" watch interrupts --file x --match '(' >"$tmp/e.out" 2>&1
same "a bad --match" "$?" "2"
echo "1..$n"
[ $failures -eq 0 ]
