/* console.c - the console's main loop: terminal set-up, keys and mouse, prompts, coalesced redraws. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "catalog.h"
#include "commands.h"
#include "console.h"
#include "keys.h"
#include "lineedit.h"
#include "runner.h"
#include "suite.h"
#include "ui.h"
#include "virt.h"

#define REDRAW_MS 16
#define KEYS_PER_WAKEUP 512

static gboolean redraw_cb(gpointer data);

void console_message(struct console *c, gboolean error, const char *fmt, ...)
{
	va_list ap;
	char *nl;

	g_free(c->message);
	va_start(ap, fmt);
	c->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	nl = strchr(c->message, '\n');
	if (nl)
		*nl = '\0';
	c->message_error = error;
	console_dirty(c);
}

void console_dirty(struct console *c)
{
	c->dirty = TRUE;
	if (!c->redraw_id)
		c->redraw_id = g_timeout_add(REDRAW_MS, redraw_cb, c);
}

void console_quit(struct console *c)
{
	c->quitting = TRUE;
	g_main_loop_quit(c->loop);
}

int console_selected_step(const struct console *c)
{
	if (!c->suite || c->steps_lv.cursor < 0 || c->steps_lv.cursor >= (int)c->suite->steps->len)
		return -1;
	return c->steps_lv.cursor;
}

static void prompt_clear(struct prompt *p)
{
	g_free(p->label);
	lineedit_free(p->edit);
	memset(p, 0, sizeof(*p));
}

void console_prompt(struct console *c, enum prompt_kind kind, const char *label, const char *initial,
		    prompt_done_fn done)
{
	prompt_clear(&c->prompt);
	c->prompt.kind = kind;
	c->prompt.label = g_strdup(label);
	c->prompt.done = done;
	c->prompt.step = -1;
	c->prompt.index = -1;
	if (kind == PROMPT_LINE)
		c->prompt.edit = lineedit_new(initial);
	console_dirty(c);
}

/* Closes the prompt, then tells its owner (who may open another). */
static void prompt_answer(struct console *c, int answer)
{
	struct prompt p = c->prompt;
	g_autofree char *text = p.edit ? lineedit_text(p.edit) : NULL;

	memset(&c->prompt, 0, sizeof(c->prompt));
	console_dirty(c);
	if (p.done)
		p.done(c, &p, answer, text);
	g_free(p.label);
	lineedit_free(p.edit);
}

static void prompt_key(struct console *c, int key)
{
	struct prompt *p = &c->prompt;
	struct lineedit *le = p->edit;

	if (key == UI_KEY_ESC || key == UI_CTRL('g') || key == UI_CTRL('c')) {
		prompt_answer(c, 0);
		return;
	}
	if (p->kind == PROMPT_CONFIRM) {
		if (key == 'y' || key == 'Y')
			prompt_answer(c, 'y');
		else if (key == 'n' || key == 'N')
			prompt_answer(c, 0);
		return;
	}
	if (p->kind == PROMPT_CHOICE) {
		if (key > 0 && key < 128 && p->choices && strchr(p->choices, key))
			prompt_answer(c, key);
		return;
	}
	switch (key) {
	case '\n':
	case '\r':
	case UI_KEY_FN(KEY_ENTER):
		prompt_answer(c, '\n');
		return;
	case UI_KEY_FN(KEY_BACKSPACE):
	case 0x7f:
	case UI_CTRL('h'):
		lineedit_backspace(le);
		break;
	case UI_KEY_FN(KEY_DC):
	case UI_CTRL('d'):
		lineedit_delete(le);
		break;
	case UI_KEY_FN(KEY_LEFT):
	case UI_CTRL('b'):
		lineedit_left(le);
		break;
	case UI_KEY_FN(KEY_RIGHT):
	case UI_CTRL('f'):
		lineedit_right(le);
		break;
	case UI_KEY_FN(KEY_HOME):
	case UI_CTRL('a'):
		lineedit_home(le);
		break;
	case UI_KEY_FN(KEY_END):
	case UI_CTRL('e'):
		lineedit_end(le);
		break;
	case UI_CTRL('k'):
		lineedit_kill_to_end(le);
		break;
	case UI_CTRL('u'):
		lineedit_kill_to_start(le);
		break;
	case UI_CTRL('w'):
		lineedit_kill_word(le);
		break;
	default:
		if (!UI_KEY_IS_FN(key) && key >= 0x20 && key != 0x7f && g_unichar_validate((gunichar)key))
			lineedit_insert(le, (gunichar)key);
		break;
	}
	console_dirty(c);
}

