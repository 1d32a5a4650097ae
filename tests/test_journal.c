/* test_journal.c - cmocka tests of the session journal: records, clocks, secrets, UTF-8, crashes, reading. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "journal.h"

/* A fresh temporary directory per test, removed afterwards. */
static int setup_dir(void **state)
{
	*state = g_dir_make_tmp("virtcon-journal-XXXXXX", NULL);
	return *state ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char *dir = *state;
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_unlink(path);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
	g_free(dir);
	return 0;
}

static char *path_in(void **state, const char *name)
{
	return g_build_filename((const char *)*state, name, NULL);
}

static char *read_all(const char *path, gsize *len)
{
	char *data = NULL;
	assert_true(g_file_get_contents(path, &data, len, NULL));
	return data;
}

/* Every line of the file, parsed: a GPtrArray of JsonNode (each must parse as an object).
 * With torn_ok, a last fragment without its newline is dropped: SIGKILL can cut a write(2)
 * that crosses a page of the file (the kernel checks for fatal signals page by page). */
static GPtrArray *parse_lines_full(const char *path, gboolean torn_ok)
{
	gsize len = 0;
	g_autofree char *data = read_all(path, &len);
	assert_true(len > 0);
	if (torn_ok && data[len - 1] != '\n') {
		while (len > 0 && data[len - 1] != '\n')
			len--;
		assert_true(len > 0);
		data[len] = '\0';
	}
	assert_int_equal(data[len - 1], '\n');
	GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		if (!lines[i][0]) {
			assert_null(lines[i + 1]); /* only after the final newline */
			break;
		}
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autoptr(GError) error = NULL;
		if (!json_parser_load_from_data(parser, lines[i], -1, &error))
			fail_msg("line %u does not parse: %s: %s", i + 1, error->message, lines[i]);
		JsonNode *root = json_parser_get_root(parser);
		assert_true(JSON_NODE_HOLDS_OBJECT(root));
		g_ptr_array_add(records, json_node_ref(root));
	}
	return records;
}

static GPtrArray *parse_lines(const char *path)
{
	return parse_lines_full(path, FALSE);
}

static const char *rec_str(GPtrArray *records, guint i, const char *member)
{
	JsonObject *obj = json_node_get_object(records->pdata[i]);
	return json_object_get_string_member_with_default(obj, member, NULL);
}

static struct journal *open_journal(const char *path)
{
	g_autoptr(GError) error = NULL;
	struct journal *journal = journal_open(path, &error);
	assert_non_null(journal);
	assert_null(error);
	return journal;
}

static struct journal_log *read_ok(const char *path)
{
	g_autoptr(GError) error = NULL;
	struct journal_log *log = journal_read(path, &error);
	if (!log)
		fail_msg("journal_read: %s", error->message);
	return log;
}

static struct journal_step *log_step(struct journal_log *log, guint i)
{
	assert_true(i < log->steps->len);
	return log->steps->pdata[i];
}

/* ---- writing ---- */

