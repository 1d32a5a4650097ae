/* pane_console.c - the console pane: a guest's serial console through the terminal grid, scrollback, search, typing. */
#include "config.h"

#include <string.h>

#include "cells.h"
#include "conhub.h"
#include "console.h"
#include "journal.h"
#include "keys.h"
#include "suite.h"
#include "termkeys.h"
#include "vars.h"
#include "vconsole.h"
#include "virt.h"
#include "vtgrid.h"

#define CONSOLE_MIN_COLS 80 /* a serial console's guest assumes 80 columns */
#define KEY_LEAVE 0x1d      /* Ctrl-] */

struct console_pane {
	struct pane *pane;
	struct console *c;   /* NULL outside a console (benchmarks) */
	char *machine;       /* as the suite or the operator named it */
	char *domain;
	char *device;        /* the machine's console: device, or NULL */
	char *uri;           /* the machine's uri:, NULL for the console's connection */
	struct vtgrid *grid;
	struct vconsole *vc; /* borrowed from the hub */
	guint listen_id;
	char *state;         /* why nothing is attached, or NULL */
	gboolean interactive;
	int back;            /* lines scrolled back from the live screen */
	guint64 scrolled_at; /* vtgrid_lines_scrolled() when back was last adjusted */
	char *search;        /* the last search */
	gboolean found;
	int found_row, found_col;
	gboolean fed;        /* bytes came: the grid is shown, the state goes to the title */
};

static void update_title(struct console_pane *cp)
{
	g_autoptr(GString) t = g_string_new("console: ");

	/* what matters most first: the title is cut to the pane's width */
	g_string_append(t, cp->machine);
	if (cp->interactive)
		g_string_append(t, " [typing: Ctrl-] leaves]");
	if (cp->back > 0)
		g_string_append_printf(t, " [%d lines back: End returns]", cp->back);
	if (!cp->interactive && cp->state && cp->fed)
		g_string_append_printf(t, " [%s]", cp->state);
	if (g_strcmp0(cp->machine, cp->domain) != 0)
		g_string_append_printf(t, " (%s)", cp->domain);
	pane_set_title(cp->pane, t->str);
}

