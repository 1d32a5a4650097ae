/* tests/test_suite.c - suite loader: every model field of good suites, the exact errors of the bad corpus, limits. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "suite.h"

static char *srcdir_path(const char *rel)
{
	const char *top = g_getenv("top_srcdir");

	return g_build_filename(top && *top ? top : ".", rel, NULL);
}

/* Loads a file of the source tree via suite_load_data(), named by its relative path. */
static struct suite *load_rel(const char *rel, GError **error)
{
	g_autofree char *path = srcdir_path(rel);
	g_autofree char *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, NULL))
		fail_msg("cannot read %s", path);
	return suite_load_data(data, len, rel, error);
}

static struct suite *load_ok(const char *text)
{
	GError *error = NULL;
	struct suite *suite = suite_load_data(text, strlen(text), "t.yaml", &error);

	if (!suite)
		fail_msg("unexpected error: %s", error->message);
	return suite;
}

static void assert_error(const char *data, gsize len, const char *expected)
{
	GError *error = NULL;
	struct suite *suite = suite_load_data(data, len, "t.yaml", &error);

	assert_null(suite);
	assert_non_null(error);
	assert_true(g_error_matches(error, SUITE_ERROR, SUITE_ERROR_INVALID));
	assert_string_equal(error->message, expected);
	g_error_free(error);
}

static void assert_text_error(const char *text, const char *expected)
{
	assert_error(text, strlen(text), expected);
}

static const char *str_at(const GPtrArray *array, guint i)
{
	assert_true(i < array->len);
	return array->pdata[i];
}

/* ---- good suites ---- */

static void test_step_kinds(void **state)
{
	GError *error = NULL;
	struct suite *s = load_rel("tests/suites/good/kinds.yaml", &error);
	const struct suite_step *st;
	const struct suite_machine *m;

	assert_non_null(s);
	m = suite_find_machine(s, "tb");
	assert_true(m->agent);
	assert_string_equal(m->console, "serial0");
	st = s->steps->pdata[0];
	assert_int_equal(st->kind, SUITE_STEP_ACTION);
	assert_string_equal(st->action, "define");
	assert_string_equal(g_hash_table_lookup(st->with, "file"), "guest.xml");
	assert_string_equal(g_hash_table_lookup(st->with, "live"), "true");
	assert_int_equal(st->kind_loc.line, 9);
	assert_int_equal(st->kind_loc.col, 5);
	st = s->steps->pdata[1];
	assert_int_equal(st->kind, SUITE_STEP_ACTION);
	assert_int_equal(g_hash_table_size(st->with), 0);
	st = s->steps->pdata[2];
	assert_int_equal(st->kind, SUITE_STEP_WAIT);
	assert_string_equal(st->wait_state, "running");
	assert_int_equal(st->timeout_ms, 60000);
	st = s->steps->pdata[3];
	assert_string_equal(st->wait_console, "testbed# $");
	st = s->steps->pdata[4];
	assert_int_equal(st->kind, SUITE_STEP_SEND);
	assert_true(st->force);
	assert_string_equal(st->send, "uname -r\n");
	assert_int_equal(st->expect.match->len, 2);
	assert_false(st->expect.has_exit);
	st = s->steps->pdata[5];
	assert_int_equal(st->kind, SUITE_STEP_RUN);
	assert_true(st->expect.has_exit);
	st = s->steps->pdata[6];
	assert_string_equal(st->wait_migration, "completed");
	assert_string_equal(suite_step_kind_name(SUITE_STEP_WAIT), "wait");
	suite_free(s);
}

