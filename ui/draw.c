/* draw.c - drawing on the terminal: glyphs (Unicode or ASCII), colour roles, clipped text, boxes. */
#include "config.h"

#include <langinfo.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cells.h"
#include "draw.h"

enum box_part { BOX_H, BOX_V, BOX_TL, BOX_TR, BOX_BL, BOX_BR, BOX_PARTS };

static const char *const box_unicode[2][BOX_PARTS] = {
	{ "─", "│", "┌", "┐", "└", "┘" },
	{ "━", "┃", "┏", "┓", "┗", "┛" },
};
static const char *const box_ascii[2][BOX_PARTS] = {
	{ "-", "|", "+", "+", "+", "+" },
	{ "=", "|", "#", "#", "#", "#" },
};

static const char *const glyph_unicode[GLYPH_COUNT] = { "▸", "◆", "●", "…", "↵", "│", "✎" };
static const char *const glyph_ascii[GLYPH_COUNT] = { ">", "*", "@", "~", "|", "|", "e" };

static const char *const mark_unicode[STEP_STATUS_COUNT] = { "·", "▶", "✔", "✘", "↷", "⊘", "!" };
static const char *const mark_ascii[STEP_STATUS_COUNT] = { ".", ">", "P", "F", "S", "B", "E" };

enum {
	PAIR_FOCUS = 1,
	PAIR_PASS,
	PAIR_FAIL,
	PAIR_SKIP,
	PAIR_BLOCKED,
	PAIR_RUNNING,
	PAIR_STATUS,
};

void draw_init(struct draw *d, gboolean unicode, gboolean utf8, gboolean color)
{
	d->unicode = unicode && utf8;
	d->utf8 = utf8;
	d->color = color && has_colors();
	if (!d->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_FOCUS, COLOR_CYAN, -1);
	init_pair(PAIR_PASS, COLOR_GREEN, -1);
	init_pair(PAIR_FAIL, COLOR_RED, -1);
	init_pair(PAIR_SKIP, COLOR_YELLOW, -1);
	init_pair(PAIR_BLOCKED, COLOR_MAGENTA, -1);
	init_pair(PAIR_RUNNING, COLOR_CYAN, -1);
	init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_CYAN);
	d->pairs = g_hash_table_new(g_direct_hash, g_direct_equal);
	d->next_pair = PAIR_STATUS + 1;
}

void draw_free(struct draw *d)
{
	g_clear_pointer(&d->pairs, g_hash_table_unref);
}

int draw_cell_pair(const struct draw *d, int fg, int bg)
{
	struct draw *m = (struct draw *)d; /* the cache is not part of what callers see */
	gpointer key = GINT_TO_POINTER(((fg + 1) & 0xffff) << 16 | ((bg + 1) & 0xffff));
	gpointer found;
	int pair;

	if (!d->color || !d->pairs)
		return 0;
	if (fg < 0 && bg < 0)
		return 0;
	if (g_hash_table_lookup_extended(d->pairs, key, NULL, &found))
		return GPOINTER_TO_INT(found);
	if (m->next_pair >= MIN(COLOR_PAIRS, 32767))
		return 0;
	pair = m->next_pair++;
	if (init_pair((short)pair, (short)fg, (short)bg) == ERR)
		pair = 0;
	g_hash_table_insert(m->pairs, key, GINT_TO_POINTER(pair));
	return pair;
}

const char *draw_glyph(const struct draw *d, enum glyph g)
{
	return (unsigned)g < GLYPH_COUNT ? (d->unicode ? glyph_unicode : glyph_ascii)[g] : "?";
}

const char *draw_status_mark(const struct draw *d, enum step_status s)
{
	return (unsigned)s < STEP_STATUS_COUNT ? (d->unicode ? mark_unicode : mark_ascii)[s] : "?";
}

