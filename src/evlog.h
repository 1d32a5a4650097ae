/* evlog.h - event logs (RK, trace-cmd report, CSV) as per-track span arrays with a time index. */
#ifndef VIRTCON_EVLOG_H
#define VIRTCON_EVLOG_H

#include <glib.h>

#define EVLOG_ERROR (evlog_error_quark())
GQuark evlog_error_quark(void);
enum evlog_error_code {
	EVLOG_ERROR_FORMAT, /* unknown format name, or the format could not be recognised */
	EVLOG_ERROR_OPTIONS, /* a CSV column mapping that cannot work */
	EVLOG_ERROR_IO,     /* the file could not be read */
};

/*
 * A log is read line by line into tracks; a track is a sorted array of non-overlapping spans
 * (start, end, aux). What a track means depends on its kind:
 */
enum evlog_track_kind {
	EVLOG_TRACK_VCPU,     /* RK 0/1: vCPU key (its pid) runs on a physical CPU; aux = cpu id */
	EVLOG_TRACK_TASK,     /* RK 100/101: task key (pid in the VM) runs; aux = the vCPU's pid */
	EVLOG_TRACK_CS,       /* RK 102/103: task key holds the global critical section; aux = vCPU */
	EVLOG_TRACK_THREAD,   /* trace-cmd sched_switch: thread key runs; aux = cpu */
	EVLOG_TRACK_RUNNABLE, /* trace-cmd sched_wakeup .. sched_switch in: waits for a cpu; aux = cpu */
	EVLOG_TRACK_CSV,      /* CSV: key = order in which the track's name was first seen */
};
const char *evlog_track_kind_name(enum evlog_track_kind kind); /* "vcpu", "task", ... */

/*
 * CSV column mapping (columns count from 0, -1 = unused). Either time_col + state_col (a row
 * opens or closes a span of its track) or begin_col + end_col (a row is a whole span). Times
 * are decimal numbers multiplied by time_unit_ns. A first line whose time is not a number is
 * taken as a header. Fields are split on sep; quoting is not supported.
 */
struct evlog_csv_map {
	char sep;                /* ',' */
	int track_col;           /* required: the track's name */
	int time_col, state_col; /* mode 1 */
	int begin_col, end_col;  /* mode 2 */
	int aux_col;             /* optional integer stored as the span's aux */
	const char *begin_value; /* "begin": state values, compared without case */
	const char *end_value;   /* "end" */
	double time_unit_ns;     /* 1e9: times in seconds */
};

struct evlog_options {
	const char *format;       /* "rk", "trace-cmd", "csv"; NULL: recognised from the data */
	gboolean rk_keep_all;     /* RK: do not ignore events before the first 101 */
	struct evlog_csv_map csv; /* for "csv" */
};
/* Defaults: format NULL, csv = { ',', 0, 1, 2, -1, -1, -1, "begin", "end", 1e9 }. */
void evlog_options_init(struct evlog_options *options);

struct evlog;

struct evlog *evlog_new(const struct evlog_options *options, GError **error);
void evlog_free(struct evlog *log);

/*
 * Parses the complete lines in data (continuing a line left partial by the previous call); a
 * trailing partial line is kept (up to EVLOG_MAX_LINE bytes) for the next call or evlog_flush().
 * FALSE only when the format could not be recognised (format NULL); bad lines are counted,
 * never fatal.
 */
#define EVLOG_MAX_LINE 65536
gboolean evlog_append(struct evlog *log, const char *data, gsize len, GError **error);
/* Parses the kept partial line as a complete one (end of file). */
gboolean evlog_flush(struct evlog *log, GError **error);
/* mmaps path and appends all of it, then flushes. */
gboolean evlog_load_file(struct evlog *log, const char *path, GError **error);
/* Builds the time index of every track now (queries otherwise build it lazily). */
void evlog_index(struct evlog *log);
const char *evlog_format_name(const struct evlog *log); /* NULL until recognised */

struct evlog_stats {
	guint64 bytes;        /* appended so far (a follower's read offset) */
	guint64 lines;
	guint64 events;       /* events read (an RK line is one; a sched_switch up to three) */
	guint64 ignored;      /* of which not used: before the first 101 (RK), other types */
	guint64 malformed;    /* lines that did not parse */
	guint64 out_of_order; /* events earlier than an event before them in the file */
	guint64 unpaired;     /* a begin while open (the open span is closed there), an end with
			       * nothing open after the track's first span, an end before its begin */
	gint64 t_min, t_max;  /* ns, over all events used; t_min > t_max when there are none */
	gint64 t_origin;      /* RK: time of the first 101 (-1 when none) */
	gsize bytes_held;     /* memory held by spans and indexes */
	guint64 spans;
};
/* The counters so far (bytes_held computed on each call). */
const struct evlog_stats *evlog_get_stats(struct evlog *log);

