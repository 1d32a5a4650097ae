/* timelinecmd.c - `virtcon timeline FILE`: an event log's summary (text or JSON), or its timeline console. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "evlog.h"
#include "timeline.h"
#include "timelinecmd.h"

#define ISSUES_SHOWN 5
#define JOBS_SHOWN 20

struct timelinecmd {
	const char *path;
	char *format;
	gboolean summary, json, follow, ascii;
	char **periods;  /* PID=DURATION */
	char *budget;
	char *release;
	GArray *tasks;   /* struct evlog_task_param */
	gint64 budget_ns, release_ns;
};

static gboolean parse_periods(struct timelinecmd *t, GError **error)
{
	t->tasks = g_array_new(FALSE, TRUE, sizeof(struct evlog_task_param));
	for (char **p = t->periods; p && *p; p++) {
		struct evlog_task_param tp = { 0 };
		const char *eq = strchr(*p, '=');
		g_autofree char *pid = eq ? g_strndup(*p, (gsize)(eq - *p)) : NULL;
		g_autofree char *d = NULL;
		guint64 v;
		char *at;

		if (!eq || !g_ascii_string_to_unsigned(pid, 10, 1, G_MAXUINT32, &v, NULL)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--period %s: give PID=DURATION (2801=10ms), optionally @VM (2801=10ms@1)", *p);
			return FALSE;
		}
		tp.pid = (guint32)v;
		d = g_strdup(eq + 1);
		at = strchr(d, '@');
		if (at) {
			*at = '\0';
			if (!g_ascii_string_to_unsigned(at + 1, 10, 0, G_MAXUINT32, &v, NULL)) {
				g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
					    "--period %s: the VM after @ is a number", *p);
				return FALSE;
			}
			tp.vm = (guint32)v;
		}
		if (!timeline_parse_duration(d, &tp.period_ns) || tp.period_ns <= 0) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--period %s: '%s' is not a duration (10ms, 500us, 1s)", *p, d);
			return FALSE;
		}
		g_array_append_val(t->tasks, tp);
	}
	return TRUE;
}

static void json_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

