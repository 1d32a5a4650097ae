/* check_timeline.c - check: { timeline: ... }: a step's limits computed from an event log. */
#include "config.h"

#include <string.h>

#include "check_timeline.h"
#include "evlog.h"
#include "suite.h"
#include "timeline.h"

#define OFFENDERS_SHOWN 10

/* The task's TASK track: by pid, or by track name ("task 2801"). */
static int find_task(struct evlog *log, const char *task)
{
	guint64 pid;

	if (g_ascii_string_to_unsigned(task, 10, 0, G_MAXUINT32, &pid, NULL))
		return evlog_find_track(log, EVLOG_TRACK_TASK, (guint32)pid);
	for (guint i = 0; i < evlog_n_tracks(log); i++) {
		struct evlog_track_info info;

		if (evlog_track_get_info(log, i, &info) && info.kind == EVLOG_TRACK_TASK && g_str_equal(info.name, task))
			return (int)i;
	}
	return -1;
}

static void list_tasks(struct evlog *log, GString *out)
{
	guint n = 0;

	for (guint i = 0; i < evlog_n_tracks(log); i++) {
		struct evlog_track_info info;

		if (!evlog_track_get_info(log, i, &info) || info.kind != EVLOG_TRACK_TASK)
			continue;
		g_string_append_printf(out, "%s%u", n++ ? ", " : "", info.key);
	}
	if (!n)
		g_string_append(out, "none");
}

