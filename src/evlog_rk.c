/* evlog_rk.c - the RK event-log format: "<sec.nsec>, <type>, <cpuid>, <pid>, <arg1>, <arg2>". */
#include "config.h"

#include <string.h>

#include "evlog_fmt.h"

/*
 * Written by RK's rk_event_log_get as "%llu.%09llu, %d, %d, %d, %lu, %lu" after a header line
 * "time, type, cpuid, pid, arg1, arg2". Event types:
 *   0 / 1      a vCPU starts / stops: pid = the vCPU's pid, cpuid = the physical CPU
 *   100 / 101  a task in a VM starts / stops: arg1 = the task's pid, pid = its vCPU's pid
 *   102 / 103  the task enters / leaves the global critical section (same fields)
 * Each task's first event is a 101 (the task waiting for its release); everything before the
 * first 101 of the log is ignored, and so is a task's activity before its own first 101, unless
 * options.rk_keep_all. The time of the first 101 is the log's origin: the tasks are released
 * 1 s after it. Other event types are counted as ignored.
 */

struct rk_state {
	gboolean keep_all;
	gboolean started; /* the first 101 was seen */
};

struct rk_event {
	gint64 t;
	guint64 type;
	gint64 cpuid, pid;
	guint64 arg1, arg2;
};

static inline const char *skip_sp(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static inline gboolean comma(const char **p, const char *end)
{
	const char *q = skip_sp(*p, end);
	if (q >= end || *q != ',')
		return FALSE;
	*p = skip_sp(q + 1, end);
	return TRUE;
}

static inline gboolean parse_int(const char **p, const char *end, gint64 *v)
{
	gboolean neg = FALSE;
	guint64 u;

	if (*p < end && **p == '-') {
		neg = TRUE;
		(*p)++;
	}
	if (!evlog_parse_u64(p, end, &u) || u > G_MAXINT32 + 1ULL)
		return FALSE;
	*v = neg ? -(gint64)u : (gint64)u;
	return TRUE;
}

static gboolean rk_fields(const char *line, gsize len, struct rk_event *ev)
{
	const char *p = line, *end = line + len;

	p = skip_sp(p, end);
	return evlog_parse_seconds(&p, end, &ev->t) && comma(&p, end) &&
	       evlog_parse_u64(&p, end, &ev->type) && comma(&p, end) &&
	       parse_int(&p, end, &ev->cpuid) && comma(&p, end) && parse_int(&p, end, &ev->pid) &&
	       comma(&p, end) && evlog_parse_u64(&p, end, &ev->arg1) && comma(&p, end) &&
	       evlog_parse_u64(&p, end, &ev->arg2) && skip_sp(p, end) == end;
}

static gboolean is_header(const char *line, gsize len)
{
	return len >= 5 && g_ascii_strncasecmp(line, "time,", 5) == 0;
}

static int rk_probe(const char *data, gsize len)
{
	const char *p = data, *end = data + len;
	int good = 0, bad = 0;

	while (p < end && good + bad < 8) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize n = (gsize)((nl ? nl : end) - p);
		struct rk_event ev;

		if (!nl && good + bad > 0)
			break; /* a partial last line says nothing */

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (is_header(p, n) && memmem(p, n, "type", 4))
			return 100;
		if (n > 0) {
			if (rk_fields(p, n, &ev))
				good++;
			else
				bad++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return good > 0 && bad <= good / 4 ? 90 : 0;
}

static void *rk_state_new(const struct evlog_options *options)
{
	struct rk_state *st = g_new0(struct rk_state, 1);
	st->keep_all = options->rk_keep_all;
	return st;
}

static gboolean rk_parse_line(struct evlog *log, void *state, const char *line, gsize len,
			      guint64 line_no, const char **why)
{
	struct rk_state *st = state;
	struct rk_event ev;
	guint track;
	guint8 *armed;

	if (G_UNLIKELY(!rk_fields(line, len, &ev))) {
		if (line_no <= 1 && is_header(line, len))
			return TRUE;
		*why = "not \"<sec.nsec>, <type>, <cpuid>, <pid>, <arg1>, <arg2>\"";
		return FALSE;
	}
	switch (ev.type) {
	case 0:
	case 1:
		if (!st->started && !st->keep_all) {
			evlog_emit_ignored(log);
			return TRUE;
		}
		track = evlog_track_ref(log, EVLOG_TRACK_VCPU, (guint32)ev.pid, NULL);
		if (ev.type == 0)
			evlog_emit_begin(log, track, ev.t, (guint32)ev.cpuid, line_no);
		else
			evlog_emit_end(log, track, ev.t, line_no);
		return TRUE;
	case 100:
	case 101:
	case 102:
	case 103:
		break;
	default:
		evlog_emit_ignored(log);
		return TRUE;
	}
	if (ev.arg1 > G_MAXUINT32) {
		*why = "task pid (arg1) out of range";
		return FALSE;
	}
	track = evlog_track_ref(log, EVLOG_TRACK_TASK, (guint32)ev.arg1, NULL);
	armed = evlog_track_user(log, track);
	if (ev.type == 101 && !*armed) {
		*armed = 1;
		if (!st->started) {
			st->started = TRUE;
			evlog_set_origin(log, ev.t);
		}
		if (!st->keep_all) {
			evlog_emit_ignored(log); /* the task's first 101: it waits for its release */
			return TRUE;
		}
	}
	if (!*armed && !st->keep_all) {
		evlog_emit_ignored(log);
		return TRUE;
	}
	switch (ev.type) {
	case 100:
		evlog_emit_begin(log, track, ev.t, (guint32)ev.pid, line_no);
		break;
	case 101:
		evlog_emit_end(log, track, ev.t, line_no);
		break;
	case 102:
		track = evlog_track_ref(log, EVLOG_TRACK_CS, (guint32)ev.arg1, NULL);
		evlog_emit_begin(log, track, ev.t, (guint32)ev.pid, line_no);
		break;
	default:
		track = evlog_track_ref(log, EVLOG_TRACK_CS, (guint32)ev.arg1, NULL);
		evlog_emit_end(log, track, ev.t, line_no);
		break;
	}
	return TRUE;
}

const struct evlog_format evlog_format_rk = {
	.name = "rk",
	.probe = rk_probe,
	.state_new = rk_state_new,
	.state_free = g_free,
	.parse_line = rk_parse_line,
};