static void set_state(struct console_pane *cp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_state(struct console_pane *cp, const char *fmt, ...)
{
	va_list ap;

	g_free(cp->state);
	cp->state = NULL;
	if (fmt) {
		va_start(ap, fmt);
		cp->state = g_strdup_vprintf(fmt, ap);
		va_end(ap);
	}
	if (!cp->state)
		cp->interactive = cp->interactive && cp->vc;
	else
		cp->interactive = FALSE;
	update_title(cp);
	if (cp->c)
		console_dirty(cp->c);
}

static void grid_answer(const char *bytes, size_t len, void *user)
{
	struct console_pane *cp = user;

	/* the terminal's answers (device attributes, cursor position) go back to the guest */
	if (cp->vc)
		vconsole_write(cp->vc, bytes, len);
}

static void feed(struct console_pane *cp, const char *data, gsize len)
{
	vtgrid_feed(cp->grid, data, len);
	if (!cp->fed) {
		cp->fed = TRUE;
		update_title(cp);
	}
	if (cp->c)
		console_dirty(cp->c); /* the redraw timer draws: bursts are coalesced */
}

static void on_data(const char *data, gsize len, void *user_data)
{
	feed(user_data, data, len);
}

static void on_closed(const GError *error, void *user_data)
{
	struct console_pane *cp = user_data;

	/* the hub frees the closed console at its next conhub_get; we only forget it */
	cp->vc = NULL;
	cp->listen_id = 0;
	if (error)
		set_state(cp, "closed: %s", error->message);
	else
		set_state(cp, "closed: the guest stopped, or another client took the console");
}

static void detach(struct console_pane *cp)
{
	if (cp->vc && cp->listen_id)
		vconsole_unlisten(cp->vc, cp->listen_id);
	cp->vc = NULL;
	cp->listen_id = 0;
}

/* The machine's domain and URI from the open suite; else target is a domain of the console's connection. */
static void resolve_target(struct console_pane *cp)
{
	const struct suite_machine *m = NULL;
	struct console *c = cp->c;

	if (c && c->suite && cp->machine)
		m = suite_find_machine(c->suite, cp->machine);
	if (m && m->domain && c->vars)
		cp->domain = vars_expand(c->vars, m->domain, VARS_RAW, NULL);
	if (!cp->domain)
		cp->domain = g_strdup(m && m->domain ? m->domain : cp->machine);
	cp->device = m && m->console ? g_strdup(m->console) : NULL;
	if (m && m->uri) {
		cp->uri = c->vars ? vars_expand(c->vars, m->uri, VARS_RAW, NULL) : NULL;
		if (!cp->uri)
			cp->uri = g_strdup(m->uri);
	}
	if (!cp->uri && c && c->uri)
		cp->uri = g_strdup(c->uri);
}

static void console_refresh(struct pane *pane)
{
	struct console_pane *cp = pane->priv;
	struct console *c = cp->c;
	g_autoptr(GError) error = NULL;
	const struct virt_domain *d;
	struct virt *virt;
	static const struct vconsole_listener listener = { on_data, on_closed };

	if (!c || !cp->domain)
		return;
	if (cp->vc) {
		if (vconsole_is_open(cp->vc))
			return;
		detach(cp);
	}
	virt = vms_virt_for(c, cp->uri);
	if (!virt) {
		set_state(cp, "no libvirt connection");
		return;
	}
	if (virt_state(virt) == VIRT_CONN_CONNECTING) {
		set_state(cp, "connecting to %s", virt_uri(virt) ? virt_uri(virt) : "libvirt");
		return;
	}
	if (virt_state(virt) != VIRT_CONN_UP) {
		set_state(cp, "%s: connection lost, reconnecting", virt_uri(virt) ? virt_uri(virt) : "libvirt");
		return;
	}
	d = virt_find_domain(virt, cp->domain);
	if (!d) {
		set_state(cp, "no domain '%s' on %s", cp->domain, virt_uri(virt));
		return;
	}
	if (d->state != VIR_DOMAIN_RUNNING && d->state != VIR_DOMAIN_PAUSED && d->state != VIR_DOMAIN_BLOCKED) {
		set_state(cp, "%s is %s: its console opens when it starts", cp->domain, virt_state_name(d->state));
		return;
	}
	cp->vc = conhub_get(c->hub, virt_connection(virt), cp->domain, cp->device, FALSE, &error);
	if (!cp->vc) {
		set_state(cp, "%s", error->message);
		return;
	}
	cp->listen_id = vconsole_listen(cp->vc, &listener, cp);
	set_state(cp, NULL);
}

static void console_init(struct pane *pane)
{
	struct console_pane *cp = g_new0(struct console_pane, 1);

	pane->priv = cp;
	cp->pane = pane;
	cp->c = pane->host;
	cp->machine = g_strdup(pane->target ? pane->target : "?");
	cp->grid = vtgrid_new(24, CONSOLE_MIN_COLS, VTGRID_DEFAULT_SCROLLBACK);
	vtgrid_set_output_func(cp->grid, grid_answer, cp);
	resolve_target(cp);
	update_title(cp);
	console_refresh(pane);
}

static void console_destroy(struct pane *pane)
{
	struct console_pane *cp = pane->priv;

	detach(cp);
	vtgrid_free(cp->grid);
	g_free(cp->machine);
	g_free(cp->domain);
	g_free(cp->device);
	g_free(cp->uri);
	g_free(cp->state);
	g_free(cp->search);
	g_free(cp);
}

/* A grid colour as a curses colour number (-1 the default), fitted to what the terminal has. */
static int curses_color(uint32_t col)
{
	uint32_t i, r, g, b;

	switch (VTGRID_COLOR_KIND(col)) {
	case VTGRID_COLOR_INDEXED:
		i = VTGRID_COLOR_INDEX(col);
		if ((int)i < COLORS)
			return (int)i;
		if (i < 16)
			return (int)(i % 8);
		if (i >= 232)
			return i < 244 ? COLOR_BLACK : COLOR_WHITE;
		r = (i - 16) / 36;
		g = (i - 16) / 6 % 6;
		b = (i - 16) % 6;
		return (r >= 3 ? COLOR_RED : 0) | (g >= 3 ? COLOR_GREEN : 0) | (b >= 3 ? COLOR_BLUE : 0);
	case VTGRID_COLOR_RGB:
		i = VTGRID_COLOR_RGB_VALUE(col);
		r = i >> 16;
		g = (i >> 8) & 0xff;
		b = i & 0xff;
		if (COLORS >= 256)
			return (int)(16 + 36 * (r * 6 / 256) + 6 * (g * 6 / 256) + b * 6 / 256);
		return (r >= 128 ? COLOR_RED : 0) | (g >= 128 ? COLOR_GREEN : 0) | (b >= 128 ? COLOR_BLUE : 0);
	default:
		return -1;
	}
}

static void draw_row(struct console_pane *cp, WINDOW *win, int y, int x, int w, int row, int hl_col, int hl_len)
{
	const struct draw *d = cp->pane->draw;
	int n = 0;
	const struct vtgrid_cell *cells = vtgrid_line(cp->grid, row, &n);

	for (int col = 0; cells && col < MIN(n, w); col++) {
		const struct vtgrid_cell *cell = &cells[col];
		wchar_t wch[VTGRID_MAX_COMBINING + 2] = { 0 };
		attr_t a = A_NORMAL;
		int pair = 0, k = 1;
		uint32_t ch = cell->ch;
		cchar_t cc;

		if (cell->width == 0 && col > 0 && cells[col - 1].width == 2)
			continue; /* the right half of a wide character drawn already */
		if (cell->width == 0 || (cell->width == 2 && col + 1 >= w) || ch == 0)
			ch = ' ';
		else if (ch < 0x20 || (ch >= 0x7f && ch < 0xa0) || (ch >= 0x80 && !d->utf8))
			ch = '?';
		wch[0] = (wchar_t)ch;
		if (cell->combining && d->utf8 && ch != ' ' && ch != '?') {
			uint32_t comb[VTGRID_MAX_COMBINING];
			int nc = vtgrid_cell_combining(cp->grid, row, col, comb, VTGRID_MAX_COMBINING);

			for (int j = 0; j < nc; j++)
				wch[k++] = (wchar_t)comb[j];
		}
		if (cell->bold)
			a |= A_BOLD;
		if (cell->underline)
			a |= A_UNDERLINE;
		if (cell->reverse)
			a |= A_REVERSE;
		if (cell->blink)
			a |= A_BLINK;
#ifdef A_ITALIC
		if (cell->italic)
			a |= A_ITALIC;
#endif
		if (hl_len > 0 && col >= hl_col && col < hl_col + hl_len)
			a ^= A_REVERSE;
		if (d->color)
			pair = draw_cell_pair(d, curses_color(cell->fg), curses_color(cell->bg));
		if (setcchar(&cc, wch, a, (short)pair, NULL) == OK)
			mvwadd_wch(win, y, x + col, &cc);
	}
}

static void console_draw(struct pane *pane, WINDOW *win, struct rect r)
{
	struct console_pane *cp = pane->priv;
	int rows = vtgrid_rows(cp->grid), cols = vtgrid_cols(cp->grid), sb;
	guint64 scrolled;

	/* rows follow the pane; columns only grow (no reflow: narrowing would cut lines) */
	if (rows != r.h || cols < r.w)
		vtgrid_resize(cp->grid, r.h, MAX(cols, MAX(r.w, CONSOLE_MIN_COLS)));
	sb = vtgrid_scrollback_count(cp->grid);
	scrolled = vtgrid_lines_scrolled(cp->grid);
	if (cp->back > 0) {
		/* the view stays still while output scrolls under it */
		cp->back += (int)MIN(scrolled - cp->scrolled_at, (guint64)G_MAXINT / 2);
	}
	cp->scrolled_at = scrolled;
	cp->back = CLAMP(cp->back, 0, sb);
	if (!cp->fed && cp->state) {
		const char *s = cp->state;

		/* the whole message, wrapped: it says what to do */
		for (int y = r.y; *s && y < r.y + r.h; y++) {
			int used;
			gsize fit = cells_fit(s, r.w, &used);

			if (!fit)
				break;
			g_autofree char *part = g_strndup(s, fit);
			draw_text(pane->draw, win, y, r.x, r.w, part, draw_attr(pane->draw, ROLE_DIM));
			s += fit;
			while (*s == ' ')
				s++;
		}
		return;
	}
	for (int i = 0; i < r.h; i++) {
		int row = i - cp->back;
		gboolean hl = cp->found && row == cp->found_row;

		draw_row(cp, win, r.y + i, r.x, r.w, row, hl ? cp->found_col : 0,
			 hl ? (int)g_utf8_strlen(cp->search, -1) : 0);
	}
	if (cp->interactive && cp->back == 0) {
		int crow, ccol;
		gboolean visible;

		vtgrid_cursor(cp->grid, &crow, &ccol, &visible);
		if (visible && crow < r.h && ccol < r.w && cp->c) {
			cp->c->cursor_want = TRUE; /* placed after everything else is drawn */
			cp->c->cursor_y = r.y + crow;
			cp->c->cursor_x = r.x + ccol;
		}
	}
	vtgrid_clear_dirty(cp->grid);
}

static void scroll_to(struct console_pane *cp, int back)
{
	cp->back = CLAMP(back, 0, vtgrid_scrollback_count(cp->grid));
	cp->scrolled_at = vtgrid_lines_scrolled(cp->grid);
	update_title(cp);
}

static void search(struct console_pane *cp, const char *needle)
{
	g_autoptr(GError) error = NULL;
	int rows = MAX(cp->pane->rows, 1), from_row, from_col, row, col;

	if (needle && *needle && g_strcmp0(needle, cp->search) != 0) {
		g_free(cp->search);
		cp->search = g_strdup(needle);
		cp->found = FALSE;
	}
	if (!cp->search || !*cp->search)
		return;
	if (cp->found) {
		from_row = cp->found_row; /* the next older match */
		from_col = cp->found_col;
	} else {
		from_row = rows - 1 - cp->back; /* from the bottom of the view, upwards */
		from_col = -1;
	}
	if (!vtgrid_search(cp->grid, cp->search, VTGRID_SEARCH_BACKWARD | VTGRID_SEARCH_CASELESS, from_row, from_col,
			   &row, &col, &error)) {
		if (cp->c)
			console_message(cp->c, TRUE, "'%s': %s", cp->search,
					error ? error->message : cp->found ? "no older match" : "not in the scrollback");
		return;
	}
	cp->found = TRUE;
	cp->found_row = row;
	cp->found_col = col;
	/* the match in view: kept where it is when it shows, else in the middle */
	if (row + cp->back < 0 || row + cp->back >= rows)
		scroll_to(cp, rows / 2 - row);
	if (cp->c)
		console_message(cp->c, FALSE, "'%s' found %d lines up (/ Enter finds the next older one)", cp->search,
				MAX(rows - 1 - row, 0));
}

static void search_answered(struct console *c, const struct prompt *p, int answer, const char *text)
{
	if (!answer || p->index < 0 || p->index >= c->n_panes || c->panes[p->index]->ops != &pane_console_ops)
		return;
	search(c->panes[p->index]->priv, text);
}

static int pane_index(struct console_pane *cp)
{
	for (int i = 0; cp->c && i < cp->c->n_panes; i++)
		if (cp->c->panes[i] == cp->pane)
			return i;
	return -1;
}

static gboolean interactive_key(struct console_pane *cp, int key)
{
	char bytes[TERMKEYS_MAX];
	gsize n;

	if (key == KEY_LEAVE) {
		cp->interactive = FALSE;
		update_title(cp);
		if (cp->c)
			console_message(cp->c, FALSE, "left the console of %s: keys are the console's again", cp->machine);
		return TRUE;
	}
	n = termkeys_encode(key, cp->grid, bytes);
	if (!n)
		return TRUE;
	if (!cp->vc || !vconsole_write(cp->vc, bytes, n)) {
		if (cp->c)
			console_message(cp->c, TRUE, "%s: the console is not open (%s)", cp->machine,
					cp->state ? cp->state : "closed");
		return TRUE;
	}
	/* what the operator typed is evidence too: journaled with the step that runs (or waits) */
	if (cp->c && cp->c->journal && cp->c->run && run_current(cp->c->run) >= 0) {
		g_autofree char *text = g_strndup(bytes, n);

		journal_input(cp->c->journal, (guint)run_current(cp->c->run), "keys", text);
	}
	if (cp->back)
		scroll_to(cp, 0);
	return TRUE;
}

static gboolean console_key(struct pane *pane, int key)
{
	struct console_pane *cp = pane->priv;
	int page = MAX(pane->rows - 1, 1);

	if (cp->interactive)
		return interactive_key(cp, key);
	switch (key) {
	case 'i':
		if (!cp->vc) {
			if (cp->c)
				console_message(cp->c, TRUE, "%s: no console to type into (%s)", cp->machine,
						cp->state ? cp->state : "not open");
			return TRUE;
		}
		cp->interactive = TRUE;
		scroll_to(cp, 0);
		if (cp->c)
			console_message(cp->c, FALSE, "keys go to %s now; Ctrl-] gives them back", cp->machine);
		return TRUE;
	case '/':
		if (cp->c) {
			console_prompt(cp->c, PROMPT_LINE, "Search the scrollback (older first; empty: the next one):",
				       "", search_answered);
			cp->c->prompt.index = pane_index(cp);
		}
		return TRUE;
	case UI_KEY_FN(KEY_UP):
	case 'k':
		scroll_to(cp, cp->back + 1);
		return TRUE;
	case UI_KEY_FN(KEY_DOWN):
	case 'j':
		scroll_to(cp, cp->back - 1);
		return TRUE;
	case UI_KEY_FN(KEY_PPAGE):
		scroll_to(cp, cp->back + page);
		return TRUE;
	case UI_KEY_FN(KEY_NPAGE):
		scroll_to(cp, cp->back - page);
		return TRUE;
	case UI_KEY_FN(KEY_HOME):
	case 'g':
		scroll_to(cp, G_MAXINT / 2);
		return TRUE;
	case UI_KEY_FN(KEY_END):
	case 'G':
		cp->found = FALSE;
		scroll_to(cp, 0);
		return TRUE;
	default:
		return FALSE;
	}
}

static void console_feed(struct pane *pane, const char *data, gsize len)
{
	feed(pane->priv, data, len);
}

static void console_reset(struct pane *pane)
{
	struct console_pane *cp = pane->priv;

	vtgrid_reset(cp->grid);
	cp->back = 0;
	cp->found = FALSE;
	cp->fed = FALSE;
	update_title(cp);
}

static gboolean console_grabs_keys(struct pane *pane)
{
	struct console_pane *cp = pane->priv;

	return cp->interactive;
}

struct vtgrid *pane_console_grid(struct pane *pane)
{
	return pane->ops == &pane_console_ops ? ((struct console_pane *)pane->priv)->grid : NULL;
}

const struct pane_ops pane_console_ops = {
	.name = "console",
	.init = console_init,
	.destroy = console_destroy,
	.draw = console_draw,
	.key = console_key,
	.feed = console_feed,
	.reset = console_reset,
	.virt_changed = console_refresh,
	.grabs_keys = console_grabs_keys,
};