static void test_records_parse_back(void **state)
{
	g_autofree char *path = path_in(state, "j.jsonl");
	struct journal *j = open_journal(path);
	assert_string_equal(journal_path(j), path);
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_insert(vars, g_strdup("rk"), g_strdup("mcrkmod"));
	g_hash_table_insert(vars, g_strdup("quote"), g_strdup("a \"b\"\n\tc\\"));
	journal_session_start(j, "suites/x.yaml", "x", "The X suite", 2, vars);
	journal_step_start(j, 0, "first", "host", "run", "echo hi");
	journal_output(j, 0, "pty", "hi\r\n", 4);
	journal_input(j, 0, "keys", "q");
	journal_input(j, 0, "edit", "echo bye");
	journal_sample(j, 0, "interrupts", "{\n \"cpu\": [1, 2, 3]\n}");
	journal_sample(j, -1, "migration", "not json {");
	journal_verdict(j, 0, "pass", "looks right");
	journal_note(j, 0, "a note");
	journal_step_end(j, 0, "pass", 0, NULL, 1234);
	journal_session_end(j, "pass", 1, 0, 0, 0, 0);
	assert_null(journal_error(j));
	journal_close(j);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	g_autoptr(GPtrArray) records = parse_lines(path);
	const char *types[] = { "session", "step-start", "output", "input", "input", "sample", "sample",
				"verdict", "note", "step-end", "session-end" };
	assert_int_equal(records->len, G_N_ELEMENTS(types));
	g_autoptr(GRegex) iso = g_regex_new("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z$", 0, 0, NULL);
	gint64 last_mono = -1;
	for (guint i = 0; i < records->len; i++) {
		JsonObject *obj = json_node_get_object(records->pdata[i]);
		assert_string_equal(rec_str(records, i, "type"), types[i]);
		assert_true(g_regex_match(iso, rec_str(records, i, "wall"), 0, NULL));
		assert_true(json_object_has_member(obj, "mono_us"));
		gint64 mono = json_object_get_int_member(obj, "mono_us");
		assert_true(mono >= 0);
		assert_true(mono >= last_mono);
		last_mono = mono;
	}
	JsonObject *session = json_node_get_object(records->pdata[0]);
	assert_string_equal(rec_str(records, 0, "suite_file"), "suites/x.yaml");
	assert_string_equal(rec_str(records, 0, "suite"), "x");
	assert_string_equal(rec_str(records, 0, "title"), "The X suite");
	assert_string_equal(rec_str(records, 0, "version"), PACKAGE_VERSION);
	assert_string_equal(rec_str(records, 0, "hostname"), g_get_host_name());
	assert_int_equal(json_object_get_int_member(session, "pid"), getpid());
	assert_int_equal(json_object_get_int_member(session, "n_steps"), 2);
	JsonObject *v = json_object_get_object_member(session, "vars");
	assert_string_equal(json_object_get_string_member(v, "quote"), "a \"b\"\n\tc\\");
	assert_string_equal(json_object_get_string_member(v, "rk"), "mcrkmod");
	/* a JSON sample is embedded as an object; text that is not JSON is kept as text */
	JsonObject *sample = json_node_get_object(records->pdata[5]);
	assert_int_equal(json_array_get_length(json_object_get_array_member(
				 json_object_get_object_member(sample, "data"), "cpu")),
			 3);
	assert_string_equal(rec_str(records, 6, "data_text"), "not json {");
	assert_false(json_object_has_member(json_node_get_object(records->pdata[6]), "step"));
	JsonObject *end = json_node_get_object(records->pdata[9]);
	assert_int_equal(json_object_get_int_member(end, "exit"), 0);
	assert_int_equal(json_object_get_int_member(end, "duration_us"), 1234);

	g_autoptr(journal_log) log = read_ok(path);
	assert_true(log->complete);
	assert_int_equal(log->bad_lines, 0);
	assert_string_equal(log->result, "pass");
	assert_int_equal(log->n_steps, 2);
	assert_int_equal(log->steps->len, 2);
	struct journal_step *s0 = log_step(log, 0);
	assert_string_equal(s0->name, "first");
	assert_string_equal(s0->status, "pass");
	assert_string_equal(s0->command, "echo hi");
	assert_string_equal(s0->output->str, "hi\r\n");
	assert_string_equal(s0->verdict, "pass");
	assert_string_equal(s0->verdict_note, "looks right");
	assert_int_equal(s0->notes->len, 1);
	assert_int_equal(s0->edits->len, 1);
	assert_string_equal(s0->edits->pdata[0], "echo bye");
	assert_int_equal(s0->duration_us, 1234);
	assert_true(s0->started);
	/* the second step never started: a placeholder */
	struct journal_step *s1 = log_step(log, 1);
	assert_false(s1->started);
	assert_null(s1->status);
}

/* The reference: secrets masked in the whole stream at once, leftmost match, longest on a tie. */
static GString *mask_reference(const char *s, gsize len, const char *const *secrets, guint n)
{
	GString *out = g_string_new(NULL);
	gsize pos = 0;
	while (pos < len) {
		gsize best_len = 0;
		for (guint i = 0; i < n; i++) {
			gsize l = strlen(secrets[i]);
			if (l <= len - pos && memcmp(s + pos, secrets[i], l) == 0 && l > best_len)
				best_len = l;
		}
		if (best_len) {
			g_string_append(out, "********");
			pos += best_len;
		} else {
			g_string_append_c(out, s[pos++]);
		}
	}
	return out;
}

static void assert_no_secret_in_file(const char *path, const char *const *secrets, guint n)
{
	gsize len = 0;
	g_autofree char *data = read_all(path, &len);
	for (guint i = 0; i < n; i++)
		if (memmem(data, len, secrets[i], strlen(secrets[i])))
			fail_msg("secret '%s' reached the journal", secrets[i]);
}