static void json_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void print_json(struct timelinecmd *t, struct evlog *log, const struct evlog_summary *s)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;
	const struct evlog_stats *st = evlog_get_stats(log);

	json_builder_begin_object(b);
	json_str(b, "file", t->path);
	json_str(b, "format", evlog_format_name(log));
	json_int(b, "lines", (gint64)st->lines);
	json_int(b, "events", (gint64)st->events);
	json_int(b, "malformed", (gint64)st->malformed);
	json_int(b, "out_of_order", (gint64)st->out_of_order);
	json_int(b, "unpaired", (gint64)st->unpaired);
	json_int(b, "t_min_ns", st->t_min <= st->t_max ? st->t_min : -1);
	json_int(b, "t_max_ns", st->t_min <= st->t_max ? st->t_max : -1);
	json_int(b, "origin_ns", s->origin_ns);
	json_int(b, "release_ns", s->release_ns);
	json_builder_set_member_name(b, "tracks");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->n_tracks; i++) {
		const struct evlog_track_summary *ts = &s->tracks[i];
		struct evlog_track_info info;

		evlog_track_get_info(log, ts->track, &info);
		json_builder_begin_object(b);
		json_str(b, "name", info.name);
		json_str(b, "kind", evlog_track_kind_name(info.kind));
		json_int(b, "key", info.key);
		json_int(b, "spans", (gint64)ts->n_spans);
		json_int(b, "total_ns", ts->total_ns);
		json_int(b, "max_ns", ts->max_ns);
		if (t->budget_ns >= 0) {
			gint64 over = 0;

			for (gsize k = 0; k < info.n_spans; k++) {
				struct evlog_span sp;

				if (evlog_get_span(log, ts->track, k, &sp) && sp.end - sp.start > t->budget_ns)
					over++;
			}
			json_int(b, "overruns", over);
		}
		json_builder_set_member_name(b, "open");
		json_builder_add_boolean_value(b, ts->open);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "tasks");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->n_tasks; i++) {
		const struct evlog_task_summary *ts = &s->tasks[i];

		json_builder_begin_object(b);
		json_int(b, "pid", ts->pid);
		json_int(b, "period_ns", ts->period_ns);
		json_builder_set_member_name(b, "jobs");
		json_builder_begin_array(b);
		for (guint k = 0; k < ts->n_jobs; k++) {
			json_builder_begin_object(b);
			json_int(b, "release_ns", ts->jobs[k].release_ns);
			json_int(b, "finish_ns", ts->jobs[k].finish_ns);
			json_int(b, "response_ns", ts->jobs[k].response_ns);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_int(b, "response_max_ns", ts->response_max_ns);
		json_int(b, "missed", ts->n_missed);
		json_builder_set_member_name(b, "cs");
		json_builder_begin_object(b);
		json_int(b, "count", (gint64)ts->n_cs);
		json_int(b, "total_ns", ts->cs_total_ns);
		json_int(b, "max_ns", ts->cs_max_ns);
		json_builder_end_object(b);
		json_builder_set_member_name(b, "blocking");
		json_builder_begin_object(b);
		json_int(b, "count", (gint64)ts->n_blocked);
		json_int(b, "total_ns", ts->blocking_total_ns);
		json_int(b, "max_ns", ts->blocking_max_ns);
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

static char *dur(gint64 ns)
{
	return timeline_format_duration(ns, FALSE);
}

static void print_task(const struct evlog_task_summary *ts, GString *o)
{
	g_string_append_printf(o, "task %u:", ts->pid);
	if (ts->period_ns > 0 && ts->n_jobs > 0) {
		g_autofree char *p = dur(ts->period_ns);

		g_string_append_printf(o, " period %s, %u jobs", p, ts->n_jobs);
		if (ts->response_max_ns >= 0) {
			g_autofree char *r = dur(ts->response_max_ns);
			g_string_append_printf(o, ", response max %s, %u missed", r, ts->n_missed);
		}
	} else if (ts->period_ns > 0) {
		g_string_append(o, " no jobs (no release time in the log)");
	} else {
		g_string_append(o, " no period given (--period PID=DURATION for response times)");
	}
	g_string_append_c(o, '\n');
	for (guint k = 0; k < ts->n_jobs && k < JOBS_SHOWN; k++) {
		const struct evlog_job *j = &ts->jobs[k];
		g_autofree char *rel = timeline_format_time(j->release_ns);

		if (j->response_ns >= 0) {
			g_autofree char *fin = timeline_format_time(j->finish_ns);
			g_autofree char *r = dur(j->response_ns);
			g_string_append_printf(o, "  job %u: released %s, finished %s, response %s%s\n", k + 1, rel, fin, r,
					       j->response_ns > ts->period_ns ? " (missed)" : "");
		} else {
			g_string_append_printf(o, "  job %u: released %s, not finished\n", k + 1, rel);
		}
	}
	if (ts->n_jobs > JOBS_SHOWN)
		g_string_append_printf(o, "  ... %u more jobs (--json lists them all)\n", ts->n_jobs - JOBS_SHOWN);
	if (ts->n_cs) {
		g_autofree char *tot = dur(ts->cs_total_ns);
		g_autofree char *mx = dur(ts->cs_max_ns);
		g_string_append_printf(o, "  critical sections: %" G_GUINT64_FORMAT ", total %s, max %s\n", ts->n_cs, tot,
				       mx);
	} else {
		g_string_append(o, "  critical sections: none\n");
	}
	if (ts->n_blocked) {
		g_autofree char *tot = dur(ts->blocking_total_ns);
		g_autofree char *mx = dur(ts->blocking_max_ns);
		g_string_append_printf(o, "  blocking: %" G_GUINT64_FORMAT " time%s, total %s, max %s\n", ts->n_blocked,
				       ts->n_blocked == 1 ? "" : "s", tot, mx);
	} else {
		g_string_append(o, "  blocking: none\n");
	}
}

static void print_text(struct timelinecmd *t, struct evlog *log, const struct evlog_summary *s)
{
	const struct evlog_stats *st = evlog_get_stats(log);
	g_autoptr(GString) o = g_string_new(NULL);
	int namew = 5;

	g_string_append_printf(o, "%s: %s, %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT " events, %u tracks, %"
			       G_GUINT64_FORMAT " malformed\n", t->path, evlog_format_name(log), st->lines, st->events,
			       evlog_n_tracks(log), st->malformed);
	if (st->t_min <= st->t_max) {
		g_autofree char *a = timeline_format_time(st->t_min);
		g_autofree char *b = timeline_format_time(st->t_max);
		g_autofree char *d = dur(st->t_max - st->t_min);
		g_string_append_printf(o, "time: %s to %s (%s)\n", a, b, d);
	}
	if (s->origin_ns >= 0) {
		g_autofree char *a = timeline_format_time(s->origin_ns);
		g_autofree char *b = timeline_format_time(s->release_ns);
		g_string_append_printf(o, "first 101 at %s, tasks released from %s\n", a, b);
	}
	for (guint i = 0; i < s->n_tracks; i++) {
		struct evlog_track_info info;

		evlog_track_get_info(log, s->tracks[i].track, &info);
		namew = MAX(namew, (int)strlen(info.name));
	}
	g_string_append_printf(o, "\n%-*s %8s %12s %12s%s\n", namew, "track", "spans", "total", "max",
			       t->budget_ns >= 0 ? "    overruns" : "");
	for (guint i = 0; i < s->n_tracks; i++) {
		const struct evlog_track_summary *ts = &s->tracks[i];
		struct evlog_track_info info;
		g_autofree char *tot = dur(ts->total_ns);
		g_autofree char *mx = dur(ts->max_ns);

		evlog_track_get_info(log, ts->track, &info);
		g_string_append_printf(o, "%-*s %8" G_GUINT64_FORMAT " %12s %12s", namew, info.name, ts->n_spans, tot, mx);
		if (t->budget_ns >= 0) {
			guint64 over = 0;

			for (gsize k = 0; k < info.n_spans; k++) {
				struct evlog_span sp;

				if (evlog_get_span(log, ts->track, k, &sp) && sp.end - sp.start > t->budget_ns)
					over++;
			}
			g_string_append_printf(o, " %11" G_GUINT64_FORMAT, over);
		}
		g_string_append(o, ts->open ? "  (open at the end)\n" : "\n");
	}
	if (s->n_tasks)
		g_string_append_c(o, '\n');
	for (guint i = 0; i < s->n_tasks; i++)
		print_task(&s->tasks[i], o);
	fputs(o->str, stdout);
}

static int summary(struct timelinecmd *t, struct timeline_source *src)
{
	struct evlog *log = timeline_source_log(src);
	struct evlog_summary_options so = { .release_offset_ns = t->release_ns };
	struct evlog_summary *s;

	so.tasks = (const struct evlog_task_param *)(void *)t->tasks->data;
	so.n_tasks = t->tasks->len;
	s = evlog_summary(log, &so);
	if (t->json)
		print_json(t, log, s);
	else
		print_text(t, log, s);
	evlog_summary_free(s);
	return 0;
}

static void timelinecmd_clear(struct timelinecmd *t)
{
	g_free(t->format);
	g_strfreev(t->periods);
	g_free(t->budget);
	g_free(t->release);
	if (t->tasks)
		g_array_unref(t->tasks);
}

static int run(struct timelinecmd *t, int argc, char **argv, timelinecmd_console_fn console)
{
	GOptionEntry entries[] = {
		{ "format", 0, 0, G_OPTION_ARG_STRING, &t->format, "rk, trace-cmd or csv (default: recognised)", "F" },
		{ "summary", 's', 0, G_OPTION_ARG_NONE, &t->summary, "Print per-track and per-task figures", NULL },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &t->json, "The summary as JSON", NULL },
		{ "period", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &t->periods, "A task's period (response times)",
		  "PID=DURATION[@VM]" },
		{ "release", 0, 0, G_OPTION_ARG_STRING, &t->release,
		  "First release after the first 101 (default 1s)", "DURATION" },
		{ "budget", 'b', 0, G_OPTION_ARG_STRING, &t->budget, "Spans longer than this are overruns", "DURATION" },
		{ "follow", 'f', 0, G_OPTION_ARG_NONE, &t->follow, "Read what the file gains (console)", NULL },
		{ "ascii", 0, 0, G_OPTION_ARG_NONE, &t->ascii, "Draw with ASCII only", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("FILE - an event log's timeline or summary");
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) issues = g_string_new(NULL);
	struct evlog_options o;
	struct timeline_source *src;
	int rc;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, "Without --summary: the timeline console (keys: ? there). "
					      "See virtcon(1), TIMELINE.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "virtcon timeline: %s\n", error->message);
		return 2;
	}
	if (argc != 2) {
		fprintf(stderr, "virtcon timeline: give one FILE (see virtcon timeline --help)\n");
		return 2;
	}
	t->path = argv[1];
	t->budget_ns = -1;
	t->release_ns = -1;
	if (t->budget && !timeline_parse_duration(t->budget, &t->budget_ns)) {
		fprintf(stderr, "virtcon timeline: --budget '%s' is not a duration (10ms, 500us, 1s)\n", t->budget);
		return 2;
	}
	if (t->release && !timeline_parse_duration(t->release, &t->release_ns)) {
		fprintf(stderr, "virtcon timeline: --release '%s' is not a duration (10ms, 500us, 1s)\n", t->release);
		return 2;
	}
	if (!parse_periods(t, &error)) {
		fprintf(stderr, "virtcon timeline: %s\n", error->message);
		return 2;
	}
	if (t->json && !t->summary) {
		fprintf(stderr, "virtcon timeline: --json goes with --summary\n");
		return 2;
	}
	evlog_options_init(&o);
	o.format = t->format;
	src = timeline_source_new(t->path, &o, &error);
	if (!src || !timeline_source_poll(src, NULL, &error) ||
	    (!t->follow && !timeline_source_finish(src, &error))) {
		fprintf(stderr, "virtcon timeline: %s\n", error->message);
		timeline_source_free(src);
		return 2;
	}
	if (!evlog_format_name(timeline_source_log(src)) && !t->follow) {
		fprintf(stderr, "virtcon timeline: %s: not an event log virtcon knows (rk, trace-cmd, csv)\n", t->path);
		timeline_source_free(src);
		return 2;
	}
	timeline_report_issues(timeline_source_log(src), t->path, ISSUES_SHOWN, issues);
	fputs(issues->str, stderr);
	if (t->summary) {
		rc = summary(t, src);
		timeline_source_free(src);
		return rc;
	}
	{
		struct timeline_view view = { src, t->follow, t->budget_ns, t->ascii };

		return console(&view);
	}
}

int timelinecmd_main(int argc, char **argv, timelinecmd_console_fn console)
{
	struct timelinecmd t = { 0 };
	int rc = run(&t, argc, argv, console);

	timelinecmd_clear(&t);
	return rc;
}
