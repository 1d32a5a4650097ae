/* tests/test_vars.c - variables: shell quoting checked by a real shell, raw, env, machine fields, secrets, errors. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suite.h"
#include "vars.h"

static const char suite_text[] =
	"suite: vars-test\n"
	"machines:\n"
	"  vm1: {domain: ubuntu-vm1, uri: 'qemu:///system', ssh: 'ubuntu@vm1.example:2222', console: serial0}\n"
	"  vm2: {ssh: 'root@[fe80::1]'}\n"
	"  vm3: {ssh: '${login}@${env.VARS_TEST_HOST}'}\n"
	"  vm4: {domain: d4}\n"
	"vars:\n"
	"  word: hello\n"
	"  spaced: hello world\n"
	"  empty: ''\n"
	"  unset:\n"
	"  login: admin\n"
	"  opts: {value: '-a -b \"c d\"', raw: true}\n"
	"  pw: {value: 's3cr3t pass', secret: true}\n"
	"  token: {value: \"it's\", secret: true}\n"
	"steps:\n"
	"  - {name: a, run: echo}\n";

struct fixture {
	struct suite *suite;
	struct vars *vars;
};

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	GError *error = NULL;

	f->suite = suite_load_data(suite_text, strlen(suite_text), "vars.yaml", &error);
	if (!f->suite)
		fail_msg("%s", error->message);
	f->vars = vars_new(f->suite);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vars_free(f->vars);
	suite_free(f->suite);
	g_free(f);
	return 0;
}

static char *expand_ok(struct vars *vars, const char *text, enum vars_mode mode)
{
	GError *error = NULL;
	char *out = vars_expand(vars, text, mode, &error);

	if (!out)
		fail_msg("expanding '%s': %s", text, error->message);
	return out;
}

static void expect_error(struct vars *vars, const char *text, int code, const char *message)
{
	GError *error = NULL;

	assert_null(vars_expand(vars, text, VARS_SHELL, &error));
	assert_true(g_error_matches(error, VARS_ERROR, code));
	assert_string_equal(error->message, message);
	g_error_free(error);
}

/* What /bin/sh prints for "printf %s WORD": the shell's reading of a quoted word. */
static char *shell_printf(const char *word)
{
	g_autofree char *cmd = g_strconcat("printf %s ", word, NULL);
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	GError *error = NULL;
	char *out = NULL;
	int status = 0;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error))
		fail_msg("spawn: %s", error->message);
	assert_true(g_spawn_check_wait_status(status, NULL));
	return out;
}

static void test_quoting_through_the_shell(void **state)
{
	static const char *const values[] = {
		"hello", "hello world", "", "it's", "'", "''", "a'b'c", "$HOME", "${HOME}", "`id`", "$(id)",
		"line1\nline2", "tab\there", "\"double\"", "back\\slash", "*", "?", "~", "a;b", "a|b&c",
		"-n", "é ü", "!bang", "#hash", "x=y", "trailing ", " leading",
	};
	struct fixture *f = *state;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(values); i++) {
		g_autofree char *expanded = NULL, *printed = NULL;
		g_auto(GStrv) argv = NULL;
		int argc = 0;

		assert_true(vars_set(f->vars, "word", values[i], NULL));
		expanded = expand_ok(f->vars, "printf %s ${word}", VARS_SHELL);
		/* one shell word, exactly the value */
		assert_true(g_shell_parse_argv(expanded, &argc, &argv, NULL));
		assert_int_equal(argc, 3);
		assert_string_equal(argv[2], values[i]);
		printed = shell_printf(expanded + strlen("printf %s "));
		assert_string_equal(printed, values[i]);
	}
}

static void test_quoting_forms(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "hello", "hello" },
		{ "a-b_c.d/e:f,g=h+i@j%k", "a-b_c.d/e:f,g=h+i@j%k" },
		{ "", "''" },
		{ "hello world", "'hello world'" },
		{ "it's", "'it'\\''s'" },
		{ "$x", "'$x'" },
		{ "a\nb", "'a\nb'" },
		{ "é", "'é'" },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *q = vars_shell_quote(cases[i].in);

		assert_string_equal(q, cases[i].out);
	}
}