static int list_rows(struct rect box)
{
	return MAX(rect_inner(box).h, 1);
}

/* Movement keys in a list; TRUE when the key was one. */
static gboolean list_key(struct listview *lv, int key, int n, int rows)
{
	switch (key) {
	case UI_KEY_FN(KEY_UP):
	case 'k':
		listview_move(lv, -1, n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_DOWN):
	case 'j':
		listview_move(lv, 1, n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_PPAGE):
		listview_move(lv, -MAX(rows - 1, 1), n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_NPAGE):
		listview_move(lv, MAX(rows - 1, 1), n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_HOME):
	case 'g':
		listview_set(lv, 0, n, rows);
		return TRUE;
	case UI_KEY_FN(KEY_END):
	case 'G':
		listview_set(lv, n - 1, n, rows);
		return TRUE;
	default:
		return FALSE;
	}
}

static int n_steps(const struct console *c)
{
	return c->suite ? (int)c->suite->steps->len : 0;
}

/* Rows the steps box would like: its steps, or the problems of a suite that did not load. */
static int steps_want(const struct console *c)
{
	int lines = 0;

	if (c->suite || !c->load_error)
		return n_steps(c);
	for (const char *p = c->load_error; *p; p++)
		lines += *p == '\n';
	return MIN(2 * (lines + 1), 30); /* long problems wrap */
}

static void focus_move(struct console *c, int delta)
{
	int n = FOCUS_PANE + c->n_panes;
	gboolean vms = c->layout.vms.h > 2;

	if (c->zoomed >= 0) {
		/* zoomed: Tab goes through the panes, each zoomed in turn */
		c->zoomed = ((c->zoomed + delta) % c->n_panes + c->n_panes) % c->n_panes;
		c->focus = FOCUS_PANE + c->zoomed;
		return;
	}
	c->focus = ((c->focus + delta) % n + n) % n;
	if (c->focus == FOCUS_VMS && !vms)
		c->focus = ((c->focus + delta) % n + n) % n;
}

static void steps_selected(struct console *c)
{
	session_show_output(c, console_selected_step(c), FALSE);
}

static void mouse_event(struct console *c)
{
	MEVENT ev;
	struct layout *l = &c->layout;
	int wheel = 0;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED)
		wheel = -3;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		wheel = 3;
#endif
	else if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	if (l->too_small)
		return;
	if (c->zoomed < 0 && rect_contains(rect_inner(l->left), ev.y, ev.x)) {
		int n = (int)c->suite_names->len, i = listview_item_at(&c->suites_lv, ev.y - rect_inner(l->left).y, n);

		c->focus = FOCUS_SUITES;
		if (wheel)
			listview_move(&c->suites_lv, wheel, n, list_rows(l->left));
		else if (i >= 0)
			listview_set(&c->suites_lv, i, n, list_rows(l->left));
	} else if (c->zoomed < 0 && l->vms.h > 3 && rect_contains(rect_inner(l->vms), ev.y, ev.x)) {
		int n = c->virt && virt_domains(c->virt) ? (int)virt_domains(c->virt)->len : 0;
		int rows = rect_inner(l->vms).h - 1;
		int i = listview_item_at(&c->vms_lv, ev.y - rect_inner(l->vms).y - 1, n);

		c->focus = FOCUS_VMS;
		if (wheel)
			listview_move(&c->vms_lv, wheel, n, rows);
		else if (i >= 0 && ev.y > rect_inner(l->vms).y)
			listview_set(&c->vms_lv, i, n, rows);
	} else if (c->zoomed < 0 && rect_contains(rect_inner(l->steps), ev.y, ev.x)) {
		int i = listview_item_at(&c->steps_lv, ev.y - rect_inner(l->steps).y, n_steps(c));

		c->focus = FOCUS_STEPS;
		if (wheel)
			listview_move(&c->steps_lv, wheel, n_steps(c), list_rows(l->steps));
		else if (i >= 0)
			listview_set(&c->steps_lv, i, n_steps(c), list_rows(l->steps));
		steps_selected(c);
	} else {
		for (int p = 0; p < c->n_panes; p++) {
			if (!rect_contains(l->panes[p], ev.y, ev.x))
				continue;
			c->focus = FOCUS_PANE + p;
			for (int k = 0; k < ABS(wheel); k++)
				pane_key(c->panes[p], wheel < 0 ? UI_KEY_FN(KEY_UP) : UI_KEY_FN(KEY_DOWN));
		}
	}
	console_dirty(c);
}

