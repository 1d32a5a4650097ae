/* runner.h - the headless front ends: `virtcon run` and `virtcon check`. */
#ifndef VIRTCON_RUNNER_H
#define VIRTCON_RUNNER_H

#include <glib.h>

/* Exit statuses of `virtcon run` (and of the console when it quits after a run). */
enum runner_exit {
	RUNNER_EXIT_PASS = 0,        /* every step passed or was skipped */
	RUNNER_EXIT_FAIL = 1,        /* a step failed or errored */
	RUNNER_EXIT_USAGE = 2,       /* bad usage, or the suite file is invalid */
	RUNNER_EXIT_BLOCKED = 3,     /* a step was blocked and none failed */
	RUNNER_EXIT_INTERRUPTED = 130,
};

/* A new journal path: $XDG_STATE_HOME/virtcon/journals/SUITE-YYYYMMDD-HHMMSS[-N].jsonl, with the
 * directory created. NULL with an error when the directory cannot be made. */
char *runner_default_journal_path(const char *suite_name, GError **error);

/* argv[0] is the command name ("run", "check"). Return the process exit status. */
int runner_run_main(int argc, char **argv);
int runner_check_main(int argc, char **argv);

#endif
