/* test_evlog.c - unit tests of the event-log formats, the time index and the summaries. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evlog.h"

#define S(x) ((gint64)((x) * 1000000000.0 + 0.5)) /* seconds (exact to the ns here) */

static char *data_path(const char *name)
{
	const char *top = g_getenv("top_srcdir");
	return g_build_filename(top ? top : ".", "tests", "evlog", name, NULL);
}

static struct evlog *load(const char *name, const char *format)
{
	g_autofree char *path = data_path(name);
	g_autoptr(GError) error = NULL;
	struct evlog_options o;
	struct evlog *log;

	evlog_options_init(&o);
	o.format = format;
	log = evlog_new(&o, &error);
	assert_non_null(log);
	if (!evlog_load_file(log, path, &error))
		fail_msg("%s", error->message);
	return log;
}

static struct evlog *from_string(const char *format, const char *text)
{
	struct evlog_options o;
	struct evlog *log;

	evlog_options_init(&o);
	o.format = format;
	log = evlog_new(&o, NULL);
	assert_non_null(log);
	assert_true(evlog_append(log, text, strlen(text), NULL));
	assert_true(evlog_flush(log, NULL));
	return log;
}

static guint track(struct evlog *log, enum evlog_track_kind kind, guint32 key)
{
	int t = evlog_find_track(log, kind, key);

	if (t < 0)
		fail_msg("no %s track %u", evlog_track_kind_name(kind), key);
	return (guint)t;
}

static void assert_span(struct evlog *log, guint tr, gsize i, gint64 start, gint64 end, guint32 aux)
{
	struct evlog_span s;

	assert_true(evlog_get_span(log, tr, i, &s));
	assert_int_equal(s.start, start);
	assert_int_equal(s.end, end);
	assert_int_equal(s.aux, aux);
}

static gsize n_spans(struct evlog *log, guint tr)
{
	struct evlog_track_info info;

	assert_true(evlog_track_get_info(log, tr, &info));
	return info.n_spans;
}

static gboolean is_open(struct evlog *log, guint tr, gint64 *start)
{
	struct evlog_track_info info;

	assert_true(evlog_track_get_info(log, tr, &info));
	if (start)
		*start = info.open_start;
	return info.open;
}

static void assert_near(double a, double b)
{
	if (a < b - 1e-6 || a > b + 1e-6)
		fail_msg("%.9f != %.9f", a, b);
}

static void test_rk_spans(void **state)
{
	struct evlog *log = load("rk-basic.txt", "rk");
	const struct evlog_stats *st = evlog_get_stats(log);
	guint v500 = track(log, EVLOG_TRACK_VCPU, 500), v600 = track(log, EVLOG_TRACK_VCPU, 600);
	guint t7 = track(log, EVLOG_TRACK_TASK, 7), t8 = track(log, EVLOG_TRACK_TASK, 8);
	guint c7 = track(log, EVLOG_TRACK_CS, 7), c8 = track(log, EVLOG_TRACK_CS, 8);
	gint64 open_start = 0;
	struct evlog_track_info info;

	assert_string_equal(evlog_format_name(log), "rk");
	assert_int_equal(st->lines, 23);
	assert_int_equal(st->events, 22);
	assert_int_equal(st->ignored, 4); /* 2 before the first 101, 2 first 101s */
	assert_int_equal(st->malformed, 0);
	assert_int_equal(st->out_of_order, 0);
	assert_int_equal(st->unpaired, 0);
	assert_int_equal(st->t_origin, S(2.0));
	assert_int_equal(st->t_min, S(2.5));
	assert_int_equal(st->t_max, S(4.6));
	assert_int_equal(st->spans, 8);
	assert_int_equal(evlog_n_tracks(log), 6);
	assert_true(evlog_track_get_info(log, v500, &info));
	assert_string_equal(info.name, "vcpu 500");
	assert_true(evlog_track_get_info(log, c8, &info));
	assert_string_equal(info.name, "cs 8");

	/* vCPU 500: on pCPU 0, then on pCPU 2 (a CPU id beyond the first seen) */
	assert_int_equal(n_spans(log, v500), 2);
	assert_span(log, v500, 0, S(2.5), S(3.8), 0);
	assert_span(log, v500, 1, S(4.3), S(4.6), 2);
	assert_false(is_open(log, v500, NULL));
	/* vCPU 600 never stops: unterminated */
	assert_int_equal(n_spans(log, v600), 0);
	assert_true(is_open(log, v600, &open_start));
	assert_int_equal(open_start, S(3.0));
	/* tasks: the 100 of task 7 before the first 101 is ignored */
	assert_int_equal(n_spans(log, t7), 2);
	assert_span(log, t7, 0, S(3.0), S(3.5), 500);
	assert_span(log, t7, 1, S(4.0), S(4.2), 500);
	assert_int_equal(n_spans(log, t8), 2);
	assert_span(log, t8, 0, S(3.0), S(3.2), 600);
	assert_span(log, t8, 1, S(3.4), S(3.7), 600);
	assert_true(is_open(log, t8, &open_start));
	assert_int_equal(open_start, S(4.5));
	assert_span(log, c7, 0, S(3.1), S(3.4), 500);
	assert_span(log, c8, 0, S(3.4) + 500, S(3.6), 600);
	assert_false(evlog_get_span(log, c8, 1, &(struct evlog_span){ 0 }));
	evlog_free(log);
}