static void handle_key(struct console *c, int key)
{
	const struct command *cmd;

	if (key == UI_KEY_FN(KEY_RESIZE)) {
		console_dirty(c);
		return;
	}
	/* a console pane in interactive mode takes every key (Ctrl-] gives them back) */
	if (c->focus >= FOCUS_PANE && c->focus - FOCUS_PANE < c->n_panes && c->prompt.kind == PROMPT_NONE &&
	    pane_grabs_keys(c->panes[c->focus - FOCUS_PANE])) {
		pane_key(c->panes[c->focus - FOCUS_PANE], key);
		console_dirty(c);
		return;
	}
	/* a message stays on the hint line until the next key */
	if (key != UI_KEY_FN(KEY_MOUSE))
		g_clear_pointer(&c->message, g_free);
	if (c->prompt.kind != PROMPT_NONE) {
		prompt_key(c, key);
		return;
	}
	if (c->help) {
		help_key(c, key);
		console_dirty(c);
		return;
	}
	console_dirty(c);
	switch (key) {
	case UI_KEY_TAB:
		focus_move(c, 1);
		return;
	case UI_KEY_FN(KEY_BTAB):
		focus_move(c, -1);
		return;
	case UI_KEY_FN(KEY_MOUSE):
		mouse_event(c);
		return;
	case UI_KEY_ESC:
		c->zoomed = -1;
		return;
	default:
		break;
	}
	if (c->focus == FOCUS_SUITES) {
		if (list_key(&c->suites_lv, key, (int)c->suite_names->len, list_rows(c->layout.left)))
			return;
		if (key == '\n' || key == '\r' || key == UI_KEY_FN(KEY_ENTER)) {
			cmd_open_suite(c, c->suites_lv.cursor);
			return;
		}
	} else if (c->focus == FOCUS_VMS) {
		if (vms_key(c, key))
			return;
	} else if (c->focus == FOCUS_STEPS) {
		if (list_key(&c->steps_lv, key, n_steps(c), list_rows(c->layout.steps))) {
			steps_selected(c);
			return;
		}
		if (key == '\n' || key == '\r' || key == UI_KEY_FN(KEY_ENTER)) {
			cmd_run_selected(c);
			return;
		}
	} else if (c->focus - FOCUS_PANE < c->n_panes && pane_key(c->panes[c->focus - FOCUS_PANE], key)) {
		return;
	}
	cmd = command_for_key(key);
	if (cmd)
		cmd->fn(c);
}

