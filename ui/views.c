/* views.c - the fixed parts of the screen: suites list, steps list, step details, status and hint lines. */
#include "config.h"

#include <string.h>

#include "cells.h"
#include "console.h"
#include "lineedit.h"
#include "suite.h"

char *view_duration(gint64 us)
{
	double s = (double)MAX(us, 0) / 1e6;

	if (s < 100)
		return g_strdup_printf("%.2fs", s);
	if (s < 3600)
		return g_strdup_printf("%dm%02ds", (int)s / 60, (int)s % 60);
	return g_strdup_printf("%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

/* " 1-9 of 11 " in the bottom border when a list does not fit its box. */
static void draw_list_extent(struct console *c, WINDOW *w, struct rect box, const struct listview *lv, int n)
{
	int rows = rect_inner(box).h, tw;
	g_autofree char *text = NULL;

	if (n <= rows || rows <= 0)
		return;
	text = g_strdup_printf(" %d-%d of %d ", lv->top + 1, MIN(lv->top + rows, n), n);
	tw = cells_text_width(text);
	if (tw + 4 < box.w)
		draw_text(&c->draw, w, box.y + box.h - 1, box.x + box.w - tw - 2, tw, text, A_NORMAL);
}

static attr_t row_attr(const struct console *c, gboolean selected, enum focus focus)
{
	if (!selected)
		return A_NORMAL;
	return draw_attr(&c->draw, c->focus == (int)focus ? ROLE_SELECTED : ROLE_SELECTED_OTHER);
}

int view_suites_width(const struct console *c)
{
	int w = 0;

	for (guint i = 0; i < c->suite_names->len; i++)
		w = MAX(w, cells_text_width(g_ptr_array_index(c->suite_names, i)));
	return w + 5; /* borders, cursor, open mark, a space */
}

void view_suites_draw(struct console *c, WINDOW *w, struct rect r)
{
	struct rect in = rect_inner(r);
	int n = (int)c->suite_names->len;

	draw_box(&c->draw, w, r, "Suites", c->focus == FOCUS_SUITES);
	if (in.h <= 0 || in.w <= 0)
		return;
	if (!n) {
		draw_text_cut(&c->draw, w, in.y, in.x, in.w, "(no suite files found)", draw_attr(&c->draw, ROLE_DIM));
		return;
	}
	listview_clamp(&c->suites_lv, n, in.h);
	for (int row = 0; row < in.h; row++) {
		int i = listview_item_at(&c->suites_lv, row, n);
		gboolean sel = i == c->suites_lv.cursor;
		attr_t a = row_attr(c, sel, FOCUS_SUITES);
		int x = in.x;

		if (i < 0)
			break;
		draw_fill(w, in.y + row, in.x, in.w, a);
		x += draw_text(&c->draw, w, in.y + row, x, 1, sel ? draw_glyph(&c->draw, GLYPH_CURSOR) : " ", a);
		x += draw_text(&c->draw, w, in.y + row, x, 1, i == c->open_index ? draw_glyph(&c->draw, GLYPH_OPEN) : " ",
			       a | (i == c->open_index ? A_BOLD : 0));
		x += draw_text(&c->draw, w, in.y + row, x, 1, " ", a);
		draw_text_cut(&c->draw, w, in.y + row, x, in.x + in.w - x, g_ptr_array_index(c->suite_names, i),
			      a | (i == c->open_index ? A_BOLD : 0));
	}
	draw_list_extent(c, w, r, &c->suites_lv, n);
}

/* Breaks text into lines of at most width cells, at spaces when it can; at most max lines. */
static GPtrArray *wrap_text(const char *text, int width, int max)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	g_auto(GStrv) paras = g_strsplit(text ? text : "", "\n", -1);

	if (width < 1)
		return lines;
	for (char **p = paras; *p && (int)lines->len < max; p++) {
		const char *s = *p;

		if (!*s && p[1] == NULL && p != paras)
			break; /* a trailing newline */
		do {
			int used;
			gsize fit = cells_fit(s, width, &used);
			gsize cut = fit;

			if (s[fit]) {
				const char *sp = g_utf8_strrchr(s, (gssize)fit, ' ');

				if (sp && sp > s)
					cut = (gsize)(sp - s);
			}
			if (cut == 0 && s[0])
				cut = MAX(fit, (gsize)(g_utf8_next_char(s) - s));
			g_ptr_array_add(lines, g_strndup(s, cut));
			s += cut;
			while (*s == ' ')
				s++;
		} while (*s && (int)lines->len < max);
	}
	return lines;
}

/* Instructions as paragraphs: a line break inside a sentence (the next line goes on in lower
 * case or with a quote) becomes a space; other breaks, blank lines and indented lines stay. */
static char *reflow(const char *text)
{
	GString *out = g_string_new(NULL);

	for (const char *p = text ? text : ""; *p; p++) {
		gboolean joins = *p == '\n' && out->len && out->str[out->len - 1] != '\n' &&
				 (g_ascii_islower(p[1]) || (p[1] && strchr("\"'(<", p[1])));

		g_string_append_c(out, joins ? ' ' : *p);
	}
	return g_string_free(out, FALSE);
}

/* "30s", "2m", "1.5s" */
static char *format_timeout(gint64 ms)
{
	if (ms >= 60000 && ms % 60000 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "m", ms / 60000);
	if (ms % 1000 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT "s", ms / 1000);
	return g_strdup_printf("%.1fs", (double)ms / 1000.0);
}

/* Wrapped text in at most max lines; the last one ends in an ellipsis when more was cut. */
static void draw_wrapped(struct console *c, WINDOW *w, int y, int x, int width, int max, const char *text,
			 attr_t a)
{
	g_autoptr(GPtrArray) lines = NULL;

	if (max <= 0 || width <= 0)
		return;
	lines = wrap_text(text, width, max + 1);
	for (guint i = 0; i < lines->len && (int)i < max; i++) {
		const char *line = g_ptr_array_index(lines, i);

		if ((int)i == max - 1 && (int)lines->len > max) {
			int used = draw_text(&c->draw, w, y + (int)i, x, width - 1, line, a);

			draw_text(&c->draw, w, y + (int)i, x + used, 1, draw_glyph(&c->draw, GLYPH_ELLIPSIS), a);
		} else {
			draw_text_cut(&c->draw, w, y + (int)i, x, width, line, a);
		}
	}
}

const struct run_step *console_step(const struct console *c, guint i)
{
	return c->run ? run_get_step(c->run, i) : NULL;
}

static enum step_status step_status_at(const struct console *c, guint i)
{
	const struct run_step *st = console_step(c, i);

	return st ? st->status : STEP_PENDING;
}

static gint64 step_elapsed(const struct run_step *st)
{
	if (!st || !st->start_us)
		return -1;
	return (st->end_us ? st->end_us : g_get_monotonic_time()) - st->start_us;
}

void view_steps_draw(struct console *c, WINDOW *w, struct rect r)
{
	struct rect in = rect_inner(r);
	g_autofree char *title = NULL;
	int n, numw, onw = 4;

	if (c->suite)
		title = g_strdup_printf("Steps: %s", c->suite->title ? c->suite->title : c->suite->name);
	draw_box(&c->draw, w, r, title ? title : "Steps", c->focus == FOCUS_STEPS);
	if (in.h <= 0 || in.w <= 0)
		return;
	if (!c->suite) {
		if (c->load_error)
			draw_wrapped(c, w, in.y, in.x, in.w, in.h, c->load_error, draw_attr(&c->draw, ROLE_ERROR));
		else
			draw_text_cut(&c->draw, w, in.y, in.x, in.w, "(no suite open: pick one on the left, Enter opens it)",
				      draw_attr(&c->draw, ROLE_DIM));
		return;
	}
	n = (int)c->suite->steps->len;
	if (!n) {
		draw_text_cut(&c->draw, w, in.y, in.x, in.w, "(this suite has no steps)", draw_attr(&c->draw, ROLE_DIM));
		return;
	}
	numw = n >= 100 ? 3 : n >= 10 ? 2 : 1;
	for (int i = 0; i < n; i++) {
		const struct suite_step *ss = g_ptr_array_index(c->suite->steps, i);

		onw = MAX(onw, cells_text_width(ss->on));
	}
	onw = MIN(onw, 10);
	listview_clamp(&c->steps_lv, n, in.h);
	for (int row = 0; row < in.h; row++) {
		int i = listview_item_at(&c->steps_lv, row, n);
		const struct suite_step *ss;
		const struct run_step *st;
		enum step_status s;
		gboolean sel = i == c->steps_lv.cursor;
		attr_t a = row_attr(c, sel, FOCUS_STEPS);
		int y = in.y + row, x = in.x, right, namew;
		gint64 el;
		g_autofree char *num = NULL, *dur = NULL;

		if (i < 0)
			break;
		ss = g_ptr_array_index(c->suite->steps, i);
		st = console_step(c, (guint)i);
		s = step_status_at(c, (guint)i);
		draw_fill(w, y, in.x, in.w, a);
		x += draw_text(&c->draw, w, y, x, 1, sel ? draw_glyph(&c->draw, GLYPH_CURSOR) : " ", a);
		x += draw_text(&c->draw, w, y, x, 1, " ", a);
		x += draw_text(&c->draw, w, y, x, 1, st && st->waiting_verdict ? "?" : draw_status_mark(&c->draw, s),
			       a | draw_status_attr(&c->draw, s));
		num = g_strdup_printf(" %*d ", numw, i + 1);
		x += draw_text(&c->draw, w, y, x, in.w, num, a);
		/* right part: machine, duration, breakpoint and edited marks */
		right = in.x + in.w - (onw + 1 + 7 + 1 + 2);
		namew = right - x - 1;
		draw_text_cut(&c->draw, w, y, x, namew, ss->name, a);
		if (right > x) {
			draw_text_cut(&c->draw, w, y, right, onw, ss->on, a | draw_attr(&c->draw, ROLE_DIM));
			el = step_elapsed(st);
			if (el >= 0) {
				int dw;

				dur = view_duration(el);
				dw = cells_text_width(dur);
				draw_text(&c->draw, w, y, right + onw + 1 + MAX(7 - dw, 0), 7, dur, a);
			}
			if (st && st->breakpoint)
				draw_text(&c->draw, w, y, right + onw + 9, 1, draw_glyph(&c->draw, GLYPH_BREAK),
					  a | draw_attr(&c->draw, ROLE_ERROR));
			if (st && st->edited)
				draw_text(&c->draw, w, y, right + onw + 10, 1, draw_glyph(&c->draw, GLYPH_EDITED), a);
		}
	}
	draw_list_extent(c, w, r, &c->steps_lv, n);
}

void view_details_draw(struct console *c, WINDOW *w, struct rect r)
{
	struct rect in = rect_inner(r);
	int sel = console_selected_step(c), bottom;
	const struct suite_step *ss;
	const struct run_step *st;
	g_autofree char *title = NULL, *result = NULL, *timeout = NULL, *body = NULL;
	g_autofree char *note = NULL;
	gint64 tmo;

	if (!c->suite || sel < 0) {
		draw_box(&c->draw, w, r, "Step", FALSE);
		return;
	}
	ss = g_ptr_array_index(c->suite->steps, sel);
	st = console_step(c, (guint)sel);
	tmo = ss->timeout_ms > 0 ? ss->timeout_ms : c->suite->timeout_ms;
	timeout = format_timeout(tmo);
	title = g_strdup_printf("Step %d/%u: %s, on %s, timeout %s", sel + 1, c->suite->steps->len,
				suite_step_kind_name(ss->kind), ss->on, timeout);
	draw_box(&c->draw, w, r, title, FALSE);
	if (in.h <= 0 || in.w <= 0)
		return;

	if (st && st->waiting_verdict)
		result = g_strdup("waiting for your verdict: press v (then p pass, f fail or s skip)");
	else if (st && st->status == STEP_RUNNING)
		result = g_strdup("running (x aborts)");
	else if (st && step_status_done(st->status)) {
		g_autofree char *dur = view_duration(st->end_us - st->start_us);

		if (st->reason && g_strcmp0(st->reason, st->note) != 0)
			result = g_strdup_printf("%s after %s: %s", step_status_name(st->status), dur, st->reason);
		else if (st->exit_status >= 0)
			result = g_strdup_printf("%s after %s, exit status %d", step_status_name(st->status), dur,
						 st->exit_status);
		else
			result = g_strdup_printf("%s after %s", step_status_name(st->status), dur);
	}
	if (st && st->note)
		note = g_strdup_printf("note: %s", st->note);
	bottom = in.y + in.h;
	if (note && in.h > 2) {
		bottom--;
		draw_text_cut(&c->draw, w, bottom, in.x, in.w, note, A_NORMAL);
	}
	if (result && in.h > 1) {
		enum step_status s = st->status;
		/* the result may take two lines when the box has room for the command too */
		g_autoptr(GPtrArray) lines = wrap_text(result, in.w, in.h >= 4 ? 2 : 1);
		attr_t ra = s == STEP_FAIL || s == STEP_ERROR || s == STEP_BLOCKED ? draw_attr(&c->draw, ROLE_ERROR)
										   : A_BOLD;

		bottom -= (int)lines->len;
		draw_wrapped(c, w, bottom, in.x, in.w, (int)lines->len, result, ra);
	}
	if (ss->kind == SUITE_STEP_RUN) {
		const char *cmd = st && st->edited ? st->edited : st && st->command && st->status != STEP_PENDING
									  ? st->command : ss->run;

		body = g_strdup_printf("%s %s", st && st->edited ? "$ (edited)" : "$", cmd);
	} else {
		body = reflow(ss->manual);
	}
	draw_wrapped(c, w, in.y, in.x, in.w, bottom - in.y, body, A_NORMAL);
}

/* Draws parts separated by the separator glyph; returns the x after the last. */
static int draw_parts(struct console *c, WINDOW *w, int y, int x, int end, const char *const *parts, guint n,
		      attr_t a)
{
	for (guint i = 0; i < n && x < end; i++) {
		if (!parts[i])
			continue;
		if (i) {
			x += draw_text(&c->draw, w, y, x, end - x, " ", a);
			x += draw_text(&c->draw, w, y, x, end - x, draw_glyph(&c->draw, GLYPH_SEP), a);
			x += draw_text(&c->draw, w, y, x, end - x, " ", a);
		}
		x += draw_text_cut(&c->draw, w, y, x, end - x, parts[i], a);
	}
	return x;
}

void view_status_draw(struct console *c, WINDOW *w, struct rect r)
{
	attr_t a = draw_attr(&c->draw, ROLE_STATUS);
	g_autoptr(GString) counts = g_string_new(NULL);
	const char *parts[2];
	int x, end = r.x + r.w - 1;
	g_autofree char *conn = vms_status_text(c);

	draw_fill(w, r.y, r.x, r.w, a);
	session_counts_text(c, counts);
	parts[0] = conn;
	parts[1] = counts->str;
	x = draw_parts(c, w, r.y, r.x + 1, end, parts, G_N_ELEMENTS(parts), a);
	if (c->journal_path && x + 20 < end) {
		const char *home = g_get_home_dir();
		g_autofree char *path = NULL, *base = g_path_get_basename(c->journal_path);
		char *shown;
		int room;

		if (home && strlen(home) > 1 && g_str_has_prefix(c->journal_path, home))
			path = g_strdup_printf("~%s", c->journal_path + strlen(home));
		else
			path = g_strdup(c->journal_path);
		/* after an export: NAME.{jsonl,xml,tap,md} */
		if (c->exports && g_str_has_suffix(path, ".jsonl") && g_str_has_suffix(base, ".jsonl")) {
			path[strlen(path) - 6] = '\0';
			base[strlen(base) - 6] = '\0';
		}
		x += draw_text(&c->draw, w, r.y, x, end - x, " ", a);
		x += draw_text(&c->draw, w, r.y, x, end - x, draw_glyph(&c->draw, GLYPH_SEP), a);
		x += draw_text(&c->draw, w, r.y, x, end - x, " journal ", a);
		room = end - x;
		/* the whole path; else the file name (the directory is always the same); else its start */
		shown = g_strconcat(path, c->exports ? ".{jsonl,xml,tap,md}" : "", NULL);
		if (cells_text_width(shown) > room) {
			g_free(shown);
			shown = g_strconcat(base, c->exports ? ".{jsonl,xml,tap,md}" : "", NULL);
		}
		if (cells_text_width(shown) > room && !c->exports && g_str_has_suffix(shown, ".jsonl"))
			shown[strlen(shown) - 6] = '\0';
		draw_text_cut(&c->draw, w, r.y, x, room, shown, a);
		g_free(shown);
	}
}

struct hint {
	const char *key;
	const char *what;
};

static const struct hint hints_suites[] = {
	{ "Enter", "open" }, { "↑↓", "move" }, { "Tab", "focus" }, { "n", "next" }, { "a", "all" },
	{ "?", "help" }, { "q", "quit" },
};
static const struct hint hints_steps[] = {
	{ "Enter", "run" }, { "n", "next" }, { "a", "all" }, { "s", "skip" }, { "r", "retry" },
	{ "x", "abort" }, { "v", "verdict" }, { "e", "edit" }, { "b", "break" }, { "E", "export" },
	{ "?", "help" }, { "q", "quit" },
};
static const struct hint hints_vms[] = {
	{ "c", "console" }, { "S", "start" }, { "d", "shut down" }, { "D", "destroy" }, { "m", "migration" },
	{ "Tab", "focus" }, { "?", "help" }, { "q", "quit" },
};
static const struct hint hints_console[] = {
	{ "i", "type to the guest" }, { "PgUp/PgDn", "scroll" }, { "/", "search" }, { "w", "close" }, { "z", "zoom" },
	{ "Tab", "focus" }, { "?", "help" },
};
static const struct hint hints_interactive[] = {
	{ "Ctrl-]", "leave: keys go to the guest until then" },
};
static const struct hint hints_pane[] = {
	{ "↑↓", "scroll" }, { "PgUp/PgDn", "page" }, { "z", "zoom" }, { "Tab", "focus" }, { "n", "next" },
	{ "?", "help" }, { "q", "quit" },
};

static void draw_prompt(struct console *c, WINDOW *w, struct rect r)
{
	struct prompt *p = &c->prompt;
	attr_t pa = draw_attr(&c->draw, ROLE_PROMPT);
	int x = r.x + draw_text(&c->draw, w, r.y, r.x, r.w, p->label, pa);

	x += draw_text(&c->draw, w, r.y, x, r.x + r.w - x, " ", A_NORMAL);
	if (p->kind == PROMPT_LINE && x < r.x + r.w - 2) {
		int cursor_col = 0;
		g_autofree char *view = lineedit_view(p->edit, r.x + r.w - x, draw_glyph(&c->draw, GLYPH_NEWLINE),
						      &cursor_col);

		draw_text(&c->draw, w, r.y, x, r.x + r.w - x, view, A_NORMAL);
		wmove(w, r.y, x + cursor_col);
		curs_set(1);
	}
}

void view_hints_draw(struct console *c, WINDOW *w, struct rect r)
{
	const struct hint *h = hints_steps;
	guint n = G_N_ELEMENTS(hints_steps);
	int x = r.x + 1;

	draw_fill(w, r.y, r.x, r.w, A_NORMAL);
	if (c->prompt.kind != PROMPT_NONE) {
		draw_prompt(c, w, r);
		return;
	}
	if (c->help) {
		draw_text(&c->draw, w, r.y, x, r.w - 1, "Esc or ? closes the help; arrows scroll",
			  draw_attr(&c->draw, ROLE_DIM));
		return;
	}
	if (c->message) {
		/* the last message, until the next key */
		draw_text_cut(&c->draw, w, r.y, x, r.w - 1, c->message,
			      c->message_error ? draw_attr(&c->draw, ROLE_ERROR) : A_BOLD);
		return;
	}
	if (c->focus == FOCUS_SUITES) {
		h = hints_suites;
		n = G_N_ELEMENTS(hints_suites);
	} else if (c->focus == FOCUS_VMS) {
		h = hints_vms;
		n = G_N_ELEMENTS(hints_vms);
	} else if (c->focus >= FOCUS_PANE && c->focus - FOCUS_PANE < c->n_panes &&
		   pane_grabs_keys(c->panes[c->focus - FOCUS_PANE])) {
		h = hints_interactive;
		n = G_N_ELEMENTS(hints_interactive);
	} else if (c->focus >= FOCUS_PANE && c->focus - FOCUS_PANE < c->n_panes &&
		   c->panes[c->focus - FOCUS_PANE]->ops == &pane_console_ops) {
		h = hints_console;
		n = G_N_ELEMENTS(hints_console);
	} else if (c->focus >= FOCUS_PANE) {
		h = hints_pane;
		n = G_N_ELEMENTS(hints_pane);
	}
	for (guint i = 0; i < n; i++) {
		const char *key = c->draw.unicode || strcmp(h[i].key, "↑↓") ? h[i].key : "Up/Dn";
		int need = cells_text_width(key) + 1 + cells_text_width(h[i].what) + 2;

		if (x + need > r.x + r.w)
			break;
		x += draw_text(&c->draw, w, r.y, x, need, key, draw_attr(&c->draw, ROLE_HINT_KEY));
		x += draw_text(&c->draw, w, r.y, x, need, " ", A_NORMAL);
		x += draw_text(&c->draw, w, r.y, x, need, h[i].what, A_NORMAL);
		x += draw_text(&c->draw, w, r.y, x, need, "  ", A_NORMAL);
	}
}