static void test_rk_keep_all(void **state)
{
	g_autofree char *path = data_path("rk-basic.txt");
	struct evlog_options o;
	struct evlog *log;

	evlog_options_init(&o);
	o.format = "rk";
	o.rk_keep_all = TRUE;
	log = evlog_new(&o, NULL);
	assert_true(evlog_load_file(log, path, NULL));
	/* the early 100 of task 7 is now paired with its first 101 */
	assert_span(log, track(log, EVLOG_TRACK_TASK, 7), 0, S(1.1), S(2.0), 500);
	/* vCPU 500's early start is closed (unpaired) by the start at 2.5 */
	assert_span(log, track(log, EVLOG_TRACK_VCPU, 500), 0, S(1.0), S(2.5), 0);
	assert_int_equal(evlog_get_stats(log)->unpaired, 1);
	assert_int_equal(evlog_get_stats(log)->ignored, 0);
	evlog_free(log);
}

static void test_rk_query(void **state)
{
	struct evlog *log = load("rk-basic.txt", "rk");
	guint v500 = track(log, EVLOG_TRACK_VCPU, 500), v600 = track(log, EVLOG_TRACK_VCPU, 600);
	guint t7 = track(log, EVLOG_TRACK_TASK, 7);
	struct evlog_cell cells[32];

	/* 32 cells of 0.1 s from 2.0 */
	assert_true(evlog_query(log, v500, S(2.0), S(5.2), 32, cells));
	for (int c = 0; c < 32; c++) {
		gboolean on = (c >= 5 && c <= 17) || (c >= 23 && c <= 25);
		assert_near(cells[c].coverage, on ? 1.0 : 0.0);
		assert_int_equal(cells[c].n_spans, on ? 1 : 0);
		if (on)
			assert_int_equal(cells[c].aux_min, c <= 17 ? 0 : 2);
	}
	/* one cell over both spans: (0.8 + 0.3) / 1.6 */
	assert_true(evlog_query(log, v500, S(3.0), S(4.6), 1, cells));
	assert_near(cells[0].coverage, 0.6875);
	assert_int_equal(cells[0].n_spans, 2);
	assert_int_equal(cells[0].aux_min, 0);
	assert_int_equal(cells[0].aux_max, 2);
	/* the open span runs to t_max (4.6) */
	assert_true(evlog_query(log, v600, S(3.0), S(5.0), 2, cells));
	assert_near(cells[0].coverage, 1.0);
	assert_near(cells[1].coverage, 0.6);
	assert_int_equal(cells[1].aux_min, 1);
	/* half a cell */
	assert_true(evlog_query(log, t7, S(3.25), S(3.75), 1, cells));
	assert_near(cells[0].coverage, 0.5);
	/* bad arguments */
	assert_false(evlog_query(log, 99, 0, 10, 1, cells));
	assert_false(evlog_query(log, t7, 10, 10, 1, cells));
	assert_false(evlog_query(log, t7, 0, 10, 0, cells));
	evlog_free(log);
}

