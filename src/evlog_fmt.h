/* evlog_fmt.h - what an event-log format sees of the log: its table entry and the emit calls. */
#ifndef VIRTCON_EVLOG_FMT_H
#define VIRTCON_EVLOG_FMT_H

#include "evlog.h"

/* One format: a small const table entry, one file each (evlog_rk.c, ...). */
struct evlog_format {
	const char *name;
	/* 0 (not this format) .. 100 (sure), from the first bytes of a log */
	int (*probe)(const char *data, gsize len);
	/* Per-log state, may be NULL; options were checked by check. */
	gboolean (*check)(const struct evlog_options *options, GError **error);
	void *(*state_new)(const struct evlog_options *options);
	void (*state_free)(void *state);
	/*
	 * One line without its '\n' (nor a trailing '\r'), never empty. Returns FALSE and sets
	 * *why for a malformed line. line_no counts from 1.
	 */
	gboolean (*parse_line)(struct evlog *log, void *state, const char *line, gsize len,
			       guint64 line_no, const char **why);
	/*
	 * Optional fast path: parses the ordinary line starting at p (end is the end of the buffer,
	 * not of the line) and returns the byte after its '\n', or NULL (having done nothing) to
	 * leave the line to parse_line.
	 */
	const char *(*parse_fast)(struct evlog *log, void *state, const char *p, const char *end,
				  guint64 line_no);
};

extern const struct evlog_format evlog_format_rk;
extern const struct evlog_format evlog_format_trace_cmd;
extern const struct evlog_format evlog_format_csv;

/* Find or create the track (name built from kind and key unless name is given). */
guint evlog_track_ref(struct evlog *log, enum evlog_track_kind kind, guint32 key, const char *name);
/* Per-track byte the format may use (RK: a task has seen its first 101). */
guint8 *evlog_track_user(struct evlog *log, guint track);

/* Events. Each checks the time order in the file and counts the event. */
void evlog_emit_begin(struct evlog *log, guint track, gint64 t, guint32 aux, guint64 line_no);
/* Begins only when the track has no open span (a second wakeup of a runnable task). */
void evlog_emit_begin_if_closed(struct evlog *log, guint track, gint64 t, guint32 aux,
				guint64 line_no);
void evlog_emit_end(struct evlog *log, guint track, gint64 t, guint64 line_no);
void evlog_emit_span(struct evlog *log, guint track, gint64 start, gint64 end, guint32 aux,
		     guint64 line_no);
/* An event of the format that is not used (counted in stats.ignored). */
void evlog_emit_ignored(struct evlog *log);
void evlog_set_origin(struct evlog *log, gint64 t);
gint64 evlog_get_origin(const struct evlog *log);

/* Parsing helpers shared by the formats. */
/* Times are kept within +-4e18 ns (+-126 years) so that span lengths never overflow. */
#define EVLOG_MAX_SECONDS 4000000000ULL
/* "123.456789" seconds -> ns; *p advanced past it. FALSE when not a number or too large. */
gboolean evlog_parse_seconds(const char **p, const char *end, gint64 *ns);
gboolean evlog_parse_u64(const char **p, const char *end, guint64 *v);

#endif