static void test_secrets_masked(void **state)
{
	g_autofree char *path = path_in(state, "s.jsonl");
	const char *secrets[] = { "hunter2", "pa$$" };
	struct journal *j = open_journal(path);
	journal_add_secret(j, secrets[0]);
	journal_add_secret(j, secrets[1]);
	journal_add_secret(j, "");   /* ignored */
	journal_add_secret(j, NULL); /* ignored */
	g_autoptr(GHashTable) vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_insert(vars, g_strdup("url"), g_strdup("http://u:hunter2@h/"));
	journal_session_start(j, "f.yaml", "s", "title hunter2", 1, vars);
	journal_step_start(j, 0, "login", "vm1", "run", "sshpass -p hunter2 ssh vm1 'echo pa$$'");
	/* split at every point, in two chunks */
	const char *line = "ok hunter2 and pa$$ end\n";
	gsize n = strlen(line);
	for (gsize cut = 0; cut <= n; cut++) {
		journal_output(j, 0, "pty", line, cut);
		journal_output(j, 0, "pty", line + cut, n - cut);
	}
	/* one byte at a time, and a secret at the very end, flushed by step_end */
	for (gsize i = 0; i < n; i++)
		journal_output(j, 0, "pty", line + i, 1);
	journal_output(j, 0, "pty", "tail hunte", 10);
	journal_output(j, 0, "other", "hun", 3); /* another stream has its own carry */
	journal_output(j, 0, "pty", "r2", 2);
	journal_output(j, 0, "other", "ter2!", 5);
	journal_note(j, 0, "the password is hunter2");
	journal_verdict(j, 0, "pass", "hunter2hunter2");
	journal_step_end(j, 0, "fail", 1, "printed hunter2", 1);
	journal_session_end(j, "fail", 0, 1, 0, 0, 0);
	journal_close(j);

	assert_no_secret_in_file(path, secrets, 2);
	g_autoptr(journal_log) log = read_ok(path);
	struct journal_step *s = log_step(log, 0);
	GString *expected = g_string_new(NULL);
	for (gsize cut = 0; cut <= n + 1; cut++)
		g_string_append(expected, "ok ******** and ******** end\n");
	g_string_append(expected, "tail ********");
	/* the streams interleave in the step's output: "other" was flushed at step end */
	assert_true(g_str_has_prefix(s->output->str, expected->str));
	assert_string_equal(s->output->str + expected->len, "********!");
	g_string_free(expected, TRUE);
	assert_string_equal(s->command, "sshpass -p ******** ssh vm1 'echo ********'");
	assert_string_equal(s->notes->pdata[0], "the password is ********");
	assert_string_equal(s->verdict_note, "****************");
	assert_string_equal(s->reason, "printed ********");
	assert_string_equal(log->title, "title ********");
}

/* Random streams and random chunking: the journal holds exactly the whole stream masked at once. */
static void test_secrets_random_chunks(void **state)
{
	const char *secrets[] = { "abcab", "bca", "cc", "abcd", "xyz" };
	GRand *rand = g_rand_new_with_seed(20261121);
	for (int round = 0; round < 200; round++) {
		g_autofree char *path = path_in(state, "r.jsonl");
		g_unlink(path);
		struct journal *j = open_journal(path);
		for (guint i = 0; i < G_N_ELEMENTS(secrets); i++)
			journal_add_secret(j, secrets[i]);
		journal_session_start(j, "f", "s", "t", 1, NULL);
		journal_step_start(j, 0, "n", "host", "run", "c");
		gsize len = (gsize)g_rand_int_range(rand, 0, 200);
		g_autofree char *data = g_malloc(len + 1);
		for (gsize i = 0; i < len; i++)
			data[i] = "abcdxyz\n"[g_rand_int_range(rand, 0, 8)];
		for (gsize at = 0; at < len;) {
			gsize k = (gsize)g_rand_int_range(rand, 1, 9); /* not inside MIN(): evaluated twice */
			k = MIN(len - at, k);
			journal_output(j, 0, "pty", data + at, k);
			at += k;
		}
		journal_step_end(j, 0, "pass", 0, NULL, 1);
		journal_close(j);
		g_autoptr(GString) expected = mask_reference(data, len, secrets, G_N_ELEMENTS(secrets));
		g_autoptr(journal_log) log = read_ok(path);
		if (strcmp(log_step(log, 0)->output->str, expected->str) != 0)
			fail_msg("round %d: input '%.*s'\n got '%s'\nwant '%s'", round, (int)len, data,
				 log_step(log, 0)->output->str, expected->str);
		g_unlink(path);
	}
	g_rand_free(rand);
}