static void test_rk_summary(void **state)
{
	struct evlog *log = load("rk-basic.txt", "rk");
	const struct evlog_task_param params[] = { { 7, S(1.0), 1 }, { 8, S(1.0), 2 } };
	struct evlog_summary_options o = { -1, params, 2 };
	struct evlog_summary *s = evlog_summary(log, &o);
	const struct evlog_task_summary *t7 = NULL, *t8 = NULL;
	const struct evlog_track_summary *v500 = &s->tracks[track(log, EVLOG_TRACK_VCPU, 500)];

	assert_int_equal(s->origin_ns, S(2.0));
	assert_int_equal(s->release_ns, S(3.0));
	assert_int_equal(s->n_tasks, 2);
	for (guint i = 0; i < s->n_tasks; i++) {
		if (s->tasks[i].pid == 7)
			t7 = &s->tasks[i];
		if (s->tasks[i].pid == 8)
			t8 = &s->tasks[i];
	}
	assert_non_null(t7);
	assert_non_null(t8);
	assert_int_equal(v500->n_spans, 2);
	assert_int_equal(v500->total_ns, S(1.6));
	assert_int_equal(v500->max_ns, S(1.3));
	assert_false(v500->open);
	assert_true(s->tracks[track(log, EVLOG_TRACK_VCPU, 600)].open);

	/* task 7: released at 3.0 and 4.0, finishes at 3.5 and 4.2 */
	assert_int_equal(t7->n_jobs, 2);
	assert_int_equal(t7->jobs[0].release_ns, S(3.0));
	assert_int_equal(t7->jobs[0].finish_ns, S(3.5));
	assert_int_equal(t7->jobs[0].response_ns, S(0.5));
	assert_int_equal(t7->jobs[1].response_ns, S(0.2));
	assert_int_equal(t7->response_max_ns, S(0.5));
	assert_int_equal(t7->n_missed, 0);
	assert_int_equal(t7->n_cs, 1);
	assert_int_equal(t7->cs_total_ns, S(0.3));
	assert_int_equal(t7->cs_max_ns, S(0.3));
	assert_int_equal(t7->n_blocked, 0);
	/* task 8: job 0 finishes at 3.7; job 1 still running at the end */
	assert_int_equal(t8->n_jobs, 2);
	assert_int_equal(t8->jobs[0].response_ns, S(0.7));
	assert_int_equal(t8->jobs[1].finish_ns, -1);
	assert_int_equal(t8->jobs[1].response_ns, -1);
	assert_int_equal(t8->response_max_ns, S(0.7));
	assert_int_equal(t8->n_cs, 1);
	assert_int_equal(t8->cs_total_ns, S(0.2) - 500);
	/* blocked from 3.2 (suspended) to 3.4 while task 7 (VM 1) held the section */
	assert_int_equal(t8->n_blocked, 1);
	assert_int_equal(t8->blocking_total_ns, S(0.2));
	assert_int_equal(t8->blocking_max_ns, S(0.2));
	evlog_summary_free(s);

	/* both tasks in the same VM: no inter-VM blocking */
	{
		const struct evlog_task_param same[] = { { 7, S(1.0), 1 }, { 8, S(1.0), 1 } };
		struct evlog_summary_options o2 = { -1, same, 2 };
		s = evlog_summary(log, &o2);
		for (guint i = 0; i < s->n_tasks; i++)
			assert_int_equal(s->tasks[i].n_blocked, 0);
		evlog_summary_free(s);
	}
	/* no periods: no jobs, other figures the same */
	s = evlog_summary(log, NULL);
	for (guint i = 0; i < s->n_tasks; i++) {
		assert_int_equal(s->tasks[i].n_jobs, 0);
		assert_int_equal(s->tasks[i].response_max_ns, -1);
		if (s->tasks[i].pid == 8)
			assert_int_equal(s->tasks[i].blocking_total_ns, S(0.2));
	}
	evlog_summary_free(s);
	evlog_free(log);
}

