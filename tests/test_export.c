/* test_export.c - cmocka tests of the exports (JUnit XML, TAP 13, Markdown), export_write and export_main. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "export.h"
#include "journal.h"

static char *fixture_path(const char *name)
{
	const char *top = g_getenv("top_srcdir");
	return g_build_filename(top ? top : ".", "tests", "journals", name, NULL);
}

static struct journal_log *fixture(const char *name)
{
	g_autofree char *path = fixture_path(name);
	g_autoptr(GError) error = NULL;
	struct journal_log *log = journal_read(path, &error);
	if (!log)
		fail_msg("%s", error->message);
	return log;
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected to find\n%s\nin\n%s", needle, haystack);
}

static void assert_lacks(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle))
		fail_msg("did not expect to find\n%s\nin\n%s", needle, haystack);
}

/* Nothing an XML 1.0 document may not hold: valid UTF-8, no control characters but tab and newline. */
static void assert_clean_text(const char *text)
{
	assert_true(g_utf8_validate(text, -1, NULL));
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if ((c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0xfffe || c == 0xffff)
			fail_msg("character U+%04X in the export", c);
	}
}

static void assert_well_formed_xml(const char *xml)
{
	static const GMarkupParser parser = { 0 };
	g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new(&parser, 0, NULL, NULL);
	g_autoptr(GError) error = NULL;
	if (!g_markup_parse_context_parse(context, xml, -1, &error) || !g_markup_parse_context_end_parse(context, &error))
		fail_msg("not well-formed XML: %s\n%s", error->message, xml);
	assert_clean_text(xml);
}

/* The text of lines in a TAP document that are not inside a YAML block. */
static GPtrArray *tap_plain_lines(const char *tap)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) all = g_strsplit(tap, "\n", -1);
	gboolean in_yaml = FALSE;
	for (guint i = 0; all[i]; i++) {
		if (!in_yaml && strcmp(all[i], "  ---") == 0) {
			in_yaml = TRUE;
			continue;
		}
		if (in_yaml) {
			if (strcmp(all[i], "  ...") == 0)
				in_yaml = FALSE;
			else if (!g_str_has_prefix(all[i], "  "))
				fail_msg("YAML line not indented: '%s'", all[i]);
			continue;
		}
		g_ptr_array_add(lines, g_strdup(all[i]));
	}
	assert_false(in_yaml);
	return lines;
}

static guint count_test_lines(GPtrArray *lines)
{
	guint n = 0;
	for (guint i = 0; i < lines->len; i++) {
		const char *l = lines->pdata[i];
		n += g_str_has_prefix(l, "ok ") || g_str_has_prefix(l, "not ok ");
	}
	return n;
}

/* ---- JUnit ---- */