static void test_invalid_utf8_round_trips(void **state)
{
	g_autofree char *path = path_in(state, "u.jsonl");
	struct journal *j = open_journal(path);
	journal_session_start(j, "f", "s", "t", 1, NULL);
	journal_step_start(j, 0, "bytes", "host", "run", "cat /dev/urandom");
	unsigned char raw[256];
	for (int i = 0; i < 256; i++)
		raw[i] = (unsigned char)i;
	journal_output(j, 0, "pty", (const char *)raw, sizeof raw);
	/* "é" and "€" split between chunks stay text (the split sequence waits for its end) */
	journal_output(j, 0, "pty", "caf\xc3", 4);
	journal_output(j, 0, "pty", "\xa9 \xe2\x82", 4);
	journal_output(j, 0, "pty", "\xac", 1);
	journal_step_end(j, 0, "pass", 0, NULL, 1);
	journal_close(j);

	g_autoptr(GPtrArray) records = parse_lines(path);
	guint b64 = 0, text = 0;
	for (guint i = 0; i < records->len; i++) {
		if (strcmp(rec_str(records, i, "type"), "output") != 0)
			continue;
		if (rec_str(records, i, "data_b64"))
			b64++;
		else if (rec_str(records, i, "data"))
			text++;
	}
	assert_int_equal(b64, 1);
	assert_int_equal(text, 3);
	g_autoptr(journal_log) log = read_ok(path);
	GString *out = log_step(log, 0)->output;
	assert_int_equal(out->len, 256 + 9);
	assert_memory_equal(out->str, raw, 256);
	assert_memory_equal(out->str + 256, "caf\xc3\xa9 \xe2\x82\xac", 9);
}

static void test_write_errors_recorded(void **state)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *missing = path_in(state, "no/such/dir/j.jsonl");
	assert_null(journal_open(missing, &error));
	assert_true(g_error_matches(error, JOURNAL_ERROR, JOURNAL_ERROR_IO));
	assert_non_null(strstr(error->message, missing));

	if (access("/dev/full", W_OK) != 0)
		skip();
	struct journal *j = open_journal("/dev/full");
	assert_null(journal_error(j));
	journal_session_start(j, "f", "s", "t", 1, NULL);
	journal_step_start(j, 0, "n", "host", "run", "c");
	journal_output(j, 0, "pty", "x", 1);
	journal_step_end(j, 0, "pass", 0, NULL, 1);
	const GError *werr = journal_error(j);
	assert_non_null(werr);
	assert_true(g_error_matches(werr, JOURNAL_ERROR, JOURNAL_ERROR_IO));
	assert_non_null(strstr(werr->message, "/dev/full"));
	assert_non_null(strstr(werr->message, "write"));
	journal_close(j);
	journal_close(NULL);
}

/* A child writing a journal is SIGKILLed in the middle of a step: every line parses, every
 * finished step is there, the running one has no status. */
static void test_append_after_torn_write(void **state)
{
	g_autofree char *path = path_in(state, "t.jsonl");
	assert_true(g_file_set_contents(path, "{\"type\":\"session\",\"wall\":\"x\",\"mono", -1, NULL));
	struct journal *j = journal_open(path, NULL);
	assert_non_null(j);
	journal_session_start(j, "f.yaml", "s", "t", 1, NULL);
	journal_close(j);
	g_autoptr(journal_log) log = read_ok(path);
	assert_int_equal(log->bad_lines, 1);
	assert_string_equal(log->suite_name, "s");
}

