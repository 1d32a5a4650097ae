/* commands.c - the operator's commands: one function each, found by key in one table. */
#include "config.h"

#include "commands.h"
#include "console.h"
#include "keys.h"
#include "suite.h"

static void report(struct console *c, gboolean ok, GError *error)
{
	if (!ok && error)
		console_message(c, TRUE, "%s", error->message);
	console_dirty(c);
}

static const struct suite_step *selected_suite_step(const struct console *c, int *index)
{
	int sel = console_selected_step(c);

	*index = sel;
	return c->suite && sel >= 0 ? g_ptr_array_index(c->suite->steps, sel) : NULL;
}

/* Opening a suite: while a step runs, ask first. */
static void open_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	if (answer == 'y' && p->index >= 0) {
		session_open(c, (guint)p->index);
		c->focus = FOCUS_STEPS;
	}
}

void cmd_open_suite(struct console *c, int index)
{
	g_autofree char *label = NULL;
	const char *name;

	if (index < 0 || index >= (int)c->suite_paths->len)
		return;
	name = g_ptr_array_index(c->suite_names, index);
	if (index == c->open_index && c->suite && !c->run) {
		c->focus = FOCUS_STEPS;
		console_dirty(c);
		return;
	}
	if (c->run && run_busy(c->run))
		label = g_strdup_printf("A step is running: abort it and open %s? (y/n)", name);
	else if (index == c->open_index && c->run)
		label = g_strdup_printf("Start a new session of %s (a new journal)? (y/n)", name);
	if (!label) {
		if (session_open(c, (guint)index))
			c->focus = FOCUS_STEPS;
		return;
	}
	console_prompt(c, PROMPT_CONFIRM, label, NULL, open_answered);
	c->prompt.index = index;
}

void cmd_run_selected(struct console *c)
{
	g_autoptr(GError) error = NULL;
	int sel = console_selected_step(c);

	if (sel < 0 || !session_ensure_run(c))
		return;
	report(c, run_start_step(c->run, (guint)sel, &error), error);
}

static void cmd_next(struct console *c)
{
	g_autoptr(GError) error = NULL;

	if (session_ensure_run(c))
		report(c, run_next(c->run, &error), error);
}

static void cmd_all(struct console *c)
{
	g_autoptr(GError) error = NULL;

	if (session_ensure_run(c))
		report(c, run_all(c->run, &error), error);
}

static void skip_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	g_autoptr(GError) error = NULL;

	if (!answer || !session_ensure_run(c))
		return;
	report(c, run_skip(c->run, (guint)p->step, text && *text ? text : NULL, &error), error);
}

static void cmd_skip(struct console *c)
{
	g_autofree char *label = NULL;
	int sel;

	if (!selected_suite_step(c, &sel))
		return;
	label = g_strdup_printf("Skip step %d. Note (optional, Enter skips, Esc cancels):", sel + 1);
	console_prompt(c, PROMPT_LINE, label, "", skip_answered);
	c->prompt.step = sel;
}

static void cmd_retry(struct console *c)
{
	g_autoptr(GError) error = NULL;
	int sel = console_selected_step(c);

	if (sel >= 0 && session_ensure_run(c))
		report(c, run_retry(c->run, (guint)sel, &error), error);
}

static void host_key_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	g_autoptr(GError) error = NULL;

	if (answer != 'y' || !c->run)
		return;
	if (run_host_key_accept(c->run, (guint)p->step, &error))
		console_message(c, FALSE, "host key recorded: r retries step %d", p->step + 1);
	else
		console_message(c, TRUE, "%s", error->message);
}

static void host_key_scanned(struct run *run, guint step, const char *fingerprint, const char *host, guint port,
			     const char *file, const GError *error, void *user_data)
{
	struct console *c = user_data;
	g_autofree char *label = NULL;

	if (error) {
		console_message(c, TRUE, "cannot fetch the host key of %s:%u: %s", host, port, error->message);
		return;
	}
	label = g_strdup_printf("%s:%u has host key %s. Compare it with the machine's own, then add it to %s? (y/n)",
				host, port, fingerprint, file);
	console_prompt(c, PROMPT_CONFIRM, label, NULL, host_key_answered);
	c->prompt.step = (int)step;
}

/* K: the selected step was blocked by an SSH machine's unknown host key: fetch it, show its
 * fingerprint, and record it when the operator says yes. */
static void cmd_host_key(struct console *c)
{
	g_autoptr(GError) error = NULL;
	int sel = console_selected_step(c);

	if (sel < 0 || !session_ensure_run(c))
		return;
	if (run_host_key_scan(c->run, (guint)sel, host_key_scanned, c, &error))
		console_message(c, FALSE, "fetching the host key of step %d's machine ...", sel + 1);
	else
		console_message(c, TRUE, "%s", error->message);
}

static void cmd_abort(struct console *c)
{
	g_autoptr(GError) error = NULL;

	if (!c->run) {
		console_message(c, TRUE, "no step is running");
		return;
	}
	report(c, run_abort(c->run, &error), error);
}

static void note_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	g_autoptr(GError) error = NULL;

	if (!answer || !session_ensure_run(c))
		return;
	report(c, run_verdict(c->run, (guint)p->step, (enum step_status)p->verdict, text && *text ? text : NULL,
			      &error), error);
}

