/* test_check_timeline.c - unit tests of check: { timeline } on hand-made RK logs, and the timeline helpers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "check_timeline.h"
#include "evlog.h"
#include "suite.h"
#include "timeline.h"

/*
 * Two tasks, released every 100 ms from 1.5 s (1 s after the first 101 at 0.5 s):
 * task 7: job 1 runs 1.500-1.502; job 2 runs 1.600-1.601, is suspended while task 8 holds the
 * critical section (1.6005-1.6035), runs again at 1.604 and holds it 1.604-1.6055, finishes at
 * 1.606 (response 6 ms, blocking 2.5 ms, critical section 1.5 ms); job 3 runs 1.700-1.703.
 */
static const char log_text[] =
	"time, type, cpuid, pid, arg1, arg2\n"
	"0.500000000, 101, 0, 500, 7, 10\n"
	"0.500000000, 101, 1, 600, 8, 10\n"
	"1.500000000, 100, 0, 500, 7, 10\n"
	"1.502000000, 101, 0, 500, 7, 10\n"
	"1.600000000, 100, 0, 500, 7, 10\n"
	"1.600000000, 100, 1, 600, 8, 10\n"
	"1.600500000, 102, 1, 600, 8, 10\n"
	"1.601000000, 101, 0, 500, 7, 10\n"
	"1.603500000, 103, 1, 600, 8, 10\n"
	"1.604000000, 101, 1, 600, 8, 10\n"
	"1.604000000, 100, 0, 500, 7, 10\n"
	"1.604000000, 102, 0, 500, 7, 10\n"
	"1.605500000, 103, 0, 500, 7, 10\n"
	"1.606000000, 101, 0, 500, 7, 10\n"
	"this line is not an event\n"
	"1.700000000, 100, 0, 500, 7, 10\n"
	"1.703000000, 101, 0, 500, 7, 10\n";

struct fixture {
	char *dir;
	char *path;
	struct suite_check_timeline spec;
	GString *report;
};

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->dir = g_dir_make_tmp("virtcon-check-timeline-XXXXXX", NULL);
	assert_non_null(f->dir);
	f->path = g_build_filename(f->dir, "log_rk_event.txt", NULL);
	assert_true(g_file_set_contents(f->path, log_text, -1, NULL));
	f->spec.file = f->path;
	f->spec.format = (char *)"rk";
	f->spec.task = (char *)"7";
	f->spec.max_response_ns = -1;
	f->spec.max_blocking_ns = -1;
	f->spec.max_cs_ns = -1;
	f->spec.period_ns = 100000000;
	f->report = g_string_new(NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	g_unlink(f->path);
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
	g_string_free(f->report, TRUE);
	g_free(f);
	return 0;
}

static void assert_contains(const GString *report, const char *text)
{
	if (!strstr(report->str, text))
		fail_msg("'%s' is not in the report:\n%s", text, report->str);
}

static void test_all_limits_hold(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	gboolean ok = FALSE;

	f->spec.max_response_ns = 6000000;
	f->spec.max_cs_ns = 1500000;
	f->spec.max_blocking_ns = 2500000;
	assert_true(check_timeline_run(&f->spec, f->path, f->report, &ok, &error));
	assert_null(error);
	assert_true(ok);
	assert_contains(f->report, "task 7, 1 malformed lines");
	assert_contains(f->report, "response: max 6ms over 3 jobs (limit 6ms): ok\n");
	assert_contains(f->report, "critical section: longest 1.5ms of 1 (limit 1.5ms): ok\n");
	assert_contains(f->report, "blocking: longest 2.5ms, 1 times (limit 2.5ms): ok\n");
	assert_null(strstr(f->report->str, "FAIL"));
}

static void test_response_fails(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	gboolean ok = TRUE;

	f->spec.max_response_ns = 5000000;
	assert_false(check_timeline_run(&f->spec, f->path, f->report, &ok, &error));
	assert_null(error);
	assert_false(ok);
	assert_contains(f->report, "response: max 6ms over 3 jobs (limit 5ms): FAIL\n");
	assert_contains(f->report, "  response 6ms > 5ms: job 2 released at 1.600s, finished at 1.606s\n");
	/* the jobs within the limit are not listed */
	assert_null(strstr(f->report->str, "job 1 "));
	assert_null(strstr(f->report->str, "job 3 "));
}

static void test_cs_fails(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	gboolean ok = TRUE;

	f->spec.max_cs_ns = 1000000;
	assert_false(check_timeline_run(&f->spec, f->path, f->report, &ok, &error));
	assert_false(ok);
	assert_contains(f->report, "critical section: longest 1.5ms of 1 (limit 1ms): FAIL\n");
	assert_contains(f->report, "  critical section 1.5ms > 1ms: 1.604s to 1.605500s\n");
}

static void test_blocking_fails(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	gboolean ok = TRUE;

	f->spec.max_blocking_ns = 2000000;
	assert_false(check_timeline_run(&f->spec, f->path, f->report, &ok, &error));
	assert_false(ok);
	assert_contains(f->report, "blocking: longest 2.5ms, 1 times (limit 2ms): FAIL\n");
	assert_contains(f->report,
			"  blocking 2.5ms > 2ms: suspended 1.601s to 1.604s, entered the critical section at 1.604s\n");
}

