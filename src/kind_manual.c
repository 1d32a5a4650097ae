/* kind_manual.c - manual steps: the operator follows the instructions and gives the verdict. */
#include "config.h"

#include "journal.h"
#include "run_private.h"

static void manual_start(struct run *run)
{
	const struct suite_step *ss = run_cur_def(run);
	struct run_step *st = run_cur_state(run);
	const struct run_options *opts = run_options(run);
	const char *given = NULL;
	g_autofree char *num = g_strdup_printf("%u", run_cur(run) + 1);

	if (opts->verdicts) {
		given = g_hash_table_lookup(opts->verdicts, num);
		if (!given)
			given = g_hash_table_lookup(opts->verdicts, ss->name);
	}
	if (given) {
		enum step_status v = g_str_equal(given, "pass") ? STEP_PASS
				     : g_str_equal(given, "fail") ? STEP_FAIL : STEP_SKIP;

		if (run_journal(run))
			journal_verdict(run_journal(run), run_cur(run), given, "given with --verdict");
		g_free(st->note);
		st->note = g_strdup("given with --verdict");
		run_step_endf(run, v, -1, "manual step: %s given with --verdict", given);
		return;
	}
	if (opts->headless) {
		run_step_end(run, STEP_SKIP, -1, "manual step: no verdict given (use --verdict)");
		return;
	}
	/* the step stays running until run_verdict() */
	st->waiting_verdict = TRUE;
	run_notify_cur(run);
}

static void manual_stop(struct run *run, gboolean timed_out)
{
	run_step_complete(run, -1, 0);
}

const struct step_kind kind_manual = {
	.name = "manual",
	.start = manual_start,
	.stop = manual_stop,
};
