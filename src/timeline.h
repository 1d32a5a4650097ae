/* timeline.h - an event log file read incrementally (follow mode), and time/duration text. */
#ifndef VIRTCON_TIMELINE_H
#define VIRTCON_TIMELINE_H

#include <glib.h>

#include "evlog.h"

/* An event log file and the evlog it is parsed into, read as it grows. */
struct timeline_source;

/* Nothing is read yet: call timeline_source_poll(). options may be NULL (format recognised). */
struct timeline_source *timeline_source_new(const char *path, const struct evlog_options *options,
					    GError **error);
void timeline_source_free(struct timeline_source *src);
/*
 * Reads the bytes the file gained since the last call (the whole file the first time) into the
 * log with evlog_append; a partial last line waits for the next call. A file that became
 * shorter (truncated or replaced) is read again from its start into a new log. changed (may be
 * NULL) tells whether the log changed. FALSE with error (naming the file) when the file cannot
 * be read or its format not recognised.
 */
gboolean timeline_source_poll(struct timeline_source *src, gboolean *changed, GError **error);
/* The file is complete: its last line counts even without a newline (evlog_flush). */
gboolean timeline_source_finish(struct timeline_source *src, GError **error);
struct evlog *timeline_source_log(struct timeline_source *src);
const char *timeline_source_path(const struct timeline_source *src);
/* Grows by one each time the log changes (or is made anew): for caches of what it showed. */
guint64 timeline_source_generation(const struct timeline_source *src);
/* Grows by one each time the file was found shorter or replaced, and read again into a new log. */
guint timeline_source_resets(const struct timeline_source *src);

/* "10ms", "1.5 ms", "250us", "250µs", "100ns", "2s", "2" (seconds). FALSE when not a duration. */
gboolean timeline_parse_duration(const char *text, gint64 *ns);
/* A duration in the unit that fits: "850ns", "12.5µs" ("us" when ascii), "6.2ms", "1.250s". */
char *timeline_format_duration(gint64 ns, gboolean ascii);
/* A point in time, seconds with 3, 6 or 9 decimals as needed: "12.000100s", "3.100s". */
char *timeline_format_time(gint64 ns);

/* Lines "FILE:LINE: reason" for the log's first issues (at most max), and a count line. */
void timeline_report_issues(struct evlog *log, const char *path, guint max, GString *out);

#endif