static void test_other_task(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	gboolean ok = TRUE;

	/* task 8 by its track name: its critical section is 3 ms, it never blocked */
	f->spec.task = (char *)"task 8";
	f->spec.max_cs_ns = 2000000;
	f->spec.max_blocking_ns = 0;
	assert_false(check_timeline_run(&f->spec, f->path, f->report, &ok, &error));
	assert_false(ok);
	assert_contains(f->report, "task 8,");
	assert_contains(f->report, "  critical section 3ms > 2ms: 1.600500s to 1.603500s\n");
	assert_contains(f->report, "blocking: longest 0ns, 0 times (limit 0ns): ok\n");
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *missing = g_build_filename(f->dir, "nope.txt", NULL);
	gboolean ok = TRUE;

	f->spec.task = (char *)"9";
	assert_false(check_timeline_run(&f->spec, f->path, f->report, &ok, &error));
	assert_non_null(error);
	assert_false(ok);
	assert_non_null(strstr(error->message, "task 9 is not in the log (tasks: 7, 8)"));
	assert_non_null(strstr(error->message, f->path));
	g_clear_error(&error);

	f->spec.task = (char *)"7";
	assert_false(check_timeline_run(&f->spec, missing, f->report, &ok, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, missing));
	g_clear_error(&error);

	f->spec.period_ns = -1;
	f->spec.max_response_ns = 1000000;
	assert_false(check_timeline_run(&f->spec, f->path, f->report, &ok, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, "period"));
}

static void test_durations(void **state)
{
	gint64 ns = 0;
	static const struct {
		const char *text;
		gint64 ns;
	} ok[] = { { "10ms", 10000000 }, { "1.5 ms", 1500000 }, { "250us", 250000 }, { "250µs", 250000 },
		   { "100ns", 100 },     { "2s", 2000000000 },   { "3.1", 3100000000 }, { "0", 0 } };
	static const struct {
		gint64 ns;
		const char *text;
	} fmt[] = { { 0, "0ns" },           { 850, "850ns" },       { 12500, "12.5µs" },   { 6200000, "6.2ms" },
		    { 199999500, "200ms" }, { 1250000000, "1.250s" }, { 1005000, "1.01ms" } };

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(ok); i++) {
		assert_true(timeline_parse_duration(ok[i].text, &ns));
		assert_int_equal(ns, ok[i].ns);
	}
	assert_false(timeline_parse_duration("10 parsecs", &ns));
	assert_false(timeline_parse_duration("", &ns));
	assert_false(timeline_parse_duration("-1ms", &ns));
	for (gsize i = 0; i < G_N_ELEMENTS(fmt); i++) {
		g_autofree char *s = timeline_format_duration(fmt[i].ns, FALSE);
		assert_string_equal(s, fmt[i].text);
	}
	{
		g_autofree char *a = timeline_format_duration(12500, TRUE);
		g_autofree char *b = timeline_format_time(12000100000);
		g_autofree char *c = timeline_format_time(3100000000);
		g_autofree char *d = timeline_format_time(3000000500);
		assert_string_equal(a, "12.5us");
		assert_string_equal(b, "12.000100s");
		assert_string_equal(c, "3.100s");
		assert_string_equal(d, "3.000000500s");
	}
}

/* The follower reads only what the file gains, keeps a partial line, and starts again on truncation. */
static void test_source_follow(void **state)
{
	struct fixture *f = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(f->dir, "grow.txt", NULL);
	struct timeline_source *src = timeline_source_new(path, NULL, &error);
	gboolean changed = FALSE;
	FILE *out;

	assert_non_null(src);
	assert_false(timeline_source_poll(src, &changed, &error)); /* not there yet */
	assert_non_null(strstr(error->message, path));
	g_clear_error(&error);

	out = fopen(path, "w");
	assert_non_null(out);
	fputs("time, type, cpuid, pid, arg1, arg2\n0.5, 101, 0, 500, 7, 10\n1.0, 100, 0, 500, 7, 10\n1.2, 10", out);
	fflush(out);
	assert_true(timeline_source_poll(src, &changed, &error));
	assert_true(changed);
	assert_string_equal(evlog_format_name(timeline_source_log(src)), "rk");
	assert_int_equal(evlog_get_stats(timeline_source_log(src))->bytes, ftell(out));
	assert_int_equal(evlog_find_track(timeline_source_log(src), EVLOG_TRACK_TASK, 7), 0);
	assert_true(timeline_source_poll(src, &changed, &error));
	assert_false(changed);

	fputs("1, 0, 500, 7, 10\n", out); /* completes "1.2, 101 ..." */
	fflush(out);
	assert_true(timeline_source_poll(src, &changed, &error));
	assert_true(changed);
	{
		struct evlog_span s;
		assert_true(evlog_get_span(timeline_source_log(src), 0, 0, &s));
		assert_int_equal(s.start, 1000000000);
		assert_int_equal(s.end, 1200000000);
	}
	fclose(out);

	/* truncated and rewritten: read again from the start */
	assert_true(g_file_set_contents(path, "time, type, cpuid, pid, arg1, arg2\n0.5, 101, 0, 500, 9, 10\n", -1, NULL));
	assert_true(timeline_source_poll(src, &changed, &error));
	assert_true(changed);
	assert_int_equal(evlog_find_track(timeline_source_log(src), EVLOG_TRACK_TASK, 7), -1);
	assert_int_equal(evlog_find_track(timeline_source_log(src), EVLOG_TRACK_TASK, 9), 0);
	assert_int_equal(timeline_source_resets(src), 1);
	timeline_source_free(src);
	g_unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_all_limits_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cs_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocking_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_task, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test(test_durations),
		cmocka_unit_test_setup_teardown(test_source_follow, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