static void test_killed_mid_step(void **state)
{
	g_autofree char *path = path_in(state, "k.jsonl");
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		struct journal *j = journal_open(path, NULL);
		if (!j)
			_exit(1);
		journal_session_start(j, "f", "s", "t", 5, NULL);
		for (guint i = 0; i < 3; i++) {
			journal_step_start(j, i, "done", "host", "run", "true");
			journal_output(j, i, "pty", "finished output\n", 16);
			journal_step_end(j, i, "pass", 0, NULL, 10);
		}
		journal_step_start(j, 3, "running", "host", "run", "yes");
		char chunk[3000];
		memset(chunk, 'y', sizeof chunk);
		for (gsize i = 0; i < sizeof chunk; i += 2)
			chunk[i + 1] = '\n';
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			journal_output(j, 3, "pty", chunk, sizeof chunk);
	}
	close(fds[1]);
	char c;
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	g_usleep(30000);
	assert_int_equal(kill(pid, SIGKILL), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* fails on any complete line that does not parse */
	g_autoptr(GPtrArray) records = parse_lines_full(path, TRUE);
	assert_true(records->len > 8);
	g_autoptr(journal_log) log = read_ok(path);
	assert_false(log->complete);
	assert_true(log->bad_lines <= 1); /* the torn fragment, if the kill cut a write */
	assert_int_equal(log->steps->len, 5);
	for (guint i = 0; i < 3; i++) {
		assert_string_equal(log_step(log, i)->status, "pass");
		assert_string_equal(log_step(log, i)->output->str, "finished output\n");
	}
	assert_true(log_step(log, 3)->started);
	assert_null(log_step(log, 3)->status);
	assert_true(log_step(log, 3)->output->len > 0);
	assert_false(log_step(log, 4)->started);
}

/* ---- reading ---- */

#define SESSION_LINE \
	"{\"type\":\"session\",\"wall\":\"2026-11-21T07:00:00.000000Z\",\"mono_us\":0,\"suite\":\"s\",\"n_steps\":2}\n"

static void test_read_torn_last_line(void **state)
{
	g_autofree char *path = path_in(state, "t.jsonl");
	struct journal *j = open_journal(path);
	journal_session_start(j, "f", "s", "t", 2, NULL);
	journal_step_start(j, 0, "a", "host", "run", "true");
	journal_step_end(j, 0, "pass", 0, NULL, 5);
	journal_step_start(j, 1, "b", "host", "run", "sleep 100");
	journal_output(j, 1, "pty", "some output that is torn", 24);
	journal_close(j);
	/* tear the last line in the middle */
	gsize len = 0;
	g_autofree char *data = read_all(path, &len);
	assert_true(g_file_set_contents(path, data, (gssize)(len - 20), NULL));

	g_autoptr(journal_log) log = read_ok(path);
	assert_int_equal(log->bad_lines, 1);
	assert_false(log->complete);
	assert_null(log->result);
	assert_string_equal(log_step(log, 0)->status, "pass");
	assert_string_equal(log_step(log, 1)->name, "b");
	assert_null(log_step(log, 1)->status);
	assert_int_equal(log_step(log, 1)->output->len, 0);
}

static void test_read_missing_session(void **state)
{
	g_autofree char *path = path_in(state, "m.jsonl");
	const char *text = "{\"type\":\"step-start\",\"step\":0,\"name\":\"x\"}\nnot json\n";
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_autoptr(GError) error = NULL;
	assert_null(journal_read(path, &error));
	assert_true(g_error_matches(error, JOURNAL_ERROR, JOURNAL_ERROR_FORMAT));
	assert_non_null(strstr(error->message, path));
	g_clear_error(&error);

	assert_null(journal_read_data("", 0, "empty.jsonl", &error));
	assert_true(g_error_matches(error, JOURNAL_ERROR, JOURNAL_ERROR_FORMAT));
	assert_non_null(strstr(error->message, "empty.jsonl"));
	g_clear_error(&error);

	g_autofree char *missing = path_in(state, "absent.jsonl");
	assert_null(journal_read(missing, &error));
	assert_true(g_error_matches(error, JOURNAL_ERROR, JOURNAL_ERROR_IO));
	assert_non_null(strstr(error->message, missing));
	g_clear_error(&error);
	assert_null(journal_read((const char *)*state, &error)); /* a directory */
	assert_true(g_error_matches(error, JOURNAL_ERROR, JOURNAL_ERROR_IO));
}