static void test_full(void **state)
{
	GError *error = NULL;
	struct suite *s = load_rel("tests/suites/good/full.yaml", &error);
	const struct suite_machine *m;
	const struct suite_var *v;
	const struct suite_pane *p;
	const struct suite_step *st;

	if (!s)
		fail_msg("%s", error->message);
	assert_string_equal(s->file, "tests/suites/good/full.yaml");
	assert_string_equal(s->name, "full-example");
	assert_string_equal(s->title, "Every field");
	assert_string_equal(s->description, "A suite that exercises every key the loader knows.\n");
	assert_int_equal(s->timeout_ms, 120000);

	/* requires */
	assert_non_null(s->requires);
	assert_int_equal(s->requires->commands->len, 2);
	assert_string_equal(str_at(s->requires->commands, 0), "virsh");
	assert_string_equal(str_at(s->requires->commands, 1), "${tool}");
	assert_int_equal(s->requires->files->len, 1);
	assert_string_equal(str_at(s->requires->files, 0), "/etc/hostname");
	assert_int_equal(s->requires->modules->len, 1);
	assert_string_equal(str_at(s->requires->modules, 0), "kvm");
	assert_string_equal(s->requires->libvirt, ">= 0.9.8");
	assert_int_equal(s->requires->machines->len, 1);
	assert_string_equal(str_at(s->requires->machines, 0), "vm1");
	assert_int_equal(s->requires->loc.line, 8);
	assert_int_equal(s->requires->loc.col, 3);

	/* machines: host first */
	assert_int_equal(s->machines->len, 3);
	m = s->machines->pdata[0];
	assert_string_equal(m->name, "host");
	assert_true(m->local);
	assert_int_equal(m->loc.line, 14);
	m = suite_find_machine(s, "vm1");
	assert_ptr_equal(m, s->machines->pdata[1]);
	assert_false(m->local);
	assert_string_equal(m->domain, "ubuntu-vm1");
	assert_string_equal(m->uri, "qemu:///system");
	assert_string_equal(m->ssh, "ubuntu@vm1:2222");
	assert_string_equal(m->identity, "${env.HOME}/.ssh/id_ed25519");
	assert_string_equal(m->password, "${pw}");
	assert_string_equal(m->console, "serial0");
	assert_int_equal(m->loc.line, 16);
	assert_int_equal(m->loc.col, 3);
	m = suite_find_machine(s, "vm2");
	assert_string_equal(m->ssh, "root@[fe80::1]");
	assert_null(m->domain);
	assert_null(m->uri);
	assert_null(m->identity);
	assert_null(m->password);
	assert_null(m->console);
	assert_null(suite_find_machine(s, "vm3"));

	/* vars, in file order */
	assert_int_equal(s->vars->len, 5);
	v = s->vars->pdata[0];
	assert_string_equal(v->name, "tool");
	assert_string_equal(v->value, "testpmd");
	assert_false(v->secret);
	assert_false(v->raw);
	assert_null(v->description);
	assert_int_equal(v->loc.line, 25);
	v = suite_find_var(s, "pw");
	assert_ptr_equal(v, s->vars->pdata[2]);
	assert_string_equal(v->value, "hunter2");
	assert_true(v->secret);
	assert_false(v->raw);
	assert_string_equal(v->description, "guest password");
	v = suite_find_var(s, "opts");
	assert_string_equal(v->value, "-a -b");
	assert_true(v->raw);
	v = suite_find_var(s, "target");
	assert_null(v->value);
	assert_null(suite_find_var(s, "nothing"));

	/* panes */
	assert_int_equal(s->panes->len, 6);
	p = s->panes->pdata[0];
	assert_string_equal(p->kind, "console");
	assert_string_equal(p->target, "vm1");
	assert_int_equal(g_hash_table_size(p->opts), 0);
	assert_int_equal(p->loc.line, 31);
	assert_int_equal(p->loc.col, 5);
	p = s->panes->pdata[1];
	assert_string_equal(p->kind, "output");
	assert_null(p->target);
	p = s->panes->pdata[2];
	assert_string_equal(p->kind, "journal");
	p = s->panes->pdata[3];
	assert_string_equal(p->kind, "migration");
	assert_string_equal(p->target, "vm2");
	assert_string_equal(g_hash_table_lookup(p->opts, "interval"), "1s");
	assert_string_equal(g_hash_table_lookup(p->opts, "on"), "vm2");
	p = s->panes->pdata[4];
	assert_string_equal(p->kind, "interrupts");
	assert_string_equal(p->target, "vm1");
	assert_string_equal(g_hash_table_lookup(p->opts, "match"), "virtio.*-virtqueues");
	p = s->panes->pdata[5];
	assert_string_equal(p->kind, "timeline");
	assert_null(p->target);
	assert_string_equal(g_hash_table_lookup(p->opts, "file"), "${rk}/utils/log_rk_event.txt");
	assert_string_equal(g_hash_table_lookup(p->opts, "format"), "rk");

	/* steps */
	assert_int_equal(s->steps->len, 4);
	st = s->steps->pdata[0];
	assert_int_equal(st->index, 0);
	assert_string_equal(st->name, "Host: setup RK options");
	assert_string_equal(st->on, "host");
	assert_int_equal(st->kind, SUITE_STEP_MANUAL);
	assert_string_equal(suite_step_kind_name(st->kind), "manual");
	assert_null(st->run);
	assert_string_equal(st->manual, "Edit include/rk/rk_common.h and define RK_TRACE in ${rk}");
	assert_false(st->expect.has_exit);
	assert_int_equal(st->expect.match->len, 0);
	assert_int_equal(st->expect.no_match->len, 0);
	assert_false(st->expect.timeout);
	assert_int_equal(st->timeout_ms, 0);
	assert_int_equal(st->on_failure, SUITE_ON_FAILURE_STOP);
	assert_null(st->requires);
	assert_int_equal(st->loc.line, 38);
	assert_int_equal(st->loc.col, 5);

	st = s->steps->pdata[1];
	assert_int_equal(st->index, 1);
	assert_string_equal(st->name, "Guest: kill irqbalance");
	assert_string_equal(st->on, "vm1");
	assert_int_equal(st->kind, SUITE_STEP_RUN);
	assert_string_equal(suite_step_kind_name(st->kind), "run");
	assert_string_equal(st->run, "sudo killall irqbalance ${opts} ${target} $${HOME} "
				     "${vm1.user}@${vm1.host}:${vm1.port}");
	assert_null(st->manual);
	assert_true(st->expect.has_exit);
	assert_int_equal(st->expect.exit_status, 1);
	assert_int_equal(st->expect.match->len, 2);
	assert_string_equal(str_at(st->expect.match, 0), "killed");
	assert_string_equal(str_at(st->expect.match, 1), "^done$");
	assert_int_equal(st->expect.no_match->len, 1);
	assert_string_equal(str_at(st->expect.no_match, 0), "error");
	assert_false(st->expect.timeout);
	assert_int_equal(st->expect.loc.line, 44);
	assert_int_equal(st->timeout_ms, 1500);
	assert_int_equal(st->on_failure, SUITE_ON_FAILURE_CONTINUE);
	assert_non_null(st->requires);
	assert_int_equal(st->requires->commands->len, 1);
	assert_string_equal(str_at(st->requires->commands, 0), "killall");
	assert_int_equal(st->requires->machines->len, 2);
	assert_string_equal(str_at(st->requires->machines, 1), "host");
	assert_int_equal(st->requires->files->len, 0);
	assert_null(st->requires->libvirt);

	st = s->steps->pdata[2];
	assert_string_equal(st->name, "sleeper");
	assert_true(st->expect.timeout);
	assert_false(st->expect.has_exit); /* expected to time out: no exit status */
	assert_int_equal(st->timeout_ms, 300);

	st = s->steps->pdata[3];
	assert_string_equal(st->run, "true");
	assert_true(st->expect.has_exit); /* a run step's default: exit 0 */
	assert_int_equal(st->expect.exit_status, 0);
	suite_free(s);
}

