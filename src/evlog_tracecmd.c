/* evlog_tracecmd.c - `trace-cmd report` text: sched_switch and sched_wakeup lines into thread tracks. */
#include "config.h"

#include <string.h>

#include "evlog_fmt.h"

/*
 * A report line is "COMM-PID [CPU] [FLAGS] SECONDS: EVENT: DETAILS" (COMM may hold spaces and
 * dashes). Two shapes of DETAILS are read, the raw event format and trace-cmd's plugin format:
 *   sched_switch: prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=b next_pid=2 ...
 *   sched_switch: a:1 [120] S ==> b:2 [120]
 *   sched_wakeup: comm=b pid=2 prio=120 target_cpu=003   |   b:2 [120] CPU:003
 * A thread track (key = pid) holds the spans the thread ran (aux = cpu); a runnable track the
 * spans from its wakeup (or its preemption, prev_state R) to its switch-in (aux = cpu). Pid 0
 * (the idle task of every CPU) has no track. Other events and header lines are skipped.
 */

static const char *find(const char *p, const char *end, const char *s)
{
	return memmem(p, (gsize)(end - p), s, strlen(s));
}

static gboolean num_after(const char *p, const char *end, const char *key, guint64 *v)
{
	const char *q = find(p, end, key);

	while (q && q > p && q[-1] != ' ') /* "pid=" must not match inside "prev_pid=" */
		q = find(q + 1, end, key);
	if (!q)
		return FALSE;
	q += strlen(key);
	return evlog_parse_u64(&q, end, v);
}

/* "comm:pid [prio]..." -> pid: the digits before the first " [" after a ':'. */
static gboolean plugin_pid(const char *p, const char *end, const char **after, guint64 *pid)
{
	const char *br = find(p, end, " [");
	const char *d;

	if (!br)
		return FALSE;
	d = br;
	while (d > p && d[-1] >= '0' && d[-1] <= '9')
		d--;
	if (d == br || d == p || d[-1] != ':')
		return FALSE;
	*after = br + 2;
	return evlog_parse_u64(&d, br, pid);
}

static gboolean parse_switch(const char *p, const char *end, guint64 *prev, guint64 *next,
			     gboolean *prev_runnable)
{
	const char *arrow = find(p, end, " ==> "), *after, *st;

	if (!arrow)
		return FALSE;
	if (num_after(p, arrow, "prev_pid=", prev)) {
		st = find(p, arrow, "prev_state=");
		*prev_runnable = st && st + 11 < arrow && st[11] == 'R';
		return num_after(arrow, end, "next_pid=", next);
	}
	if (!plugin_pid(p, arrow, &after, prev))
		return FALSE;
	st = memchr(after, ']', (gsize)(arrow - after));
	*prev_runnable = st && st + 2 < arrow && st[1] == ' ' && st[2] == 'R';
	return plugin_pid(arrow + 5, end, &after, next);
}

static gboolean parse_wakeup(const char *p, const char *end, guint64 *pid, guint64 *cpu)
{
	const char *after, *c;

	if (num_after(p, end, "pid=", pid)) {
		num_after(p, end, "target_cpu=", cpu);
		return TRUE;
	}
	if (!plugin_pid(p, end, &after, pid))
		return FALSE;
	c = find(after, end, "CPU:");
	if (c) {
		c += 4;
		evlog_parse_u64(&c, end, cpu);
	}
	return TRUE;
}

/* Locates ": sched_" and reads the time before it and the [cpu] before that. */
static const char *header_fields(const char *line, const char *end, gint64 *t, guint64 *cpu,
				 gboolean *ok)
{
	const char *ev = find(line, end, ": sched_");
	const char *ts, *br, *q;

	*ok = FALSE;
	if (!ev)
		return NULL;
	ts = ev;
	while (ts > line && ((ts[-1] >= '0' && ts[-1] <= '9') || ts[-1] == '.'))
		ts--;
	q = ts;
	if (ts == ev || !evlog_parse_seconds(&q, ev, t) || q != ev)
		return ev;
	for (br = ts; br > line && br[-1] != ']'; br--)
		;
	if (br == line)
		return ev;
	for (q = br - 1; q > line && q[-1] >= '0' && q[-1] <= '9'; q--)
		;
	if (q == line || q[-1] != '[' || !evlog_parse_u64(&q, br - 1, cpu))
		return ev;
	*ok = TRUE;
	return ev + 2;
}