enum evlog_issue_kind { EVLOG_ISSUE_MALFORMED, EVLOG_ISSUE_OUT_OF_ORDER, EVLOG_ISSUE_UNPAIRED };
#define EVLOG_ISSUES_KEPT 8 /* per kind: the first ones */
struct evlog_issue {
	enum evlog_issue_kind kind;
	guint64 line;       /* 1-based */
	const char *reason; /* static text */
};
guint evlog_n_issues(const struct evlog *log);
const struct evlog_issue *evlog_get_issue(const struct evlog *log, guint i);

struct evlog_track_info {
	enum evlog_track_kind kind;
	guint32 key;
	const char *name;   /* "vcpu 12091", "task 2801", "cs 2801", "thread 56", or the CSV name */
	gsize n_spans;      /* closed spans */
	gboolean open;      /* a span has begun and not ended: it counts as running to t_max */
	gint64 open_start;
	guint32 open_aux;
};
guint evlog_n_tracks(const struct evlog *log);
/* Tracks are numbered in order of first appearance; the info is valid until the next append. */
gboolean evlog_track_get_info(const struct evlog *log, guint track, struct evlog_track_info *info);
int evlog_find_track(const struct evlog *log, enum evlog_track_kind kind, guint32 key);

struct evlog_span {
	gint64 start, end; /* ns; end > start */
	guint32 aux;
};
/* The i-th closed span of a track in time order (sorts the track first if needed). */
gboolean evlog_get_span(struct evlog *log, guint track, gsize i, struct evlog_span *span);

/* One cell of a timeline row. */
struct evlog_cell {
	float coverage;          /* 0..1: fraction of the cell covered by spans */
	guint32 n_spans;         /* spans touching the cell (the open one included) */
	guint32 aux_min, aux_max;/* over those spans; meaningless when n_spans is 0 */
};
#define EVLOG_MAX_CELLS (1u << 20)
/*
 * Splits [t0, t1) into n_cells equal cells and fills out[] for the track in O(n_cells log n):
 * coverage from prefix sums of durations, aux range from a min/max pyramid. An open span is
 * taken to run until t_max. FALSE for a bad track, t1 <= t0 or n_cells out of 1..EVLOG_MAX_CELLS.
 */
gboolean evlog_query(struct evlog *log, guint track, gint64 t0, gint64 t1, guint n_cells,
		     struct evlog_cell *out);

/* Summaries. */
struct evlog_task_param {
	guint32 pid;       /* task pid */
	gint64 period_ns;  /* its period: jobs are released at release + k * period */
	guint32 vm;        /* its VM (any number; 0 = unknown, then every other task is foreign) */
};
struct evlog_summary_options {
	gint64 release_offset_ns; /* first release after t_origin; < 0: 1 s as in the RK test plan */
	const struct evlog_task_param *tasks;
	guint n_tasks;
};

struct evlog_track_summary {
	guint track;
	guint64 n_spans;    /* closed spans */
	gint64 total_ns, max_ns;
	gboolean open;
};

struct evlog_job {
	gint64 release_ns;
	gint64 finish_ns;   /* end of the last run span that began in [release, next release) */
	gint64 response_ns; /* finish - release; -1 when the job did not run or has not finished */
};

struct evlog_task_summary {
	guint32 pid;
	gint64 period_ns;       /* 0 when not given: no jobs */
	guint n_jobs;
	struct evlog_job *jobs;
	gint64 response_max_ns; /* -1 when no job finished */
	guint n_missed;         /* finished jobs with response > period */
	guint64 n_cs;
	gint64 cs_total_ns, cs_max_ns;
	guint64 n_blocked;      /* critical sections entered after blocking */
	gint64 blocking_total_ns, blocking_max_ns;
};

struct evlog_summary {
	gint64 origin_ns;   /* stats t_origin */
	gint64 release_ns;  /* first release: origin + release offset (-1 without origin) */
	guint n_tracks;
	struct evlog_track_summary *tracks;
	guint n_tasks;      /* tasks: every TASK track, in track order */
	struct evlog_task_summary *tasks;
};
/*
 * Counts per track; per task (RK) response times per period, critical-section lengths and
 * blocking: the time a task was suspended just before entering the critical section while a
 * task of another VM held it (see evlog.c for the exact rule).
 */
struct evlog_summary *evlog_summary(struct evlog *log, const struct evlog_summary_options *options);
void evlog_summary_free(struct evlog_summary *summary);

#endif