static void verdict_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	g_autofree char *label = NULL;
	enum step_status v = answer == 'p' ? STEP_PASS : answer == 'f' ? STEP_FAIL : STEP_SKIP;
	int step = p->step;

	if (!answer)
		return;
	label = g_strdup_printf("Verdict %s for step %d. Note (optional, Enter gives it, Esc cancels):",
				step_status_name(v), step + 1);
	console_prompt(c, PROMPT_LINE, label, "", note_answered);
	c->prompt.step = step;
	c->prompt.verdict = (int)v;
}

static void cmd_verdict(struct console *c)
{
	g_autofree char *label = NULL;
	const struct suite_step *ss;
	int step;

	ss = selected_suite_step(c, &step);
	/* the manual step that waits wins over the selection */
	if (c->run && run_current(c->run) >= 0 && run_get_step(c->run, (guint)run_current(c->run))->waiting_verdict) {
		step = run_current(c->run);
		ss = g_ptr_array_index(c->suite->steps, step);
	}
	if (!ss)
		return;
	if (ss->kind != SUITE_STEP_MANUAL) {
		console_message(c, TRUE, "step %d is not a manual step: its command decides (s skips it)", step + 1);
		return;
	}
	label = g_strdup_printf("Verdict for step %d: p pass, f fail, s skip (Esc cancels)", step + 1);
	console_prompt(c, PROMPT_CHOICE, label, NULL, verdict_answered);
	c->prompt.choices = "pfs";
	c->prompt.step = step;
}

static void edit_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	g_autoptr(GError) error = NULL;

	if (!answer || !session_ensure_run(c))
		return;
	if (!run_edit(c->run, (guint)p->step, text, &error)) {
		report(c, FALSE, error);
		return;
	}
	console_message(c, FALSE, "step %d: command changed; Enter runs it", p->step + 1);
}

static void cmd_edit(struct console *c)
{
	g_autofree char *label = NULL;
	const struct suite_step *ss;
	const struct run_step *st;
	int sel;

	ss = selected_suite_step(c, &sel);
	if (!ss)
		return;
	if (ss->kind != SUITE_STEP_RUN) {
		console_message(c, TRUE, "step %d is a manual step: it has no command to edit", sel + 1);
		return;
	}
	st = console_step(c, (guint)sel);
	label = g_strdup_printf("Command for step %d:", sel + 1);
	console_prompt(c, PROMPT_LINE, label, st && st->edited ? st->edited : ss->run, edit_answered);
	c->prompt.step = sel;
}

static void cmd_breakpoint(struct console *c)
{
	int sel = console_selected_step(c);

	if (sel < 0 || !session_ensure_run(c))
		return;
	run_toggle_breakpoint(c->run, (guint)sel);
}

static void cmd_export(struct console *c)
{
	session_export(c);
}

/* The running step is aborted first, so the journal says how it ended; the console quits when
 * the engine goes idle (or after QUIT_GRACE_MS, if the step's processes take longer to die). */
#define QUIT_GRACE_MS 3000

static gboolean quit_grace_cb(gpointer data)
{
	struct console *c = data;

	c->quit_grace_id = 0;
	console_quit(c);
	return G_SOURCE_REMOVE;
}

static void quit_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	if (answer != 'y')
		return;
	c->interrupted = TRUE;
	if (c->run && run_busy(c->run) && run_abort(c->run, NULL) && run_busy(c->run)) {
		c->quit_pending = TRUE;
		console_message(c, FALSE, "aborting the running step, then quitting");
		if (!c->quit_grace_id)
			c->quit_grace_id = g_timeout_add(QUIT_GRACE_MS, quit_grace_cb, c);
		return;
	}
	console_quit(c);
}

void cmd_quit(struct console *c)
{
	if (c->run && run_busy(c->run)) {
		console_prompt(c, PROMPT_CONFIRM, "A step is running: abort it and quit? (y/n)", NULL, quit_answered);
		return;
	}
	console_quit(c);
}

static void cmd_help(struct console *c)
{
	c->help = TRUE;
	c->help_top = 0;
	console_dirty(c);
}

static void cmd_zoom(struct console *c)
{
	if (c->zoomed >= 0) {
		c->zoomed = -1;
	} else if (c->n_panes) {
		if (c->focus < FOCUS_PANE)
			c->focus = FOCUS_PANE;
		c->zoomed = c->focus - FOCUS_PANE;
	}
	console_dirty(c);
}

static void cmd_close_pane(struct console *c)
{
	int i = c->zoomed >= 0 ? c->zoomed : c->focus - FOCUS_PANE;

	if (i < 0 || i >= c->n_panes) {
		console_message(c, TRUE, "no pane has focus: Tab to one, then w closes it");
		return;
	}
	session_close_pane(c, i);
}

static void cmd_redraw(struct console *c)
{
	clearok(curscr, TRUE);
	console_dirty(c);
}

static const struct command commands[] = {
	{ 'n', cmd_next },
	{ 'a', cmd_all },
	{ 's', cmd_skip },
	{ 'r', cmd_retry },
	{ 'x', cmd_abort },
	{ 'v', cmd_verdict },
	{ 'e', cmd_edit },
	{ 'b', cmd_breakpoint },
	{ 'K', cmd_host_key },
	{ 'E', cmd_export },
	{ 'z', cmd_zoom },
	{ 'w', cmd_close_pane },
	{ '?', cmd_help },
	{ UI_KEY_FN(KEY_F(1)), cmd_help },
	{ 'q', cmd_quit },
	{ UI_CTRL('l'), cmd_redraw },
};

const struct command *command_for_key(int key)
{
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		if (commands[i].key == key)
			return &commands[i];
	return NULL;
}