/* First closed span of the track that ends after t (spans do not overlap: ends are sorted too). */
static gsize first_ending_after(struct evlog *log, guint track, gsize n, gint64 t)
{
	gsize lo = 0, hi = n;

	while (lo < hi) {
		gsize mid = lo + (hi - lo) / 2;
		struct evlog_span s;

		evlog_get_span(log, track, mid, &s);
		if (s.end <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Time in [a, b) during which the critical section was held by a task other than own. */
static gint64 foreign_cs(struct evlog *log, guint own, gint64 a, gint64 b)
{
	gint64 sum = 0;

	for (guint i = 0; i < evlog_n_tracks(log); i++) {
		struct evlog_track_info info;

		if (i == own || !evlog_track_get_info(log, i, &info) || info.kind != EVLOG_TRACK_CS)
			continue;
		for (gsize k = first_ending_after(log, i, info.n_spans, a); k < info.n_spans; k++) {
			struct evlog_span s;

			evlog_get_span(log, i, k, &s);
			if (s.start >= b)
				break;
			sum += MIN(s.end, b) - MAX(s.start, a);
		}
		if (info.open && info.open_start < b) {
			gint64 t_max = evlog_get_stats(log)->t_max;
			gint64 s = MAX(info.open_start, a), e = MIN(t_max, b);
			if (e > s)
				sum += e - s;
		}
	}
	return MIN(sum, b - a);
}

/*
 * The critical sections entered after blocking longer than limit, with the suspension gap
 * before each (the rule of evlog_summary, closed run spans only).
 */
static guint report_blocking(struct evlog *log, guint run, guint cs, gint64 limit, GString *out)
{
	struct evlog_track_info ri, ci;
	guint shown = 0, n = 0;

	evlog_track_get_info(log, run, &ri);
	evlog_track_get_info(log, cs, &ci);
	for (gsize c = 0; c < ci.n_spans; c++) {
		struct evlog_span s, r, prev;
		gsize k;
		gint64 gs, ge, blocked;

		evlog_get_span(log, cs, c, &s);
		/* the run span containing s.start, or the last one before it */
		k = first_ending_after(log, run, ri.n_spans, s.start - 1);
		if (k < ri.n_spans && evlog_get_span(log, run, k, &r) && r.start <= s.start) {
			if (k == 0)
				continue;
			evlog_get_span(log, run, k - 1, &prev);
			gs = prev.end;
			ge = r.start;
		} else {
			if (k == 0)
				continue;
			evlog_get_span(log, run, k - 1, &prev);
			gs = prev.end;
			ge = s.start;
		}
		if (ge <= gs)
			continue;
		blocked = foreign_cs(log, cs, gs, ge);
		if (blocked <= limit)
			continue;
		n++;
		if (shown < OFFENDERS_SHOWN) {
			g_autofree char *b = timeline_format_duration(blocked, FALSE);
			g_autofree char *l = timeline_format_duration(limit, FALSE);
			g_autofree char *a0 = timeline_format_time(gs);
			g_autofree char *a1 = timeline_format_time(ge);
			g_autofree char *e = timeline_format_time(s.start);
			g_string_append_printf(out, "  blocking %s > %s: suspended %s to %s, entered the critical section at %s\n",
					       b, l, a0, a1, e);
			shown++;
		}
	}
	if (n > shown)
		g_string_append_printf(out, "  ... and %u more\n", n - shown);
	return n;
}

static gboolean check_response(const struct suite_check_timeline *spec, const struct evlog_task_summary *ts,
			       GString *report)
{
	g_autofree char *lim = timeline_format_duration(spec->max_response_ns, FALSE);
	g_autofree char *mx = ts->response_max_ns >= 0 ? timeline_format_duration(ts->response_max_ns, FALSE)
							: g_strdup("none finished");
	guint bad = 0, shown = 0;

	for (guint k = 0; k < ts->n_jobs; k++)
		bad += ts->jobs[k].response_ns > spec->max_response_ns;
	g_string_append_printf(report, "response: max %s over %u jobs (limit %s): %s\n", mx, ts->n_jobs, lim,
			       bad ? "FAIL" : "ok");
	for (guint k = 0; k < ts->n_jobs && shown < OFFENDERS_SHOWN; k++) {
		const struct evlog_job *j = &ts->jobs[k];
		g_autofree char *r = NULL, *a = NULL, *b = NULL;

		if (j->response_ns <= spec->max_response_ns)
			continue;
		r = timeline_format_duration(j->response_ns, FALSE);
		a = timeline_format_time(j->release_ns);
		b = timeline_format_time(j->finish_ns);
		g_string_append_printf(report, "  response %s > %s: job %u released at %s, finished at %s\n", r, lim,
				       k + 1, a, b);
		shown++;
	}
	if (bad > shown)
		g_string_append_printf(report, "  ... and %u more\n", bad - shown);
	return bad == 0;
}

static gboolean check_cs(const struct suite_check_timeline *spec, struct evlog *log, int csi,
			 const struct evlog_task_summary *ts, GString *report)
{
	g_autofree char *lim = timeline_format_duration(spec->max_cs_ns, FALSE);
	g_autofree char *mx = timeline_format_duration(ts->cs_max_ns, FALSE);
	struct evlog_track_info info = { 0 };
	guint bad = 0, shown = 0;

	g_string_append_printf(report, "critical section: longest %s of %" G_GUINT64_FORMAT " (limit %s): %s\n", mx,
			       ts->n_cs, lim, ts->cs_max_ns > spec->max_cs_ns ? "FAIL" : "ok");
	if (csi >= 0)
		evlog_track_get_info(log, (guint)csi, &info);
	for (gsize k = 0; k < info.n_spans; k++) {
		struct evlog_span s;

		evlog_get_span(log, (guint)csi, k, &s);
		if (s.end - s.start <= spec->max_cs_ns)
			continue;
		bad++;
		if (shown < OFFENDERS_SHOWN) {
			g_autofree char *d = timeline_format_duration(s.end - s.start, FALSE);
			g_autofree char *a = timeline_format_time(s.start);
			g_autofree char *b = timeline_format_time(s.end);
			g_string_append_printf(report, "  critical section %s > %s: %s to %s\n", d, lim, a, b);
			shown++;
		}
	}
	if (bad > shown)
		g_string_append_printf(report, "  ... and %u more\n", bad - shown);
	return ts->cs_max_ns <= spec->max_cs_ns;
}

static gboolean check_blocking(const struct suite_check_timeline *spec, struct evlog *log, guint run, int csi,
			       const struct evlog_task_summary *ts, GString *report)
{
	g_autofree char *lim = timeline_format_duration(spec->max_blocking_ns, FALSE);
	g_autofree char *mx = timeline_format_duration(ts->blocking_max_ns, FALSE);
	gboolean ok = ts->blocking_max_ns <= spec->max_blocking_ns;

	g_string_append_printf(report, "blocking: longest %s, %" G_GUINT64_FORMAT " times (limit %s): %s\n", mx,
			       ts->n_blocked, lim, ok ? "ok" : "FAIL");
	if (!ok && csi >= 0)
		report_blocking(log, run, (guint)csi, spec->max_blocking_ns, report);
	return ok;
}

gboolean check_timeline_run(const struct suite_check_timeline *spec, const char *file, GString *report,
			    gboolean *ok, GError **error)
{
	struct evlog_options o;
	struct evlog *log;
	struct evlog_task_param tp = { 0 };
	struct evlog_summary_options so = { .release_offset_ns = -1, .tasks = &tp, .n_tasks = 1 };
	struct evlog_summary *s;
	const struct evlog_task_summary *ts = NULL;
	int run, csi;
	gboolean good = TRUE;

	*ok = FALSE;
	evlog_options_init(&o);
	o.format = spec->format;
	log = evlog_new(&o, error);
	if (!log)
		return FALSE;
	if (!evlog_load_file(log, file, error)) {
		evlog_free(log);
		return FALSE;
	}
	run = spec->task ? find_task(log, spec->task) : -1;
	if (run < 0) {
		g_autoptr(GString) tasks = g_string_new(NULL);

		list_tasks(log, tasks);
		g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_FORMAT, "%s: task %s is not in the log (tasks: %s)", file,
			    spec->task ? spec->task : "(none given)", tasks->str);
		evlog_free(log);
		return FALSE;
	}
	if (spec->max_response_ns >= 0 && spec->period_ns <= 0) {
		g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_OPTIONS,
			    "max_response needs the task's period (period: 10ms) to know when its jobs are released");
		evlog_free(log);
		return FALSE;
	}
	{
		struct evlog_track_info info;

		evlog_track_get_info(log, (guint)run, &info);
		tp.pid = info.key;
	}
	tp.period_ns = spec->period_ns > 0 ? spec->period_ns : 0;
	s = evlog_summary(log, &so);
	for (guint i = 0; i < s->n_tasks; i++)
		if (s->tasks[i].pid == tp.pid)
			ts = &s->tasks[i];
	csi = evlog_find_track(log, EVLOG_TRACK_CS, tp.pid);
	g_string_append_printf(report, "timeline %s: task %u, %" G_GUINT64_FORMAT " malformed lines\n", file, tp.pid,
			       evlog_get_stats(log)->malformed);
	if (ts && spec->max_response_ns >= 0)
		good &= check_response(spec, ts, report);
	if (ts && spec->max_cs_ns >= 0)
		good &= check_cs(spec, log, csi, ts, report);
	if (ts && spec->max_blocking_ns >= 0)
		good &= check_blocking(spec, log, (guint)run, csi, ts, report);
	if (ts && spec->max_response_ns < 0 && spec->max_cs_ns < 0 && spec->max_blocking_ns < 0)
		g_string_append(report, "no limits given: nothing checked\n");
	*ok = ts != NULL && good;
	evlog_summary_free(s);
	evlog_free(log);
	return *ok; /* FALSE without error: a limit does not hold */
}