static void test_minimal_defaults(void **state)
{
	GError *error = NULL;
	struct suite *s = load_rel("tests/suites/good/minimal.yaml", &error);
	const struct suite_step *st;

	if (!s)
		fail_msg("%s", error->message);
	assert_string_equal(s->name, "minimal");
	assert_null(s->title);
	assert_null(s->description);
	assert_null(s->requires);
	assert_int_equal(s->timeout_ms, SUITE_DEFAULT_TIMEOUT_MS);
	assert_int_equal(s->machines->len, 1);
	assert_string_equal(((struct suite_machine *)s->machines->pdata[0])->name, "host");
	assert_true(((struct suite_machine *)s->machines->pdata[0])->local);
	assert_int_equal(s->vars->len, 0);
	assert_int_equal(s->panes->len, 0);
	assert_int_equal(s->steps->len, 1);
	st = s->steps->pdata[0];
	assert_string_equal(st->on, "host");
	assert_true(st->expect.has_exit);
	assert_int_equal(st->expect.exit_status, 0);
	assert_int_equal(st->on_failure, SUITE_ON_FAILURE_STOP);
	suite_free(s);
}

static void test_every_good_suite_loads(void **state)
{
	g_autofree char *dir_path = srcdir_path("tests/suites/good");
	g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
	const char *name;
	guint n = 0;

	assert_non_null(dir);
	while ((name = g_dir_read_name(dir))) {
		g_autofree char *rel = g_strconcat("tests/suites/good/", name, NULL);
		g_autofree char *path = srcdir_path(rel);
		GError *error = NULL;
		struct suite *s;

		if (!g_str_has_suffix(name, ".yaml"))
			continue;
		s = suite_load_file(path, &error);
		if (!s)
			fail_msg("%s", error->message);
		suite_free(s);
		n++;
	}
	assert_true(n >= 2);
}