static void test_expand_forms(void **state)
{
	struct fixture *f = *state;
	g_autofree char *a = expand_ok(f->vars, "echo ${word} ${spaced} [${empty}]", VARS_SHELL);
	g_autofree char *b = expand_ok(f->vars, "echo ${word} ${spaced} [${empty}]", VARS_RAW);
	g_autofree char *c = expand_ok(f->vars, "cmd ${opts} x", VARS_SHELL);
	g_autofree char *d = expand_ok(f->vars, "echo $${word} $$HOME $HOME ${word}$", VARS_SHELL);
	g_autofree char *e = expand_ok(f->vars, "no references at all", VARS_SHELL);

	assert_string_equal(a, "echo hello 'hello world' ['']");
	assert_string_equal(b, "echo hello hello world []");
	assert_string_equal(c, "cmd -a -b \"c d\" x"); /* raw: as written */
	assert_string_equal(d, "echo ${word} $$HOME $HOME hello$");
	assert_string_equal(e, "no references at all");
}

static void test_set_and_assign(void **state)
{
	struct fixture *f = *state;
	GError *error = NULL;
	g_autofree char *a = NULL, *b = NULL;

	expect_error(f->vars, "x ${unset}", VARS_ERROR_UNSET,
		     "'${unset}': variable 'unset' has no value (give it with --var unset=VALUE)");
	assert_true(vars_assign(f->vars, "unset=a=b c", &error));
	a = expand_ok(f->vars, "x ${unset}", VARS_SHELL);
	assert_string_equal(a, "x 'a=b c'");
	assert_true(vars_assign(f->vars, "unset=", &error));
	b = expand_ok(f->vars, "x ${unset}", VARS_SHELL);
	assert_string_equal(b, "x ''");

	assert_false(vars_assign(f->vars, "wrod=1", &error));
	assert_true(g_error_matches(error, VARS_ERROR, VARS_ERROR_UNDEFINED));
	assert_string_equal(error->message, "variable 'wrod' is not declared in the suite's 'vars' (did you mean 'word'?)");
	g_clear_error(&error);
	assert_false(vars_assign(f->vars, "zzzzzz=1", &error));
	assert_string_equal(error->message, "variable 'zzzzzz' is not declared in the suite's 'vars'");
	g_clear_error(&error);
	assert_false(vars_assign(f->vars, "word", &error));
	assert_true(g_error_matches(error, VARS_ERROR, VARS_ERROR_SYNTAX));
	assert_string_equal(error->message, "expected NAME=VALUE, not 'word'");
	g_clear_error(&error);
	assert_false(vars_assign(f->vars, "=x", &error));
	assert_true(g_error_matches(error, VARS_ERROR, VARS_ERROR_SYNTAX));
	g_clear_error(&error);
	assert_false(vars_set(f->vars, "nope", "1", &error));
	assert_true(g_error_matches(error, VARS_ERROR, VARS_ERROR_UNDEFINED));
	g_clear_error(&error);
}

static void test_env(void **state)
{
	struct fixture *f = *state;
	g_autofree char *a = NULL, *b = NULL;

	g_setenv("VARS_TEST_VALUE", "two words", TRUE);
	a = expand_ok(f->vars, "echo ${env.VARS_TEST_VALUE}", VARS_SHELL);
	assert_string_equal(a, "echo 'two words'");
	b = expand_ok(f->vars, "${env.VARS_TEST_VALUE}", VARS_RAW);
	assert_string_equal(b, "two words");
	g_unsetenv("VARS_TEST_UNSET");
	expect_error(f->vars, "echo ${env.VARS_TEST_UNSET}", VARS_ERROR_UNDEFINED,
		     "'${env.VARS_TEST_UNSET}': environment variable 'VARS_TEST_UNSET' is not set");
}