static void test_rk_out_of_order(void **state)
{
	struct evlog *log = from_string("rk", "1.0, 101, 0, 10, 1, 0\n"
					      "5.0, 100, 0, 10, 1, 0\n"
					      "6.0, 101, 0, 10, 1, 0\n"
					      "2.0, 100, 0, 10, 1, 0\n"
					      "3.0, 101, 0, 10, 1, 0\n"
					      "7.0, 100, 0, 10, 1, 0\n"
					      "6.5, 101, 0, 10, 1, 0\n");
	const struct evlog_stats *st = evlog_get_stats(log);
	guint t1 = track(log, EVLOG_TRACK_TASK, 1);
	guint n = 0;

	assert_int_equal(st->out_of_order, 3);
	assert_int_equal(st->unpaired, 1); /* the end at 6.5 before its begin at 7.0 */
	for (guint i = 0; i < evlog_n_issues(log); i++) {
		const struct evlog_issue *is = evlog_get_issue(log, i);
		if (is->kind == EVLOG_ISSUE_OUT_OF_ORDER) {
			const guint64 expect[] = { 4, 5, 7 };
			assert_int_equal(is->line, expect[n++]);
		}
	}
	assert_int_equal(n, 3);
	/* spans come back sorted by time */
	assert_int_equal(n_spans(log, t1), 2);
	assert_span(log, t1, 0, S(2.0), S(3.0), 10);
	assert_span(log, t1, 1, S(5.0), S(6.0), 10);
	evlog_free(log);
}

static void test_rk_malformed(void **state)
{
	g_autofree char *longline = g_strnfill(70000, 'x');
	g_autofree char *text = g_strdup_printf("time, type, cpuid, pid, arg1, arg2\n"
						"garbage\n"
						"1.0, 101, 0, 10, 1, 0\n"
						"1.5, 100, 0, 10\n"
						"%s\n"
						"\n"
						"2.0, 100, 0, 10, 1, 0, 7\n"
						"2.5, 42, 0, 10, 1, 0\n"
						"3.0, 100, 0, 10, 99999999999, 0\n"
						"4.0, 100, 0, 10, 1, 0\r\n"
						"5.0, 101, 0, 10, 1, 0", longline);
	struct evlog *log = from_string("rk", text);
	const struct evlog_stats *st = evlog_get_stats(log);
	const guint64 bad[] = { 2, 4, 5, 7, 9 };
	guint n = 0;

	assert_int_equal(st->lines, 11);
	assert_int_equal(st->malformed, 5);
	assert_int_equal(st->ignored, 2); /* the first 101, type 42 */
	for (guint i = 0; i < evlog_n_issues(log); i++) {
		const struct evlog_issue *is = evlog_get_issue(log, i);
		if (is->kind == EVLOG_ISSUE_MALFORMED)
			assert_int_equal(is->line, bad[n++]);
	}
	assert_int_equal(n, 5);
	assert_span(log, track(log, EVLOG_TRACK_TASK, 1), 0, S(4.0), S(5.0), 10);
	evlog_free(log);
}

/* Appending in small pieces gives what one load gives; partial lines wait. */
static void test_rk_incremental(void **state)
{
	g_autofree char *path = data_path("rk-basic.txt");
	g_autofree char *data = NULL;
	gsize len;
	struct evlog *whole = load("rk-basic.txt", "rk");
	struct evlog *parts = evlog_new(NULL, NULL);
	struct evlog_cell a[40], b[40];

	assert_true(g_file_get_contents(path, &data, &len, NULL));
	for (gsize off = 0; off < len; off += 7) {
		assert_true(evlog_append(parts, data + off, MIN((gsize)7, len - off), NULL));
		if (off + 7 < len) {
			/* what was parsed so far is queryable between appends */
			for (guint t = 0; t < evlog_n_tracks(parts); t++)
				assert_true(evlog_query(parts, t, S(2.0), S(5.0), 10, a));
		}
	}
	assert_string_equal(evlog_format_name(parts), "rk");
	assert_true(evlog_flush(parts, NULL));
	assert_int_equal(evlog_get_stats(parts)->bytes, len);
	assert_int_equal(evlog_n_tracks(parts), evlog_n_tracks(whole));
	assert_int_equal(evlog_get_stats(parts)->events, evlog_get_stats(whole)->events);
	for (guint t = 0; t < evlog_n_tracks(whole); t++) {
		assert_true(evlog_query(whole, t, S(2.0), S(5.0), 40, a));
		assert_true(evlog_query(parts, t, S(2.0), S(5.0), 40, b));
		assert_memory_equal(a, b, sizeof(a));
	}
	evlog_free(whole);
	evlog_free(parts);

	/* a line without its newline is parsed only once completed or flushed */
	parts = evlog_new(NULL, NULL);
	{
		const char *head = "1.0, 101, 0, 10, 1, 0\n2.0, 100, 0, 10, 1, 0\n3.0, 10";
		assert_true(evlog_append(parts, head, strlen(head), NULL));
	}
	assert_int_equal(evlog_get_stats(parts)->lines, 2);
	assert_true(evlog_append(parts, "1, 0, 10, 1, 0", 14, NULL));
	assert_int_equal(evlog_get_stats(parts)->lines, 2);
	assert_true(evlog_flush(parts, NULL));
	assert_int_equal(evlog_get_stats(parts)->lines, 3);
	assert_span(parts, track(parts, EVLOG_TRACK_TASK, 1), 0, S(2.0), S(3.0), 10);
	evlog_free(parts);
}