static int tc_probe(const char *data, gsize len)
{
	gsize n = MIN(len, (gsize)8192);

	if ((len >= 5 && memcmp(data, "cpus=", 5) == 0) ||
	    (len >= 10 && memcmp(data, "version = ", 10) == 0))
		return 80;
	if (memmem(data, n, ": sched_switch:", 15) || memmem(data, n, ": sched_wakeup", 14))
		return 80;
	return 0;
}

static gboolean is_open(struct evlog *log, guint track)
{
	struct evlog_track_info info;
	return evlog_track_get_info(log, track, &info) && info.open;
}

static gboolean tc_parse_line(struct evlog *log, void *state, const char *line, gsize len,
			      guint64 line_no, const char **why)
{
	const char *end = line + len, *ev;
	gint64 t;
	guint64 cpu = 0, prev, next, pid;
	gboolean ok, prev_runnable = FALSE;
	guint tr;

	ev = header_fields(line, end, &t, &cpu, &ok);
	if (!ev)
		return TRUE; /* header, other events, "CPU 0 is empty" ... */
	if (!ok) {
		*why = "no \"[CPU] SECONDS:\" before the sched event";
		return FALSE;
	}
	if (cpu > G_MAXUINT32)
		cpu = G_MAXUINT32;
	if (end - ev > 13 && memcmp(ev, "sched_switch:", 13) == 0) {
		if (!parse_switch(ev + 13, end, &prev, &next, &prev_runnable) ||
		    prev > G_MAXUINT32 || next > G_MAXUINT32) {
			*why = "sched_switch without prev and next pids";
			return FALSE;
		}
		if (prev != 0) {
			evlog_emit_end(log, evlog_track_ref(log, EVLOG_TRACK_THREAD, (guint32)prev, NULL),
				       t, line_no);
			if (prev_runnable)
				evlog_emit_begin_if_closed(log,
					evlog_track_ref(log, EVLOG_TRACK_RUNNABLE, (guint32)prev, NULL),
					t, (guint32)cpu, line_no);
		}
		if (next != 0) {
			tr = evlog_track_ref(log, EVLOG_TRACK_RUNNABLE, (guint32)next, NULL);
			if (is_open(log, tr))
				evlog_emit_end(log, tr, t, line_no);
			evlog_emit_begin(log, evlog_track_ref(log, EVLOG_TRACK_THREAD, (guint32)next, NULL),
					 t, (guint32)cpu, line_no);
		}
		return TRUE;
	}
	if (end - ev > 12 && memcmp(ev, "sched_wakeup", 12) == 0) {
		const char *d = memchr(ev, ':', (gsize)(end - ev));
		guint64 target = cpu;
		if (!d || !parse_wakeup(d + 1, end, &pid, &target) || pid > G_MAXUINT32) {
			*why = "sched_wakeup without a pid";
			return FALSE;
		}
		if (target > G_MAXUINT32)
			target = G_MAXUINT32;
		if (pid != 0)
			evlog_emit_begin_if_closed(log,
				evlog_track_ref(log, EVLOG_TRACK_RUNNABLE, (guint32)pid, NULL), t,
				(guint32)target, line_no);
		return TRUE;
	}
	evlog_emit_ignored(log); /* another sched_ event */
	return TRUE;
}

const struct evlog_format evlog_format_trace_cmd = {
	.name = "trace-cmd",
	.probe = tc_probe,
	.parse_line = tc_parse_line,
};