static gboolean stdin_cb(gint fd, GIOCondition cond, gpointer data)
{
	struct console *c = data;

	for (int i = 0; i < KEYS_PER_WAKEUP && !c->quitting; i++) {
		wint_t wc;
		int r = get_wch(&wc);

		if (r == ERR)
			break;
		handle_key(c, r == KEY_CODE_YES ? UI_KEY_FN((int)wc) : (int)wc);
	}
	if (cond & (G_IO_HUP | G_IO_ERR | G_IO_NVAL)) {
		/* the terminal is gone: nothing more can be asked */
		c->interrupted = TRUE;
		g_free(c->quit_why);
		c->quit_why = g_strdup_printf("the terminal went away (%s on standard input)",
					      cond & G_IO_NVAL ? "closed" : cond & G_IO_ERR ? "error" : "hang-up");
		console_quit(c);
		c->stdin_id = 0; /* removed by returning G_SOURCE_REMOVE */
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void draw_pane_box(struct console *c, int i, struct rect r)
{
	struct pane *p = c->panes[i];
	gboolean focused = c->focus == FOCUS_PANE + i;
	g_autofree char *title = NULL;

	if (r.h < 2 || r.w < 2)
		return;
	title = c->zoomed == i ? g_strdup_printf("%s (zoomed: z or Esc restores)", p->title) : g_strdup(p->title);
	draw_box(&c->draw, stdscr, r, title, focused);
	pane_draw(p, stdscr, rect_inner(r));
}

static void redraw(struct console *c)
{
	struct layout *l = &c->layout;
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	layout_compute(l, rows, cols, steps_want(c), c->n_panes, c->zoomed,
		       MAX(view_suites_width(c), view_vms_width(c)));
	layout_split_left(l, vms_rows_wanted(c));
	if (c->focus == FOCUS_VMS && l->vms.h <= 2)
		c->focus = FOCUS_SUITES;
	curs_set(0);
	c->cursor_want = FALSE;
	erase();
	if (l->too_small) {
		g_autofree char *msg = g_strdup_printf("virtcon needs at least %dx%d (this is %dx%d)", LAYOUT_MIN_COLS,
						      LAYOUT_MIN_ROWS, cols, rows);

		draw_text_cut(&c->draw, stdscr, 0, 0, cols, msg, A_BOLD);
		draw_text_cut(&c->draw, stdscr, 1, 0, cols, "q quits", A_NORMAL);
	} else {
		if (l->zoomed < 0) {
			view_suites_draw(c, stdscr, l->left);
			if (l->vms.h > 2)
				view_vms_draw(c, stdscr, l->vms);
			view_steps_draw(c, stdscr, l->steps);
			view_details_draw(c, stdscr, l->details);
		}
		for (int i = 0; i < l->n_panes; i++)
			draw_pane_box(c, i, l->panes[i]);
		view_status_draw(c, stdscr, l->status);
		if (c->help)
			help_draw(c, stdscr, rows, cols);
	}
	view_hints_draw(c, stdscr, l->hints);
	if (c->cursor_want && c->prompt.kind == PROMPT_NONE && !c->help && !l->too_small) {
		wmove(stdscr, c->cursor_y, c->cursor_x);
		curs_set(1);
	}
	wnoutrefresh(stdscr);
	doupdate();
	vms_sync_stats(c);
}

static gboolean redraw_cb(gpointer data)
{
	struct console *c = data;

	c->redraw_id = 0;
	if (c->dirty && !c->quitting) {
		c->dirty = FALSE;
		redraw(c);
	}
	return G_SOURCE_REMOVE;
}

static gboolean winch_cb(gpointer data)
{
	struct console *c = data;

	draw_term_resize();
	console_dirty(c);
	return G_SOURCE_CONTINUE;
}

static gboolean sigint_cb(gpointer data)
{
	struct console *c = data;

	/* like q, but a second ^C (or one when nothing runs) quits at once */
	if (c->prompt.kind != PROMPT_NONE || !c->run || !run_busy(c->run)) {
		c->interrupted = TRUE;
		console_quit(c);
	} else {
		cmd_quit(c);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean sigterm_cb(gpointer data)
{
	struct console *c = data;

	c->interrupted = TRUE;
	console_quit(c);
	return G_SOURCE_CONTINUE;
}

/* GLib warnings would scribble over the screen: they go to the status line instead. */
static void log_to_status(const char *domain, GLogLevelFlags level, const char *text, gpointer data)
{
	if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
		return; /* libvirt-glib's event loop tells every timeout it adds at debug level */
	if (level & G_LOG_FLAG_FATAL) {
		/* GLib stops the process after this: the message goes where it can still be read */
		endwin();
		fprintf(stderr, "virtcon: %s%s%s\n", domain ? domain : "", domain ? ": " : "", text);
		return;
	}
	console_message(data, (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0, "%s",
			text);
}

static int exit_status(const struct console *c)
{
	guint counts[STEP_STATUS_COUNT] = { 0 };

	if (c->interrupted)
		return RUNNER_EXIT_INTERRUPTED;
	if (c->run)
		run_counts(c->run, counts);
	if (counts[STEP_FAIL] || counts[STEP_ERROR])
		return RUNNER_EXIT_FAIL;
	if (counts[STEP_BLOCKED])
		return RUNNER_EXIT_BLOCKED;
	return RUNNER_EXIT_PASS;
}

static gboolean terminal_start(struct console *c, gboolean ascii, SCREEN **screen)
{
	*screen = draw_term_start(&c->draw, ascii);
	if (!*screen)
		return FALSE;
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
			  | BUTTON5_PRESSED
#endif
		  , NULL);
	mouseinterval(0);
	return TRUE;
}

static void console_free(struct console *c)
{
	session_close(c);
	for (int i = 0; i < c->n_panes; i++)
		pane_free(c->panes[i]);
	c->n_panes = 0;
	vms_stop(c);
	draw_free(&c->draw);
	prompt_clear(&c->prompt);
	if (c->redraw_id)
		g_source_remove(c->redraw_id);
	if (c->tick_id)
		g_source_remove(c->tick_id);
	if (c->quit_grace_id)
		g_source_remove(c->quit_grace_id);
	if (c->suite_paths)
		g_ptr_array_unref(c->suite_paths);
	if (c->suite_names)
		g_ptr_array_unref(c->suite_names);
	g_ptr_array_unref(c->journals);
	g_free(c->message);
	g_free(c->exports);
	g_free(c->uri);
	g_strfreev(c->var_args);
	g_main_loop_unref(c->loop);
}

int ui_main(int argc, char **argv)
{
	g_autofree char *uri = NULL;
	g_auto(GStrv) rest = NULL, var_args = NULL;
	gboolean ascii = FALSE;
	GOptionEntry entries[] = {
		{ "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "libvirt URI of the VMs (as virsh -c)", "URI" },
		{ "var", 0, 0, G_OPTION_ARG_STRING_ARRAY, &var_args, "Set a suite variable", "NAME=VALUE" },
		{ "ascii", 0, 0, G_OPTION_ARG_NONE, &ascii, "Draw with ASCII only (no Unicode boxes or marks)", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "[SUITE]" },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[SUITE] - the interactive test console");
	g_autoptr(GError) error = NULL;
	g_autofree char *given = NULL;
	struct console c = { 0 };
	SCREEN *screen = NULL;
	guint src[5];
	int rc;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx, "Keys: press ? in the console. See virtcon(1).");
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "virtcon: %s\n", error->message);
		return RUNNER_EXIT_USAGE;
	}
	if (rest && rest[0] && rest[1]) {
		fprintf(stderr, "virtcon: give at most one SUITE (see virtcon --help)\n");
		return RUNNER_EXIT_USAGE;
	}
	if (rest && rest[0]) {
		given = catalog_resolve(rest[0], &error);
		if (!given) {
			fprintf(stderr, "virtcon: %s\n", error->message);
			return RUNNER_EXIT_USAGE;
		}
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "virtcon: the console needs a terminal (virtcon run SUITE runs a suite without one)\n");
		return RUNNER_EXIT_USAGE;
	}

	c.loop = g_main_loop_new(NULL, FALSE);
	c.uri = g_steal_pointer(&uri);
	c.var_args = g_steal_pointer(&var_args);
	c.journals = g_ptr_array_new_with_free_func(g_free);
	c.focus = given ? FOCUS_STEPS : FOCUS_SUITES;
	c.zoomed = -1;
	c.output_step = -1;
	c.open_index = -1;
	if (!terminal_start(&c, ascii, &screen)) {
		fprintf(stderr, "virtcon: cannot use the terminal (TERM=%s)\n", g_getenv("TERM") ? g_getenv("TERM") : "");
		console_free(&c);
		return RUNNER_EXIT_USAGE;
	}
	g_log_set_default_handler(log_to_status, &c);
	vms_start(&c);
	session_load_catalog(&c, given);

	c.stdin_id = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR | G_IO_NVAL, stdin_cb, &c);
	src[0] = 0;
	src[1] = g_unix_signal_add(SIGWINCH, winch_cb, &c);
	src[2] = g_unix_signal_add(SIGINT, sigint_cb, &c);
	src[3] = g_unix_signal_add(SIGTERM, sigterm_cb, &c);
	src[4] = g_unix_signal_add(SIGHUP, sigterm_cb, &c); /* the terminal went away */
	console_dirty(&c);
	g_main_loop_run(c.loop);
	for (gsize i = 0; i < G_N_ELEMENTS(src); i++)
		if (src[i])
			g_source_remove(src[i]);
	if (c.stdin_id)
		g_source_remove(c.stdin_id);

	rc = exit_status(&c);
	session_close(&c); /* session-end in the journal, then it is closed */
	endwin();
	delscreen(screen);
	g_log_set_default_handler(g_log_default_handler, NULL);
	for (guint i = 0; i < c.journals->len; i++)
		printf("%s\n", (char *)g_ptr_array_index(c.journals, i));
	fflush(stdout);
	if (c.quit_why)
		fprintf(stderr, "virtcon: %s\n", c.quit_why);
	g_free(c.quit_why);
	console_free(&c);
	return rc;
}