/* Odd but valid shapes of RK lines: the same spans whether read in one piece (the buffer fast
 * path) or byte by byte (the line-by-line path). */
static void test_rk_shapes(void **state)
{
	GString *text = g_string_new("");
	struct evlog *whole, *bytes;
	guint tr;

	g_string_append(text, "1.5, 101, 0, 10, 1, 0\n"
			      "2.25, 100, 0, 10, 1, 0\n"
			      "2.250000001, 101, 0, 10, 1, 0\n"
			      "3.1234567891, 100, 3, 12345678, 1, 99999999\n"
			      "4, 101, 3, 12345678, 1, 99999999\n"
			      "5.0, 100, -1, 10, 1, 0\n"
			      "5.5 ,  101 ,0,10,1,0  \n"
			      "6.0, 100, 0, 123456789, 1, 0\r\n"
			      "6.5, 101, 0, 10, 1, 1234567890123\n"
			      "4000000000.0, 100, 0, 10, 1, 0\n"
			      "7.0, 100, 0, 10, 1, 0, \n"
			      "7.0, 100, 0, 10, 1\n"
			      "3999999999.999999999, 100, 0, 10, 1, 0\n");
	/* padding so that every line above is followed by 64 bytes (the fast path's window) */
	for (int i = 0; i < 3; i++)
		g_string_append(text, "3999999999.999999999, 999, 0, 10, 1, 0\n");
	whole = from_string("rk", text->str);
	bytes = evlog_new(NULL, NULL);
	for (gsize i = 0; i < text->len; i++)
		assert_true(evlog_append(bytes, text->str + i, 1, NULL));
	assert_true(evlog_flush(bytes, NULL));
	for (int k = 0; k < 2; k++) {
		struct evlog *log = k ? bytes : whole;
		const struct evlog_stats *st = evlog_get_stats(log);
		gint64 open_start;

		tr = track(log, EVLOG_TRACK_TASK, 1);
		assert_int_equal(st->malformed, 3);
		assert_int_equal(n_spans(log, tr), 4);
		assert_span(log, tr, 0, S(2.25), S(2.25) + 1, 10);
		assert_span(log, tr, 1, S(3.123456789), S(4.0), 12345678);
		assert_span(log, tr, 2, S(5.0), S(5.5), 10);
		assert_span(log, tr, 3, S(6.0), S(6.5), 123456789);
		assert_true(is_open(log, tr, &open_start));
		assert_int_equal(open_start, 3999999999999999999LL);
		assert_int_equal(st->ignored, 4); /* the first 101, three of type 999 */
	}
	evlog_free(whole);
	evlog_free(bytes);
	g_string_free(text, TRUE);
}