static void test_read_retried_step(void **state)
{
	g_autofree char *path = path_in(state, "r.jsonl");
	struct journal *j = open_journal(path);
	journal_session_start(j, "f", "s", "t", 1, NULL);
	journal_step_start(j, 0, "flaky", "vm1", "run", "ping -c1 vm1");
	journal_output(j, 0, "pty", "first try\n", 10);
	journal_note(j, 0, "network was down");
	journal_step_end(j, 0, "fail", 1, "exit status 1, expected 0", 100);
	journal_input(j, 0, "edit", "ping -c3 vm1");
	journal_step_start(j, 0, "flaky", "vm1", "run", "ping -c3 vm1");
	journal_output(j, 0, "pty", "second try\n", 11);
	journal_note(j, 0, "retried");
	journal_step_end(j, 0, "pass", 0, NULL, 200);
	journal_session_end(j, "pass", 1, 0, 0, 0, 0);
	journal_close(j);

	g_autoptr(journal_log) log = read_ok(path);
	assert_int_equal(log->steps->len, 1);
	struct journal_step *s = log_step(log, 0);
	assert_int_equal(s->runs, 2);
	assert_string_equal(s->status, "pass");
	assert_int_equal(s->exit_status, 0);
	assert_null(s->reason);
	assert_int_equal(s->duration_us, 200);
	assert_string_equal(s->command, "ping -c3 vm1");
	assert_string_equal(s->output->str, "second try\n");
	assert_int_equal(s->notes->len, 2);
	assert_string_equal(s->notes->pdata[0], "network was down");
	assert_string_equal(s->edits->pdata[0], "ping -c3 vm1");
}

static void test_read_output_cap(void **state)
{
	GString *text = g_string_new(SESSION_LINE);
	g_string_append(text, "{\"type\":\"step-start\",\"step\":0,\"name\":\"big\",\"mono_us\":5}\n");
	char chunk[4001];
	for (guint n = 0; n < 700; n++) { /* 2.8 MB of output */
		memset(chunk, 'a' + (int)(n % 26), sizeof chunk - 1);
		chunk[sizeof chunk - 1] = '\0';
		g_string_append_printf(text, "{\"type\":\"output\",\"step\":0,\"stream\":\"pty\",\"data\":\"%s\"}\n", chunk);
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(journal_log) log = journal_read_data(text->str, text->len, "big.jsonl", &error);
	assert_non_null(log);
	struct journal_step *s = log_step(log, 0);
	assert_true(s->output_truncated);
	assert_int_equal(s->output->len, JOURNAL_OUTPUT_KEEP);
	assert_int_equal(s->output->str[s->output->len - 1], 'a' + 699 % 26); /* the tail is kept */
	g_string_free(text, TRUE);
}

static void test_read_hostile_values(void **state)
{
	const char *text = SESSION_LINE
		"{\"type\":\"step-start\",\"step\":99999999,\"name\":\"far\"}\n"
		"{\"type\":\"step-start\",\"step\":-1,\"name\":\"neg\"}\n"
		"{\"type\":\"step-start\",\"step\":\"0\",\"name\":\"str\"}\n"
		"{\"type\":\"step-start\",\"step\":1,\"name\":7,\"command\":[1]}\n"
		"{\"type\":\"output\",\"step\":1,\"data_b64\":\"!!!notbase64\"}\n"
		"{\"type\":\"step-end\",\"step\":1,\"status\":\"pass\",\"exit\":99999999999,\"duration_us\":\"x\"}\n"
		"{\"type\":\"verdict\",\"step\":1,\"verdict\":null}\n"
		"{\"type\":42}\n"
		"[1,2,3]\n"
		"{\"type\":\"unknown-thing\",\"step\":0}\n"
		"\r\n   \n"
		"{\"type\":\"session\",\"suite\":\"second\"}\r\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(journal_log) log = journal_read_data(text, strlen(text), "hostile.jsonl", &error);
	assert_non_null(log);
	assert_string_equal(log->path, "hostile.jsonl");
	assert_string_equal(log->suite_name, "s"); /* the first session record counts */
	assert_int_equal(log->bad_lines, 2);
	assert_int_equal(log->steps->len, 2);
	struct journal_step *s = log_step(log, 1);
	assert_string_equal(s->name, "");
	assert_null(s->command);
	assert_string_equal(s->status, "pass");
	assert_int_equal(s->exit_status, -1);
	assert_int_equal(s->duration_us, 0);
	assert_null(s->verdict);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records_parse_back, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_secrets_masked, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_secrets_random_chunks, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_invalid_utf8_round_trips, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_write_errors_recorded, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_killed_mid_step, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_append_after_torn_write, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_read_torn_last_line, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_read_missing_session, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_read_retried_step, setup_dir, teardown_dir),
		cmocka_unit_test(test_read_output_cap),
		cmocka_unit_test(test_read_hostile_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