static void test_machine_fields(void **state)
{
	static const struct {
		const char *ref, *value;
	} cases[] = {
		{ "${vm1.name}", "vm1" },
		{ "${vm1.domain}", "ubuntu-vm1" },
		{ "${vm1.uri}", "qemu:///system" },
		{ "${vm1.ssh}", "ubuntu@vm1.example:2222" },
		{ "${vm1.user}", "ubuntu" },
		{ "${vm1.host}", "vm1.example" },
		{ "${vm1.port}", "2222" },
		{ "${vm1.console}", "serial0" },
		{ "${vm2.user}", "root" },
		{ "${vm2.host}", "fe80::1" },
		{ "${vm2.port}", "22" },
		{ "${vm3.ssh}", "admin@guest3" }, /* a machine's fields expand their own references */
		{ "${vm3.user}", "admin" },
		{ "${vm3.host}", "guest3" },
		{ "${host.name}", "host" },
	};
	struct fixture *f = *state;
	gsize i;

	g_setenv("VARS_TEST_HOST", "guest3", TRUE);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *v = expand_ok(f->vars, cases[i].ref, VARS_RAW);

		assert_string_equal(v, cases[i].value);
	}
	expect_error(f->vars, "${vm4.ssh}", VARS_ERROR_UNDEFINED, "'${vm4.ssh}': machine 'vm4' has no 'ssh'");
	expect_error(f->vars, "${vm4.port}", VARS_ERROR_UNDEFINED, "'${vm4.port}': machine 'vm4' has no 'ssh'");
	expect_error(f->vars, "${host.console}", VARS_ERROR_UNDEFINED,
		     "'${host.console}': machine 'host' has no 'console'");
	expect_error(f->vars, "${vm9.ssh}", VARS_ERROR_UNDEFINED, "'${vm9.ssh}': no machine 'vm9' in the suite");
	expect_error(f->vars, "${vm1.bogus}", VARS_ERROR_UNDEFINED,
		     "'${vm1.bogus}': machines have no field 'bogus' (fields: name, domain, uri, ssh, user, host, "
		     "port, console)");
	g_setenv("VARS_TEST_HOST", "bad host", TRUE);
	expect_error(f->vars, "${vm3.host}", VARS_ERROR_SYNTAX,
		     "'${vm3.host}': machine 'vm3' has ssh 'admin@bad host', not user@host[:port]");
	g_unsetenv("VARS_TEST_HOST");
	expect_error(f->vars, "${vm3.ssh}", VARS_ERROR_UNDEFINED,
		     "'${env.VARS_TEST_HOST}': environment variable 'VARS_TEST_HOST' is not set");
}