/* The pyramid and prefix sums against a brute-force count on many spans. */
static void test_index_brute_force(void **state)
{
	GString *s = g_string_new("0.0, 101, 0, 1, 1, 0\n");
	GRand *rnd = g_rand_new_with_seed(42);
	struct evlog *log;
	gint64 t = 1000;
	guint tr;
	struct evlog_cell cells[97];
	GArray *spans = g_array_new(FALSE, FALSE, sizeof(struct evlog_span));

	for (int i = 0; i < 3000; i++) {
		struct evlog_span sp;
		t += g_rand_int_range(rnd, 0, 500);
		sp.start = t;
		t += g_rand_int_range(rnd, 0, 700);
		sp.end = t;
		sp.aux = (guint32)g_rand_int_range(rnd, 0, 1000);
		g_array_append_val(spans, sp);
		g_string_append_printf(s, "0.%09" G_GINT64_FORMAT ", 0, %u, 1, 0, 0\n"
					  "0.%09" G_GINT64_FORMAT ", 1, 0, 1, 0, 0\n",
				       sp.start, sp.aux, sp.end);
	}
	log = from_string("rk", s->str);
	tr = track(log, EVLOG_TRACK_VCPU, 1);
	assert_int_equal(n_spans(log, tr), 3000);
	for (int q = 0; q < 50; q++) {
		gint64 t0 = g_rand_int_range(rnd, 0, (gint32)t), t1 = t0 + g_rand_int_range(rnd, 1, 200000);
		guint n = (guint)g_rand_int_range(rnd, 1, 97);
		gint64 w = t1 - t0;
		assert_true(evlog_query(log, tr, t0, t1, n, cells));
		for (guint c = 0; c < n; c++) {
			gint64 a = t0 + w * c / n, b = t0 + w * (c + 1) / n, cov = 0;
			guint32 cnt = 0, mn = G_MAXUINT32, mx = 0;
			if (b <= a)
				b = a + 1;
			for (guint i = 0; i < spans->len; i++) {
				struct evlog_span *sp = &g_array_index(spans, struct evlog_span, i);
				gboolean touch = sp->start < b && (sp->end > a || (sp->start == sp->end && sp->start >= a));
				if (!touch)
					continue;
				cov += MIN(sp->end, b) - MAX(sp->start, a);
				cnt++;
				mn = MIN(mn, sp->aux);
				mx = MAX(mx, sp->aux);
			}
			assert_near(cells[c].coverage, (double)cov / (double)(b - a));
			assert_int_equal(cells[c].n_spans, cnt);
			if (cnt) {
				assert_int_equal(cells[c].aux_min, mn);
				assert_int_equal(cells[c].aux_max, mx);
			}
		}
	}
	g_array_free(spans, TRUE);
	g_rand_free(rnd);
	g_string_free(s, TRUE);
	evlog_free(log);
}

static void test_trace_cmd(void **state)
{
	struct evlog *log = load("trace-cmd.txt", NULL);
	const struct evlog_stats *st = evlog_get_stats(log);
	guint th = track(log, EVLOG_TRACK_THREAD, 1234), rq = track(log, EVLOG_TRACK_RUNNABLE, 1234);
	guint kw = track(log, EVLOG_TRACK_THREAD, 56);

	assert_string_equal(evlog_format_name(log), "trace-cmd");
	assert_int_equal(st->malformed, 1);
	assert_int_equal(evlog_get_issue(log, 0)->line, 9);
	assert_int_equal(n_spans(log, th), 2);
	assert_span(log, th, 0, S(100.0002), S(100.0005), 0);
	assert_span(log, th, 1, S(100.0007), S(100.001), 0);
	assert_int_equal(n_spans(log, kw), 1);
	assert_span(log, kw, 0, S(100.0005), S(100.0007), 0);
	/* runnable: woken, then preempted (R+) until switched in again, then woken on CPU 1 */
	assert_int_equal(n_spans(log, rq), 2);
	assert_span(log, rq, 0, S(100.0001), S(100.0002), 0);
	assert_span(log, rq, 1, S(100.0005), S(100.0007), 0);
	assert_true(is_open(log, rq, NULL));
	assert_int_equal(evlog_find_track(log, EVLOG_TRACK_THREAD, 0), -1);
	evlog_free(log);
}

