/* kind_console.c - send: text to a machine's session (serial console, SSH shell or host shell), then
 * expect its patterns in order; and wait: { console: PATTERN }. Both read the session expect(1)-style. */
#include "config.h"

#include <string.h>

#include "expect.h"
#include "run_private.h"
#include "session.h"
#include "ssh.h"
#include "vars.h"

#define CONSOLE_TAIL_LINES 5

struct console_step {
	struct session *console;
	GPtrArray *patterns; /* GRegex *, awaited in order */
	guint next;          /* the first pattern not matched yet */
	GString *consumed;   /* what the matches consumed, for no-match */
};

static void console_step_free(struct console_step *cs)
{
	if (cs->patterns)
		g_ptr_array_unref(cs->patterns);
	if (cs->consumed)
		g_string_free(cs->consumed, TRUE);
	g_free(cs);
}

static const char *pattern_text(const struct console_step *cs, guint i)
{
	return g_regex_get_pattern(g_ptr_array_index(cs->patterns, i));
}

/* Ends the step when every pattern has matched; called on new console bytes and at start. */
static void console_progress(struct run *run, struct session *console)
{
	struct console_step *cs = run_kind_data(run);
	const struct suite_step *ss = run_cur_def(run);

	if (!cs || cs->console != console)
		return;
	while (cs->next < cs->patterns->len) {
		g_autofree char *matched = NULL;

		if (!expect_match(session_expect(console), g_ptr_array_index(cs->patterns, cs->next), &matched))
			break;
		g_string_append(cs->consumed, matched);
		cs->next++;
	}
	if (cs->next == cs->patterns->len) {
		/* output patterns: match was awaited above; no-match is judged on what was consumed */
		for (guint i = 0; ss->expect.no_match && i < ss->expect.no_match->len; i++) {
			const char *pat = g_ptr_array_index(ss->expect.no_match, i);
			g_autoptr(GRegex) re = g_regex_new(pat, G_REGEX_MULTILINE, 0, NULL);

			if (re && g_regex_match(re, cs->consumed->str, 0, NULL)) {
				run_step_endf(run, STEP_FAIL, -1, "%s printed '%s' (no-match)",
					      session_describe(console), pat);
				return;
			}
		}
		if (ss->expect.timeout)
			run_step_endf(run, STEP_FAIL, -1, "expected to time out, but %s printed what was awaited",
				      session_describe(console));
		else
			run_step_end(run, STEP_PASS, -1, NULL);
		return;
	}
	if (!session_is_open(console))
		run_step_endf(run, STEP_ERROR, -1, "%s, while waiting for '%s'", session_closed_why(console),
			      pattern_text(cs, cs->next));
}

static void console_ready(struct run *run, struct session *console, const GError *error)
{
	struct console_step *cs = run_kind_data(run);
	const struct suite_step *ss = run_cur_def(run);
	g_autoptr(GError) err = NULL;

	if (error) {
		/* an unknown SSH host key waits for the operator to accept it */
		run_step_endf(run, g_error_matches(error, SSH_ERROR, SSH_ERROR_HOSTKEY_UNKNOWN) ? STEP_BLOCKED : STEP_ERROR,
			      -1, "%s", error->message);
		return;
	}
	cs->console = console;
	if (ss->kind == SUITE_STEP_SEND) {
		g_autofree char *text = vars_expand(run_vars(run), ss->send, VARS_RAW, &err);

		if (!text) {
			run_step_endf(run, STEP_ERROR, -1, "%s", err->message);
			return;
		}
		if (!session_write(console, text, strlen(text))) {
			run_step_endf(run, STEP_ERROR, -1, "could not write to %s: %s", session_describe(console),
				      session_closed_why(console) ? session_closed_why(console) : "it is closed");
			return;
		}
	}
	run_set_console_waiter(run, console_progress);
	console_progress(run, console);
}

static void console_start(struct run *run)
{
	const struct suite_step *ss = run_cur_def(run);
	struct console_step *cs = g_new0(struct console_step, 1);
	g_autoptr(GError) error = NULL;

	run_set_kind_data(run, cs);
	cs->patterns = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
	cs->consumed = g_string_new(NULL);
	if (ss->kind == SUITE_STEP_WAIT) {
		GRegex *re = g_regex_new(ss->wait_console, G_REGEX_MULTILINE, 0, &error);

		if (!re) {
			run_step_endf(run, STEP_ERROR, -1, "wait console '%s': %s", ss->wait_console, error->message);
			return;
		}
		g_ptr_array_add(cs->patterns, re);
	}
	for (guint i = 0; ss->kind == SUITE_STEP_SEND && ss->expect.match && i < ss->expect.match->len; i++) {
		g_autofree char *pat = vars_expand(run_vars(run), g_ptr_array_index(ss->expect.match, i), VARS_RAW, &error);
		GRegex *re = pat ? g_regex_new(pat, G_REGEX_MULTILINE, 0, &error) : NULL;

		if (!re) {
			run_step_endf(run, STEP_ERROR, -1, "expect match '%s': %s",
				      (char *)g_ptr_array_index(ss->expect.match, i), error->message);
			return;
		}
		g_ptr_array_add(cs->patterns, re);
	}
	run_machine_session(run, run_cur_machine(run), console_ready);
}

static void console_stop(struct run *run, gboolean timed_out)
{
	struct console_step *cs = run_kind_data(run);
	const struct suite_step *ss = run_cur_def(run);
	g_autofree char *limit = run_format_duration_ms(run_cur_timeout_ms(run));
	g_autofree char *tail = NULL;

	if (!timed_out || !cs || !cs->console || cs->next >= cs->patterns->len || ss->expect.timeout) {
		run_step_complete(run, -1, 0); /* aborted, expected timeout, or nothing to wait for */
		return;
	}
	tail = expect_tail(session_expect(cs->console), CONSOLE_TAIL_LINES);
	run_step_endf(run, STEP_FAIL, -1, "timed out after %s waiting for '%s' on %s%s%s", limit,
		      pattern_text(cs, cs->next), session_describe(cs->console),
		      tail && *tail ? "; it last printed: " : " (it printed nothing)", tail ? tail : "");
}

static void console_cleanup(struct run *run)
{
	console_step_free(run_kind_data(run));
}

const struct step_kind kind_console = {
	.name = "console",
	.start = console_start,
	.stop = console_stop,
	.cleanup = console_cleanup,
};
