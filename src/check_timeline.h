/* check_timeline.h - check: { timeline: ... }: a step's limits computed from an event log. */
#ifndef VIRTCON_CHECK_TIMELINE_H
#define VIRTCON_CHECK_TIMELINE_H

#include <glib.h>

struct suite_check_timeline;

/*
 * Loads the log (spec->file, already expanded by the caller), computes the task's summary
 * (evlog_summary) and compares it with the limits. Returns TRUE when every limit holds.
 * report gets a person-readable account either way: the figures, and on failure the
 * offending spans ("response 6.2ms > 5ms: job released at 12.000100s, finished at
 * 12.006300s"), which the engine writes to the step's output and the journal.
 * FALSE with error set when the log cannot be read or the task is not in it.
 */
gboolean check_timeline_run(const struct suite_check_timeline *spec, const char *file, GString *report,
			    gboolean *ok, GError **error);

#endif