static void test_host_declared_later_is_first(void **state)
{
	struct suite *s = load_ok("suite: s\n"
				  "machines:\n"
				  "  vm1: {domain: d}\n"
				  "  host: {local: true, console: tty0}\n"
				  "steps:\n"
				  "  - {name: a, run: echo, on: vm1}\n");

	assert_int_equal(s->machines->len, 2);
	assert_string_equal(((struct suite_machine *)s->machines->pdata[0])->name, "host");
	assert_string_equal(((struct suite_machine *)s->machines->pdata[0])->console, "tty0");
	assert_string_equal(((struct suite_machine *)s->machines->pdata[1])->name, "vm1");
	suite_free(s);
}

static void test_scalars_and_tags(void **state)
{
	struct suite *s = load_ok("suite: s\n"
				  "vars:\n"
				  "  a: 8080\n"
				  "  b: ''\n"
				  "  c: ~\n"
				  "  d: !!str null\n"
				  "  e: 'null'\n"
				  "steps:\n"
				  "  - name: a\n"
				  "    run: !!str echo\n"
				  "    expect: {exit: '3'}\n");

	assert_string_equal(suite_find_var(s, "a")->value, "8080");
	assert_string_equal(suite_find_var(s, "b")->value, "");
	assert_null(suite_find_var(s, "c")->value);
	assert_string_equal(suite_find_var(s, "d")->value, "null");
	assert_string_equal(suite_find_var(s, "e")->value, "null");
	assert_int_equal(((struct suite_step *)s->steps->pdata[0])->expect.exit_status, 3);
	suite_free(s);
}

/* ---- durations ---- */

static void test_durations(void **state)
{
	assert_int_equal(suite_parse_duration_ms("300ms"), 300);
	assert_int_equal(suite_parse_duration_ms("30s"), 30000);
	assert_int_equal(suite_parse_duration_ms("2m"), 120000);
	assert_int_equal(suite_parse_duration_ms("1h"), 3600000);
	assert_int_equal(suite_parse_duration_ms("1.5s"), 1500);
	assert_int_equal(suite_parse_duration_ms("1.5"), 1500);
	assert_int_equal(suite_parse_duration_ms("45"), 45000);
	assert_int_equal(suite_parse_duration_ms("0.25m"), 15000);
	assert_int_equal(suite_parse_duration_ms("0"), 0);
	assert_int_equal(suite_parse_duration_ms("0.0015s"), 2);
	assert_int_equal(suite_parse_duration_ms(""), -1);
	assert_int_equal(suite_parse_duration_ms("s"), -1);
	assert_int_equal(suite_parse_duration_ms("-1s"), -1);
	assert_int_equal(suite_parse_duration_ms("1.s"), -1);
	assert_int_equal(suite_parse_duration_ms(".5s"), 500);
	assert_int_equal(suite_parse_duration_ms("5 s"), -1);
	assert_int_equal(suite_parse_duration_ms("5d"), -1);
	assert_int_equal(suite_parse_duration_ms("1e3"), -1);
	assert_int_equal(suite_parse_duration_ms("9999999999h"), -1);
	assert_int_equal(suite_parse_duration_ms("999999999h"), 999999999LL * 3600000);
	assert_int_equal(suite_parse_duration_ms(NULL), -1);
}

/* ---- the bad corpus: tests/suites/bad/NAME.yaml with the exact message in NAME.err ---- */

static void test_bad_corpus(void **state)
{
	g_autofree char *dir_path = srcdir_path("tests/suites/bad");
	g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
	g_autoptr(GString) failures = g_string_new(NULL);
	const char *name;
	guint n = 0;

	assert_non_null(dir);
	while ((name = g_dir_read_name(dir))) {
		g_autofree char *rel = NULL, *err_path = NULL, *expected = NULL, *got = NULL;
		g_autofree char *base = NULL;
		GError *error = NULL;
		struct suite *s;

		if (!g_str_has_suffix(name, ".yaml"))
			continue;
		n++;
		base = g_strndup(name, strlen(name) - 5);
		rel = g_strconcat("tests/suites/bad/", name, NULL);
		err_path = g_strconcat(dir_path, "/", base, ".err", NULL);
		if (!g_file_get_contents(err_path, &expected, NULL, NULL)) {
			g_string_append_printf(failures, "%s: no %s.err\n", name, base);
			continue;
		}
		s = load_rel(rel, &error);
		if (s) {
			g_string_append_printf(failures, "%s: loaded without an error\n", name);
			suite_free(s);
			continue;
		}
		if (!g_error_matches(error, SUITE_ERROR, SUITE_ERROR_INVALID))
			g_string_append_printf(failures, "%s: wrong error code %d\n", name, error->code);
		got = g_strconcat(error->message, "\n", NULL);
		if (strcmp(got, expected) != 0)
			g_string_append_printf(failures, "%s:\n--- expected\n%s--- got\n%s", name, expected, got);
		g_error_free(error);
	}
	if (failures->len)
		fail_msg("%s", failures->str);
	assert_true(n >= 35);
}