static void test_junit_failing(void **state)
{
	g_autoptr(journal_log) log = fixture("failing.jsonl");
	g_autofree char *xml = export_junit(log);
	assert_well_formed_xml(xml);
	assert_true(g_str_has_prefix(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
	assert_contains(xml, "<testsuite name=\"vmpcp-intervm\" tests=\"6\" failures=\"1\" errors=\"1\" skipped=\"2\"");
	assert_contains(xml, "hostname=\"");
	assert_contains(xml, "timestamp=\"20");
	assert_contains(xml, "<testcase classname=\"vmpcp-intervm\" name=\"01 Guest: kill irqbalance\" time=\"0.080\">\n"
			     "    </testcase>");
	assert_contains(xml, "name=\"02 vchannel message reaches VCPU3\" time=\"1.200\">\n      <failure "
			     "message=\"interrupts: virtio6-virtqueues on CPU3 rose by 0, expected 1\" type=\"fail\">");
	/* the retried step: the last run (a pass) wins */
	assert_contains(xml, "name=\"03 Guest: load the module\" time=\"0.500\">\n    </testcase>");
	assert_contains(xml, "<skipped message=\"blocked: requires libvirt &gt;= 10.0 (found 9.0.0)\"/>");
	assert_contains(xml, "<skipped message=\"no event log on this host\"/>");
	assert_contains(xml, "<error message=\"vm2: cannot connect: Connection refused\" type=\"error\">");
	assert_contains(xml, "<property name=\"session\" value=\"complete\"/>");
	assert_contains(xml, "<property name=\"result\" value=\"fail\"/>");
	assert_contains(xml, "<system-out>sent 1 message\n</system-out>");
	assert_lacks(xml, "system-err");
}

static void test_junit_incomplete(void **state)
{
	g_autoptr(journal_log) log = fixture("crashed.jsonl");
	assert_false(log->complete);
	assert_int_equal(log->bad_lines, 1);
	g_autofree char *xml = export_junit(log);
	assert_well_formed_xml(xml);
	assert_contains(xml, "tests=\"4\" failures=\"0\" errors=\"1\" skipped=\"1\"");
	assert_contains(xml, "<property name=\"session\" value=\"incomplete\"/>");
	assert_contains(xml, "name=\"03 Checksum guest memory\"");
	assert_contains(xml, "<error message=\"session ended before this step finished\" type=\"incomplete\">");
	assert_contains(xml, "<skipped message=\"not run: the session ended before this step\"/>");
	assert_contains(xml, "<system-err>session incomplete");
	assert_contains(xml, "reading 1 GiB ...\n50%\n</system-out>"); /* a lone CR became a newline */
}

static void test_junit_nasty(void **state)
{
	g_autoptr(journal_log) log = fixture("nasty.jsonl");
	g_autofree char *xml = export_junit(log);
	assert_well_formed_xml(xml);
	assert_contains(xml, "<testsuite name=\"nasty &amp; &lt;odd&gt; &quot;suite&quot;\"");
	assert_contains(xml, "name=\"01 Step with # hash, | pipe, &lt;xml&gt; &amp; `ticks` and newline\"");
	assert_contains(xml, "<system-out>red plain\n]]&gt; &amp; &lt;tag attr=\"x\"&gt; &amp;amp;  done\n");
	assert_contains(xml, "bad bytes: \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd( end\nafter osc\n");
	assert_contains(xml, "\xf0\x9f\x98\x80 emoji");
	assert_contains(xml, "reason with ]]&gt; and  escape");
	assert_contains(xml, "message=\"reason with ]]&gt; and  escape\"");
	assert_contains(xml, "name=\"03 step 3\"");
	assert_lacks(xml, "\x1b");
	assert_lacks(xml, "]]>");
}

/* ---- TAP ---- */

static void test_tap_passing(void **state)
{
	g_autoptr(journal_log) log = fixture("passing.jsonl");
	g_autofree char *tap = export_tap(log);
	assert_true(g_str_has_prefix(tap, "TAP version 13\n1..3\n"));
	assert_contains(tap, "\nok 1 - Host: kernel version\n  ---\n  status: pass\n  duration_ms: 15\n  exit: 0\n");
	assert_contains(tap, "  output: |\n    NAME  SIZE\n    vda     1G\n      vda1 1023M\n  ...\n");
	assert_contains(tap, "ok 3 - Operator: console shows a login prompt\n");
	assert_contains(tap, "  verdict_note: \"prompt seen\"\n");
	assert_lacks(tap, "not ok");
	assert_lacks(tap, "# session incomplete");
	g_autoptr(GPtrArray) lines = tap_plain_lines(tap);
	assert_int_equal(count_test_lines(lines), 3);
}

static void test_tap_failing_and_incomplete(void **state)
{
	g_autoptr(journal_log) failing = fixture("failing.jsonl");
	g_autofree char *tap = export_tap(failing);
	assert_contains(tap, "\nnot ok 2 - vchannel message reaches VCPU3\n");
	assert_contains(tap, "  reason: \"interrupts: virtio6-virtqueues on CPU3 rose by 0, expected 1\"\n");
	assert_contains(tap, "\nok 3 - Guest: load the module\n");
	assert_contains(tap, "  runs: 2\n");
	assert_contains(tap, "\nok 4 - Migrate vm1 to host2 # SKIP blocked: requires libvirt >= 10.0 (found 9.0.0)\n");
	assert_contains(tap, "\nok 5 - Operator: check the event log # SKIP no event log on this host\n");
	assert_contains(tap, "\nnot ok 6 - Guest: run testpmd\n  ---\n  status: error\n");

	g_autoptr(journal_log) crashed = fixture("crashed.jsonl");
	g_autofree char *tap2 = export_tap(crashed);
	assert_contains(tap2, "1..4\n");
	assert_contains(tap2, "# session incomplete (crashed or still running)\n");
	assert_contains(tap2, "\nnot ok 3 - Checksum guest memory # session ended before this step finished\n");
	assert_contains(tap2, "\nok 4 - step 4 # SKIP not run: the session ended before this step\n");
	assert_lacks(tap2, "Bail out!");
	g_autoptr(GPtrArray) lines = tap_plain_lines(tap2);
	assert_int_equal(count_test_lines(lines), 4);
}

static void test_tap_nasty(void **state)
{
	g_autoptr(journal_log) log = fixture("nasty.jsonl");
	g_autofree char *tap = export_tap(log);
	assert_clean_text(tap);
	assert_contains(tap, "\nnot ok 1 - Step with \\# hash, | pipe, <xml> & `ticks` and newline\n");
	/* output that looks like TAP stays inside the YAML block */
	g_autoptr(GPtrArray) lines = tap_plain_lines(tap);
	assert_int_equal(count_test_lines(lines), 3);
	for (guint i = 0; i < lines->len; i++) {
		assert_false(g_str_has_prefix(lines->pdata[i], "Bail out!"));
		assert_false(g_str_has_prefix(lines->pdata[i], "not ok 99"));
	}
	/* blank lines inside a block keep the block's indentation (TAP::Parser's YAMLish needs it) */
	assert_contains(tap, "    # SKIP fake\n    \n    \n");
	/* text whose first line starts with blanks is double-quoted instead */
	assert_contains(tap, "  command: \"  indented command\\n  second line\"\n");
	assert_contains(tap, "  output: \"    indented first line\\nsecond\"\n");
	assert_contains(tap, "    - \"note with \\\"quotes\\\", \\\\backslash\\\\ and tab\"\n");
}

/* ---- Markdown ---- */

static void test_markdown_passing(void **state)
{
	g_autoptr(journal_log) log = fixture("passing.jsonl");
	g_autofree char *md = export_markdown(log);
	assert_true(g_str_has_prefix(md, "# Local testbed smoke test\n\n- Suite: local-smoke (suites/local-smoke.yaml)\n"));
	assert_contains(md, "- Result: **pass** — 3 steps: 3 passed, 0 failed, 0 skipped, 0 blocked, 0 errors\n");
	assert_contains(md, "| № | Step | Status | Time |\n|--:|------|--------|-----:|\n"
			    "| 1 | Host: kernel version | pass | 0.015 s |\n");
	assert_contains(md, "## 2. Guest: list block devices\n\n- Status: **pass**\n- Duration: 0.250 s\n");
	assert_contains(md, "- Machine: vm1\n");
	assert_contains(md, "Command:\n\n```sh\nlsblk -o NAME,SIZE\n```\n");
	assert_contains(md, "Output:\n\n```\nNAME  SIZE\nvda     1G\n  vda1 1023M\n```\n");
	assert_contains(md, "- Verdict: pass — prompt seen\n");
	assert_lacks(md, "incomplete");
}

static void test_markdown_incomplete_and_nasty(void **state)
{
	g_autoptr(journal_log) crashed = fixture("crashed.jsonl");
	g_autofree char *md = export_markdown(crashed);
	const char *notice = strstr(md, "**Session incomplete**");
	assert_non_null(notice);
	assert_true(notice < strstr(md, "| № |"));
	assert_contains(md, "| 3 | Checksum guest memory | unfinished |");
	assert_contains(md, "- Status: **unfinished** (session ended before this step finished)\n"
			    "- Duration: 0.000 s (until the journal ends)\n");

	g_autoptr(journal_log) nasty = fixture("nasty.jsonl");
	g_autofree char *md2 = export_markdown(nasty);
	assert_clean_text(md2);
	assert_true(g_str_has_prefix(md2, "# Nasty \\| output \\# test\n"));
	assert_contains(md2, "| 1 | Step with \\# hash, \\| pipe, \\<xml\\> \\& \\`ticks\\` and newline | fail |");
	/* fences longer than any backtick run inside */
	assert_contains(md2, "\n````sh\nprintf '\\033[31mred\\033[0m' && echo ']]>' | cat <<'EOF'\n```\nEOF\n````\n");
	assert_contains(md2, "\n``````\nred plain\n");
	assert_contains(md2, "five `````\n");
	assert_contains(md2, "emoji \xe2\x80\xa8 LS\n``````\n");
	assert_contains(md2, "- Verdict: fail — verdict note \\<b\\>bold\\</b\\>\n");
}

static void test_markdown_output_tail(void **state)
{
	GString *text = g_string_new("{\"type\":\"session\",\"suite\":\"s\",\"n_steps\":1}\n"
				     "{\"type\":\"step-start\",\"step\":0,\"name\":\"long\"}\n");
	for (guint i = 1; i <= 100; i++)
		g_string_append_printf(text, "{\"type\":\"output\",\"step\":0,\"data\":\"line %03u\\n\"}\n", i);
	g_string_append(text, "{\"type\":\"step-end\",\"step\":0,\"status\":\"pass\",\"exit\":0}\n");
	g_autoptr(journal_log) log = journal_read_data(text->str, text->len, "tail.jsonl", NULL);
	g_string_free(text, TRUE);
	assert_non_null(log);
	g_autofree char *md = export_markdown(log);
	assert_contains(md, "Output (the last 40 lines):\n\n```\nline 061\n");
	assert_contains(md, "line 100\n```");
	assert_lacks(md, "line 060");
	g_autofree char *tap = export_tap(log);
	assert_contains(tap, "  output_truncated: true\n  output: |\n    line 061\n");
	assert_lacks(tap, "line 060");
	g_autofree char *xml = export_junit(log); /* JUnit keeps it all */
	assert_contains(xml, "<system-out>line 001\n");
}

/* ---- export_write and export_main ---- */

static int setup_dir(void **state)
{
	*state = g_dir_make_tmp("virtcon-export-XXXXXX", NULL);
	return *state ? 0 : -1;
}

static guint count_files(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	guint n = 0;
	while (d && g_dir_read_name(d))
		n++;
	return n;
}

static int teardown_dir(void **state)
{
	char *dir = *state;
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_unlink(path);
	}
	g_rmdir(dir);
	g_free(dir);
	return 0;
}

static char *slurp(const char *path)
{
	char *data = NULL;
	if (!g_file_get_contents(path, &data, NULL, NULL))
		fail_msg("%s was not written", path);
	return data;
}

static void test_export_write(void **state)
{
	const char *dir = *state;
	g_autofree char *path = g_build_filename(dir, "report.xml", NULL);
	g_autoptr(GError) error = NULL;
	assert_true(export_write(path, "first", &error));
	assert_true(export_write(path, "second version", &error));
	g_autofree char *data = slurp(path);
	assert_string_equal(data, "second version");
	assert_int_equal(count_files(dir), 1); /* no temporary file left behind */

	g_autofree char *bad = g_build_filename(dir, "missing", "report.xml", NULL);
	assert_false(export_write(bad, "x", &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, bad));
}

static int run_main(const char *const *args)
{
	guint argc = g_strv_length((char **)args);
	char **argv = g_strdupv((char **)args);
	char **copy = g_memdup2(argv, sizeof(char *) * (argc + 1)); /* option parsing reorders argv */
	int status = export_main((int)argc, copy);
	g_free(copy);
	g_strfreev(argv);
	return status;
}

static void test_export_main(void **state)
{
	const char *dir = *state;
	g_autofree char *journal = fixture_path("failing.jsonl");
	g_autofree char *junit = g_build_filename(dir, "r.xml", NULL);
	g_autofree char *tap = g_build_filename(dir, "r.tap", NULL);
	g_autofree char *md = g_build_filename(dir, "r.md", NULL);
	const char *args[] = { "export", journal, "--junit", junit, "--tap", tap, "--markdown", md, NULL };
	assert_int_equal(run_main(args), 0);
	g_autoptr(journal_log) log = fixture("failing.jsonl");
	g_autofree char *want_junit = export_junit(log), *want_tap = export_tap(log), *want_md = export_markdown(log);
	g_autofree char *got_junit = slurp(junit), *got_tap = slurp(tap), *got_md = slurp(md);
	assert_string_equal(got_junit, want_junit);
	assert_string_equal(got_tap, want_tap);
	assert_string_equal(got_md, want_md);

	/* no output option: Markdown on stdout */
	g_autofree char *out = g_build_filename(dir, "stdout", NULL);
	fflush(stdout);
	int saved = dup(1);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	const char *plain[] = { "export", journal, NULL };
	int status = run_main(plain);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	assert_int_equal(status, 0);
	g_autofree char *got_stdout = slurp(out);
	assert_string_equal(got_stdout, want_md);

	g_autofree char *missing = g_build_filename(dir, "absent.jsonl", NULL);
	const char *unreadable[] = { "export", missing, NULL };
	assert_int_equal(run_main(unreadable), 2);
	const char *none[] = { "export", NULL };
	assert_int_equal(run_main(none), 2);
	const char *two[] = { "export", journal, journal, NULL };
	assert_int_equal(run_main(two), 2);
	const char *help[] = { "export", "--help", NULL };
	assert_int_equal(run_main(help), 0);
	const char *bad_option[] = { "export", journal, "--pdf", "x", NULL };
	assert_int_equal(run_main(bad_option), 2);
	g_autofree char *unwritable = g_build_filename(dir, "no", "r.xml", NULL);
	const char *cannot_write[] = { "export", journal, "--junit", unwritable, NULL };
	assert_int_equal(run_main(cannot_write), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junit_failing),
		cmocka_unit_test(test_junit_incomplete),
		cmocka_unit_test(test_junit_nasty),
		cmocka_unit_test(test_tap_passing),
		cmocka_unit_test(test_tap_failing_and_incomplete),
		cmocka_unit_test(test_tap_nasty),
		cmocka_unit_test(test_markdown_passing),
		cmocka_unit_test(test_markdown_incomplete_and_nasty),
		cmocka_unit_test(test_markdown_output_tail),
		cmocka_unit_test_setup_teardown(test_export_write, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_export_main, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
