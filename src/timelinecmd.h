/* timelinecmd.h - `virtcon timeline FILE`: an event log's summary (text or JSON), or its timeline console. */
#ifndef VIRTCON_TIMELINECMD_H
#define VIRTCON_TIMELINECMD_H

#include <glib.h>

struct timeline_source;

/* What the timeline console shows: a log already read (its issues reported on stderr). */
struct timeline_view {
	struct timeline_source *src; /* the console takes it */
	gboolean follow;             /* poll the file for what it gains */
	gint64 budget_ns;            /* spans longer than this are overruns; -1: none */
	gboolean ascii;              /* draw with ASCII only */
};
/* The console (in the front end, which the engine does not link): returns the exit status. */
typedef int (*timelinecmd_console_fn)(struct timeline_view *view);

/*
 * argv[0] is "timeline". Exit status: 0, or 2 when the options are wrong or the file cannot be
 * read or its format recognised. Malformed lines are reported on stderr, never fatal.
 */
int timelinecmd_main(int argc, char **argv, timelinecmd_console_fn console);

#endif