attr_t draw_attr(const struct draw *d, enum role r)
{
	gboolean c = d->color;

	switch (r) {
	case ROLE_BORDER_FOCUS:
		return c ? COLOR_PAIR(PAIR_FOCUS) | A_BOLD : A_BOLD;
	case ROLE_TITLE:
		return A_BOLD;
	case ROLE_TITLE_FOCUS:
		return c ? COLOR_PAIR(PAIR_FOCUS) | A_BOLD : A_BOLD | A_UNDERLINE;
	case ROLE_SELECTED:
		return A_REVERSE;
	case ROLE_SELECTED_OTHER:
		return A_BOLD;
	case ROLE_STATUS:
		return c ? COLOR_PAIR(PAIR_STATUS) : A_REVERSE;
	case ROLE_HINT_KEY:
		return A_BOLD;
	case ROLE_DIM:
		return A_DIM;
	case ROLE_ERROR:
		return c ? COLOR_PAIR(PAIR_FAIL) | A_BOLD : A_BOLD;
	case ROLE_PROMPT:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

attr_t draw_status_attr(const struct draw *d, enum step_status s)
{
	if (!d->color)
		return s == STEP_FAIL || s == STEP_ERROR || s == STEP_RUNNING ? A_BOLD : A_NORMAL;
	switch (s) {
	case STEP_RUNNING:
		return COLOR_PAIR(PAIR_RUNNING) | A_BOLD;
	case STEP_PASS:
		return COLOR_PAIR(PAIR_PASS);
	case STEP_FAIL:
	case STEP_ERROR:
		return COLOR_PAIR(PAIR_FAIL) | A_BOLD;
	case STEP_SKIP:
		return COLOR_PAIR(PAIR_SKIP);
	case STEP_BLOCKED:
		return COLOR_PAIR(PAIR_BLOCKED) | A_BOLD;
	default:
		return A_NORMAL;
	}
}

int draw_text(const struct draw *d, WINDOW *w, int y, int x, int maxw, const char *text, attr_t attr)
{
	int used = 0;

	if (maxw <= 0 || !text)
		return 0;
	wattrset(w, (int)attr);
	wmove(w, y, x);
	for (const char *p = text; *p;) {
		gunichar c = g_utf8_get_char_validated(p, -1);
		gsize len;
		int cw;

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			c = '?';
			len = 1;
		} else {
			len = (gsize)(g_utf8_next_char(p) - p);
		}
		cw = cells_char_width(c);
		if (used + cw > maxw)
			break;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (c >= 0x80 && !d->utf8) ||
		    (c == 0xfffd && !d->utf8))
			waddch(w, '?');
		else if (cw > 0 || used > 0)
			waddnstr(w, p, (int)len);
		used += cw;
		p += len;
	}
	wattrset(w, A_NORMAL);
	return used;
}

int draw_text_cut(const struct draw *d, WINDOW *w, int y, int x, int maxw, const char *text, attr_t attr)
{
	int ew;

	if (maxw <= 0 || !text)
		return 0;
	if (cells_text_width(text) <= maxw)
		return draw_text(d, w, y, x, maxw, text, attr);
	ew = draw_text(d, w, y, x, maxw - 1, text, attr);
	return ew + draw_text(d, w, y, x + ew, 1, draw_glyph(d, GLYPH_ELLIPSIS), attr);
}

void draw_fill(WINDOW *w, int y, int x, int width, attr_t attr)
{
	if (width <= 0)
		return;
	wattrset(w, (int)attr);
	mvwhline(w, y, x, ' ', width);
	wattrset(w, A_NORMAL);
}

void draw_box(const struct draw *d, WINDOW *w, struct rect r, const char *title, gboolean focused)
{
	const char *const *b = (d->unicode ? box_unicode : box_ascii)[focused ? 1 : 0];
	attr_t battr = draw_attr(d, focused ? ROLE_BORDER_FOCUS : ROLE_BORDER);

	if (r.h < 2 || r.w < 2)
		return;
	for (int x = r.x + 1; x < r.x + r.w - 1; x++) {
		draw_text(d, w, r.y, x, 1, b[BOX_H], battr);
		draw_text(d, w, r.y + r.h - 1, x, 1, b[BOX_H], battr);
	}
	for (int y = r.y + 1; y < r.y + r.h - 1; y++) {
		draw_text(d, w, y, r.x, 1, b[BOX_V], battr);
		draw_text(d, w, y, r.x + r.w - 1, 1, b[BOX_V], battr);
	}
	draw_text(d, w, r.y, r.x, 1, b[BOX_TL], battr);
	draw_text(d, w, r.y, r.x + r.w - 1, 1, b[BOX_TR], battr);
	draw_text(d, w, r.y + r.h - 1, r.x, 1, b[BOX_BL], battr);
	draw_text(d, w, r.y + r.h - 1, r.x + r.w - 1, 1, b[BOX_BR], battr);
	if (title && *title && r.w > 6) {
		g_autofree char *t = g_strdup_printf(" %s ", title);

		draw_text_cut(d, w, r.y, r.x + 2, r.w - 4, t, draw_attr(d, focused ? ROLE_TITLE_FOCUS : ROLE_TITLE));
	}
}

SCREEN *draw_term_start(struct draw *d, gboolean ascii)
{
	const char *codeset = nl_langinfo(CODESET);
	const char *no_color = g_getenv("NO_COLOR");
	gboolean utf8 = codeset && (g_ascii_strcasecmp(codeset, "UTF-8") == 0 || g_ascii_strcasecmp(codeset, "utf8") == 0);
	SCREEN *screen = newterm(NULL, stdout, stdin);

	if (!screen)
		return NULL;
	set_term(screen);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	draw_init(d, !ascii, utf8, !(no_color && *no_color));
	return screen;
}

void draw_term_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}