/* suite_load_file() names the path as given, the same as suite_load_data() with that name. */
static void test_load_file_names_path(void **state)
{
	g_autofree char *path = srcdir_path("tests/suites/bad/undefined-machine.yaml");
	GError *error = NULL;
	g_autofree char *expected = NULL;

	assert_null(suite_load_file(path, &error));
	assert_true(g_error_matches(error, SUITE_ERROR, SUITE_ERROR_INVALID));
	expected = g_strdup_printf("%s:6:9: undefined machine 'vm2' in 'on' (did you mean 'vm1'?)\n"
				   "%s:9:9: undefined machine 'guest' in 'on' (declare it under 'machines')",
				   path, path);
	assert_string_equal(error->message, expected);
	g_clear_error(&error);

	assert_null(suite_load_file("/nonexistent/x.yaml", &error));
	assert_true(g_error_matches(error, SUITE_ERROR, SUITE_ERROR_IO));
	assert_string_equal(error->message, "/nonexistent/x.yaml: cannot open: No such file or directory");
	g_clear_error(&error);

	assert_null(suite_load_file("/", &error));
	assert_true(g_error_matches(error, SUITE_ERROR, SUITE_ERROR_IO));
	assert_string_equal(error->message, "/: is a directory, not a suite file");
	g_clear_error(&error);
}

/* ---- limits and bytes ---- */

static void test_too_large(void **state)
{
	gsize len = SUITE_MAX_BYTES + 1;
	g_autofree char *data = g_malloc(len);
	g_autofree char *dir = NULL, *path = NULL, *expected = NULL;
	GError *error = NULL;

	/* valid YAML all along: only the size is wrong */
	memset(data, ' ', len);
	memcpy(data, "suite: s\n#", 10);
	assert_error(data, len, "t.yaml: the file is larger than 8388608 bytes (8 MiB): not a suite file");

	/* from a file: refused from its size, before reading */
	dir = g_dir_make_tmp("test_suite-XXXXXX", NULL);
	assert_non_null(dir);
	path = g_build_filename(dir, "big.yaml", NULL);
	assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	assert_null(suite_load_file(path, &error));
	assert_true(g_error_matches(error, SUITE_ERROR, SUITE_ERROR_INVALID));
	expected = g_strdup_printf("%s: the file is larger than 8388608 bytes (8 MiB): not a suite file", path);
	assert_string_equal(error->message, expected);
	g_clear_error(&error);
	/* exactly 8 MiB is read (and is valid apart from lacking steps) */
	assert_true(g_file_set_contents(path, data, (gssize)len - 1, NULL));
	assert_null(suite_load_file(path, &error));
	g_free(expected);
	expected = g_strdup_printf("%s:1:1: missing 'steps' (a list of steps)", path);
	assert_string_equal(error->message, expected);
	g_clear_error(&error);
	g_unlink(path);
	g_rmdir(dir);
}