static void test_csv(void **state)
{
	g_autofree char *path = data_path("spans.csv");
	struct evlog_options opts;
	struct evlog *log;
	guint a, b, c;

	evlog_options_init(&opts);
	opts.format = "csv";
	opts.csv.aux_col = 3;
	log = evlog_new(&opts, NULL);
	assert_true(evlog_load_file(log, path, NULL));

	a = track(log, EVLOG_TRACK_CSV, 0);
	b = track(log, EVLOG_TRACK_CSV, 1);
	c = track(log, EVLOG_TRACK_CSV, 2);
	assert_span(log, a, 0, S(1.5), S(2.5), 3);
	assert_span(log, b, 0, S(2.0), S(2.25), 1);
	assert_true(is_open(log, c, NULL));
	assert_int_equal(evlog_get_stats(log)->malformed, 1);
	/* b (2.0 .. 2.25) lies before a's end at 2.5 in time, after it in the file */
	assert_int_equal(evlog_get_stats(log)->out_of_order, 2);
	assert_int_equal(evlog_n_issues(log), 3);
	assert_int_equal(evlog_get_issue(log, 0)->kind, EVLOG_ISSUE_OUT_OF_ORDER);
	assert_int_equal(evlog_get_issue(log, 0)->line, 4);
	assert_int_equal(evlog_get_issue(log, 1)->line, 5);
	assert_int_equal(evlog_get_issue(log, 2)->kind, EVLOG_ISSUE_MALFORMED);
	assert_int_equal(evlog_get_issue(log, 2)->line, 7);
	{
		struct evlog_track_info info;
		assert_true(evlog_track_get_info(log, c, &info));
		assert_string_equal(info.name, "c");
	}
	evlog_free(log);

	/* whole spans per row, ';' separated, in milliseconds */
	{
		struct evlog_options o;
		const char *text = "name;start;end\nvm1;10;12.5\nvm2;11;11\nvm1;20;19\n";
		evlog_options_init(&o);
		o.format = "csv";
		o.csv.sep = ';';
		o.csv.time_col = o.csv.state_col = -1;
		o.csv.begin_col = 1;
		o.csv.end_col = 2;
		o.csv.time_unit_ns = 1e6;
		log = evlog_new(&o, NULL);
		assert_true(evlog_append(log, text, strlen(text), NULL));
		assert_span(log, track(log, EVLOG_TRACK_CSV, 0), 0, 10000000, 12500000, 0);
		assert_span(log, track(log, EVLOG_TRACK_CSV, 1), 0, 11000000, 11000000, 0);
		assert_int_equal(evlog_get_stats(log)->unpaired, 1);
		evlog_free(log);
	}
}

static void test_options_and_probe(void **state)
{
	struct evlog_options o;
	g_autoptr(GError) error = NULL;
	struct evlog *log;

	evlog_options_init(&o);
	o.format = "pcap";
	assert_null(evlog_new(&o, &error));
	assert_true(g_error_matches(error, EVLOG_ERROR, EVLOG_ERROR_FORMAT));
	g_clear_error(&error);
	o.format = "csv";
	o.csv.time_col = -1;
	assert_null(evlog_new(&o, &error));
	assert_true(g_error_matches(error, EVLOG_ERROR, EVLOG_ERROR_OPTIONS));
	g_clear_error(&error);

	log = evlog_new(NULL, NULL);
	assert_false(evlog_append(log, "hello world\nthis is not a log\n", 30, &error));
	assert_true(g_error_matches(error, EVLOG_ERROR, EVLOG_ERROR_FORMAT));
	g_clear_error(&error);
	evlog_free(log);

	log = evlog_new(NULL, NULL);
	assert_false(evlog_load_file(log, "/nonexistent/log.txt", &error));
	assert_true(g_error_matches(error, EVLOG_ERROR, EVLOG_ERROR_IO));
	assert_non_null(strstr(error->message, "/nonexistent/log.txt"));
	evlog_free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rk_spans),
		cmocka_unit_test(test_rk_keep_all),
		cmocka_unit_test(test_rk_query),
		cmocka_unit_test(test_rk_summary),
		cmocka_unit_test(test_rk_out_of_order),
		cmocka_unit_test(test_rk_malformed),
		cmocka_unit_test(test_rk_incremental),
		cmocka_unit_test(test_rk_shapes),
		cmocka_unit_test(test_index_brute_force),
		cmocka_unit_test(test_trace_cmd),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_options_and_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