static void test_ssh_split(void **state)
{
	g_autofree char *user = NULL, *host = NULL;
	guint port = 0;

	assert_true(vars_ssh_split("u@h", &user, &host, &port));
	assert_string_equal(user, "u");
	assert_string_equal(host, "h");
	assert_int_equal(port, 22);
	assert_true(vars_ssh_split("u.x-y@10.0.0.1:65535", NULL, NULL, &port));
	assert_int_equal(port, 65535);
	assert_true(vars_ssh_split("u@[::1]:2", NULL, NULL, NULL));
	assert_false(vars_ssh_split("h", NULL, NULL, NULL));
	assert_false(vars_ssh_split("@h", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@h:0", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@h:65536", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@h:", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@h:2x", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@[::1", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@[::1]x", NULL, NULL, NULL));
	assert_false(vars_ssh_split("-oProxyCommand=x@h", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u@-h", NULL, NULL, NULL));
	assert_false(vars_ssh_split("u v@h", NULL, NULL, NULL));
}

static void test_secrets(void **state)
{
	struct fixture *f = *state;
	const GPtrArray *secrets = vars_secret_values(f->vars);
	g_autofree char *cmd = NULL, *masked = NULL, *masked_cmd = NULL, *plain = NULL, *again = NULL;
	g_autoptr(GHashTable) table = NULL;
	guint i;
	gboolean seen_pw = FALSE, seen_quoted = FALSE;

	for (i = 0; i < secrets->len; i++) {
		seen_pw |= strcmp(secrets->pdata[i], "s3cr3t pass") == 0;
		seen_quoted |= strcmp(secrets->pdata[i], "'it'\\''s'") == 0;
	}
	assert_true(seen_pw);
	assert_true(seen_quoted);

	masked = vars_mask(f->vars, "login s3cr3t pass; again s3cr3t pass; token it's; s3cr3t alone");
	assert_string_equal(masked, "login ********; again ********; token ********; s3cr3t alone");
	/* the shell-quoted forms that commands carry are masked too */
	cmd = expand_ok(f->vars, "login ${pw} ${token}", VARS_SHELL);
	assert_string_equal(cmd, "login 's3cr3t pass' 'it'\\''s'");
	masked_cmd = vars_mask(f->vars, cmd);
	assert_string_equal(masked_cmd, "login ******** ********");
	plain = vars_mask(f->vars, "nothing secret here");
	assert_string_equal(plain, "nothing secret here");

	/* a new value replaces the old one in the masks; an empty secret masks nothing */
	assert_true(vars_set(f->vars, "pw", "newpass", NULL));
	assert_true(vars_set(f->vars, "token", "", NULL));
	again = vars_mask(f->vars, "newpass s3cr3t pass it's");
	assert_string_equal(again, "******** s3cr3t pass it's");
	assert_int_equal(vars_secret_values(f->vars)->len, 1);

	table = vars_public_table(f->vars);
	assert_string_equal(g_hash_table_lookup(table, "word"), "hello");
	assert_string_equal(g_hash_table_lookup(table, "opts"), "-a -b \"c d\"");
	assert_string_equal(g_hash_table_lookup(table, "empty"), "");
	assert_false(g_hash_table_contains(table, "pw"));
	assert_false(g_hash_table_contains(table, "token"));
	assert_false(g_hash_table_contains(table, "unset"));
	assert_int_equal(g_hash_table_size(table), 5);
}

static void test_expand_errors(void **state)
{
	struct fixture *f = *state;

	expect_error(f->vars, "echo ${wrd}", VARS_ERROR_UNDEFINED,
		     "'${wrd}': no variable 'wrd' in the suite (did you mean 'word'?)");
	expect_error(f->vars, "echo ${", VARS_ERROR_SYNTAX, "unterminated reference '${' (no closing '}')");
	expect_error(f->vars, "echo ${}", VARS_ERROR_SYNTAX, "empty reference '${}'");
	expect_error(f->vars, "echo ${a b}", VARS_ERROR_SYNTAX,
		     "malformed reference '${a b}' (use ${name}, ${env.NAME} or ${machine.field})");
	expect_error(f->vars, "echo ${word\n}", VARS_ERROR_SYNTAX,
		     "unterminated reference '${word' (no closing '}')");
	expect_error(f->vars, "${env.}", VARS_ERROR_SYNTAX,
		     "malformed reference '${env.}' (use ${name}, ${env.NAME} or ${machine.field})");
}

struct seen {
	GString *log;
};

static void on_ref(const char *ref, gsize offset, void *user_data)
{
	struct seen *s = user_data;

	g_string_append_printf(s->log, "%s@%" G_GSIZE_FORMAT " ", ref, offset);
}

static void test_scan(void **state)
{
	struct seen s = { g_string_new(NULL) };
	GError *error = NULL;
	gsize bad = 0;

	assert_true(vars_scan("a ${x} $${y} ${env.HOME}${vm-1.ssh} $z", on_ref, &s, &error));
	assert_string_equal(s.log->str, "x@2 env.HOME@13 vm-1.ssh@24 ");
	g_string_truncate(s.log, 0);
	assert_false(vars_scan("ok ${a} then ${b c}", on_ref, &s, &error));
	assert_string_equal(s.log->str, "a@3 ");
	assert_true(g_error_matches(error, VARS_ERROR, VARS_ERROR_SYNTAX));
	assert_string_equal(error->message,
			    "malformed reference '${b c}' (use ${name}, ${env.NAME} or ${machine.field}) at byte 13");
	g_clear_error(&error);
	assert_false(vars_scan_at("xx ${", NULL, NULL, &bad, &error));
	assert_int_equal(bad, 3);
	assert_string_equal(error->message, "unterminated reference '${' (no closing '}')");
	g_clear_error(&error);
	g_string_free(s.log, TRUE);
}

static void test_without_suite(void **state)
{
	struct vars *vars = vars_new(NULL);
	GError *error = NULL;
	g_autofree char *out = NULL;

	out = vars_expand(vars, "plain $${x}", VARS_SHELL, &error);
	assert_string_equal(out, "plain ${x}");
	assert_null(vars_expand(vars, "${vm1.ssh}", VARS_SHELL, &error));
	assert_true(g_error_matches(error, VARS_ERROR, VARS_ERROR_UNDEFINED));
	g_clear_error(&error);
	assert_int_equal(vars_secret_values(vars)->len, 0);
	vars_free(vars);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quoting_through_the_shell, setup, teardown),
		cmocka_unit_test(test_quoting_forms),
		cmocka_unit_test_setup_teardown(test_expand_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_and_assign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_fields, setup, teardown),
		cmocka_unit_test(test_ssh_split),
		cmocka_unit_test_setup_teardown(test_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expand_errors, setup, teardown),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_without_suite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