static char *nested(guint depth)
{
	GString *s = g_string_new("suite: s\nsteps: [{name: a, run: echo}]\nvars:\n  x: ");
	guint i;

	/* the top mapping is level 1 and "vars" level 2 */
	for (i = 0; i < depth - 2; i++)
		g_string_append_c(s, '[');
	for (i = 0; i < depth - 2; i++)
		g_string_append_c(s, ']');
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static void test_depth(void **state)
{
	g_autofree char *deep = nested(SUITE_MAX_DEPTH + 1);
	g_autofree char *ok = nested(SUITE_MAX_DEPTH);

	assert_text_error(deep, "t.yaml:4:68: nesting deeper than 64 levels");
	/* 64 levels parse; the schema then refuses the value */
	assert_text_error(ok, "t.yaml:4:6: variable 'x' must be a value or a mapping (value, secret, raw, "
			      "description), not a list");
}

static void test_nul_byte(void **state)
{
	static const char data[] = "suite: s\nsteps:\n  - {name: a\0, run: echo}\n";

	assert_error(data, sizeof(data) - 1, "t.yaml:3:13: NUL byte: a suite file must be UTF-8 text");
}

static void test_invalid_utf8(void **state)
{
	static const char data[] = "suite: s\ntitle: caf\xc3\xa9 \xc3\xa9t\xe9\nsteps: []\n";
	static const char bom[] = "\xef\xbb\xbfsuite: s\n\xff";
	static const char utf16[] = "\xff\xfes\0u\0";

	assert_error(data, sizeof(data) - 1,
		     "t.yaml:2:15: invalid UTF-8 (byte 0xe9): a suite file must be UTF-8 text");
	assert_error(bom, sizeof(bom) - 1, "t.yaml:2:1: invalid UTF-8 (byte 0xff): a suite file must be UTF-8 text");
	assert_error(utf16, sizeof(utf16) - 1,
		     "t.yaml:1:1: invalid UTF-8 (byte 0xff): a suite file must be UTF-8 text");
}

static void test_empty_inputs(void **state)
{
	static const char *const empties[] = { "", "\n\n", "# only\n", "---\n", "---\n...\n", "~\n", "\xef\xbb\xbf" };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(empties); i++)
		assert_text_error(empties[i], "t.yaml:1:1: the file is empty: a suite needs at least 'suite' and 'steps'");
	assert_error(NULL, 0, "t.yaml:1:1: the file is empty: a suite needs at least 'suite' and 'steps'");
}

/* Columns of references are right with CRLF, tabs in values, multi-byte characters and blocks. */
static void test_reference_columns(void **state)
{
	assert_text_error("suite: s\r\nsteps:\r\n  - {name: a, run: \"é ${x}\"}\r\n",
			  "t.yaml:3:23: undefined variable 'x' (declare it under 'vars', or write $${x} to leave it "
			  "to the shell)");
	assert_text_error("suite: s\nvars: {ab: 1}\nsteps:\n  - name: a\n    run: >\n      one $${b}\n"
			  "      two ${ab} ${b}\n",
			  "t.yaml:7:17: undefined variable 'b' (did you mean 'ab'?)");
	assert_text_error("suite: s\nsteps:\n  - name: a\n    run: 'it''s ${bad ref}'\n",
			  "t.yaml:4:17: malformed reference '${bad ref}' (use ${name}, ${env.NAME} or "
			  "${machine.field})");
}

static void test_problem_cap(void **state)
{
	GString *s = g_string_new("suite: s\nsteps:\n");
	GError *error = NULL;
	g_auto(GStrv) lines = NULL;
	guint i;

	for (i = 0; i < 70; i++)
		g_string_append_printf(s, "  - {name: n%u, rn: x}\n", i);
	assert_null(suite_load_data(s->str, s->len, "t.yaml", &error));
	lines = g_strsplit(error->message, "\n", -1);
	/* two problems per step: the unknown key and the missing action */
	assert_int_equal(g_strv_length(lines), SUITE_MAX_PROBLEMS + 1);
	assert_string_equal(lines[0], "t.yaml:3:5: step 1 has no action: give it 'run', 'manual', 'send', 'action' or 'wait'");
	assert_string_equal(lines[1], "t.yaml:3:16: unknown key 'rn' in step (did you mean 'run'?)");
	assert_string_equal(lines[SUITE_MAX_PROBLEMS], "... and 90 more problems");
	g_error_free(error);
	g_string_free(s, TRUE);
}

static void test_many_nodes(void **state)
{
	GString *s = g_string_new("suite: s\nsteps: [{name: a, run: echo}]\nvars: {x: [");
	guint i;

	for (i = 0; i < 210000; i++)
		g_string_append(s, "1,");
	g_string_append(s, "1]}\n");
	assert_error(s->str, s->len, "t.yaml:3:399984: more than 200000 YAML nodes: this is not a suite file");
	g_string_free(s, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_every_good_suite_loads),
		cmocka_unit_test(test_host_declared_later_is_first),
		cmocka_unit_test(test_scalars_and_tags),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_load_file_names_path),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_reference_columns),
		cmocka_unit_test(test_problem_cap),
		cmocka_unit_test(test_step_kinds),
		cmocka_unit_test(test_many_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
