/* vtgrid.c - the terminal grid behind console panes: libvterm's state layer into a ring of lines. */
#include "config.h"

#include "vtgrid.h"

#include <string.h>
#include <vterm.h>

struct vtgrid_comb {
	uint16_t col;
	uint8_t n;
	uint32_t ch[VTGRID_MAX_COMBINING];
};

struct vtgrid_line {
	struct vtgrid_cell *cells;
	GArray *comb;     /* struct vtgrid_comb, at most one per column; NULL almost always */
	uint16_t ncells;  /* valid cells */
	uint16_t cap;     /* allocated cells */
	/* Cells [clean_from, ncells) are default blanks not yet written (their memory is stale), so
	 * recycling a line clears nothing; line_materialize() writes them before cells are read. */
	uint16_t clean_from;
};

struct vtgrid {
	VTerm *vt;
	VTermState *state;
	int rows, cols, sb_max;
	/* The main screen and its scrollback: ring_cap = sb_max + rows slots. Screen row r is slot
	 * (top + r) % ring_cap, scrollback line -k is slot (top - k) mod ring_cap. */
	struct vtgrid_line *ring;
	int ring_cap, top, sb_count;
	struct vtgrid_line *alt; /* rows lines once the alternate screen was used */
	gboolean altscreen;
	struct vtgrid_cell pen;  /* the current pen as a cell template (ch 0, width 1) */
	uint32_t pen_word;       /* the pen's first 32 bits (ch 0), for putglyph's fast path */
	int last_row;            /* putglyph's cache: the slot of screen row last_row, or -1 */
	struct vtgrid_line *last_line;
	int ch_shift;            /* where ch sits in that word */
	int cur_row, cur_col;
	gboolean cursor_visible;
	char *title;
	guint64 *dirty;          /* one bit per screen row */
	guint64 generation, scrolled;
	guint bells;
	vtgrid_output_func output;
	void *output_user;
	char *capture;           /* vtgrid_key_bytes(): libvterm's output is caught here */
	gsize capture_len;
	/* The input guard (see vtgrid_feed): after an ESC, inside a CSI's parameters (and how many
	 * separators), after ESC #, inside an OSC or DCS string (and after an ESC in it). */
	gboolean guard_esc, guard_csi, guard_hash, guard_str_esc;
	int guard_seps, guard_str;
	gboolean rep_safe;       /* the last glyph libvterm drew had a width > 0 */
	char osc[VTGRID_MAX_TITLE + 3];
	int osc_len;
};

enum { STR_NONE, STR_OSC, STR_DCS };

/*
 * libvterm 0.1.x is not safe with every input, so vtgrid_feed() guards it:
 *  - CSI arguments go into a 16-entry array without a bounds check: the arguments after the
 *    16th are dropped before they reach it;
 *  - its OSC/DCS string handling reads past its input (C0 controls in a string ending in a later
 *    write, ESC BEL, ...): strings never reach it; OSC 0/2 (the title) is handled here;
 *  - REP (CSI n b) loops forever when the last glyph was zero-width (or there was none since a
 *    reset): such a REP is cancelled (its final byte replaced with CAN);
 *  - a scroll region beyond a shrunk screen scrolls with a negative size: see vtgrid_resize().
 */
#define CSI_MAX_SEPARATORS 15

/* Where ch sits in a cell's first word: bit 0 with the little-endian ABIs' bit-field layout
 * (tests/test_vtgrid.c checks), else found at run time. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define CH_SHIFT(g) 0
#else
#define CH_SHIFT(g) ((g)->ch_shift)
#endif

#define DIRTY_WORDS(rows) (((rows) + 63) / 64)

static inline void mark_dirty(struct vtgrid *g, int row)
{
	g->dirty[row >> 6] |= G_GUINT64_CONSTANT(1) << (row & 63);
}

/* Marks rows [first, end) a word at a time. */
static void mark_dirty_rows(struct vtgrid *g, int first, int end)
{
	while (first < end) {
		int bit = first & 63, n = MIN(end - first, 64 - bit);
		guint64 mask = n == 64 ? ~G_GUINT64_CONSTANT(0) : ((G_GUINT64_CONSTANT(1) << n) - 1) << bit;
		g->dirty[first >> 6] |= mask;
		first += n;
	}
}

static inline struct vtgrid_line *screen_line(struct vtgrid *g, int row)
{
	if (G_UNLIKELY(g->altscreen))
		return &g->alt[row];
	int i = g->top + row;
	if (i >= g->ring_cap)
		i -= g->ring_cap;
	return &g->ring[i];
}

/* The screen's rows moved to other slots (scroll of the ring, alternate screen, resize). */
static inline void rows_moved(struct vtgrid *g)
{
	g->last_row = -1;
}

static inline struct vtgrid_cell blank_cell(const struct vtgrid *g)
{
	struct vtgrid_cell c = { .width = 1, .fg = g->pen.fg, .bg = g->pen.bg };
	return c;
}

static void fill_cells(struct vtgrid_cell *cells, int n, struct vtgrid_cell c)
{
	for (int i = 0; i < n; i++)
		cells[i] = c;
}

static inline gboolean is_default_blank(struct vtgrid_cell b)
{
	return b.fg == VTGRID_COLOR_DEFAULT && b.bg == VTGRID_COLOR_DEFAULT;
}

static const struct vtgrid_cell default_blank = { .width = 1 };

static inline void line_materialize(struct vtgrid_line *ln)
{
	if (ln->clean_from < ln->ncells) {
		fill_cells(ln->cells + ln->clean_from, ln->ncells - ln->clean_from, default_blank);
		ln->clean_from = ln->ncells;
	}
}

/* Makes a line exactly `cols` cells wide, all blank with cell `b` (its fg and bg only). */
static void line_clear(struct vtgrid_line *ln, int cols, struct vtgrid_cell b)
{
	if (ln->cap < cols) {
		ln->cells = g_renew(struct vtgrid_cell, ln->cells, cols);
		ln->cap = (uint16_t)cols;
	}
	if (is_default_blank(b)) {
		ln->clean_from = 0;
	} else {
		fill_cells(ln->cells, cols, b);
		ln->clean_from = (uint16_t)cols;
	}
	ln->ncells = (uint16_t)cols;
	if (ln->comb) {
		g_array_free(ln->comb, TRUE);
		ln->comb = NULL;
	}
}

/* Truncates or extends a line to `cols` cells (new ones blank with default colours). */
static void line_set_width(struct vtgrid_line *ln, int cols)
{
	static const struct vtgrid_cell blank = { .width = 1 };

	line_materialize(ln);
	if (ln->cap < cols) {
		ln->cells = g_renew(struct vtgrid_cell, ln->cells, cols);
		ln->cap = (uint16_t)cols;
	}
	if (ln->ncells < cols)
		fill_cells(ln->cells + ln->ncells, cols - ln->ncells, blank);
	else if (cols > 0 && ln->cells[cols - 1].width == 2)
		ln->cells[cols - 1] = blank; /* a wide character cut in half */
	ln->ncells = (uint16_t)cols;
	ln->clean_from = (uint16_t)cols;
	if (ln->comb) {
		for (guint i = 0; i < ln->comb->len;) {
			if (g_array_index(ln->comb, struct vtgrid_comb, i).col >= cols)
				g_array_remove_index_fast(ln->comb, i);
			else
				i++;
		}
	}
}

static void line_free(struct vtgrid_line *ln)
{
	g_free(ln->cells);
	if (ln->comb)
		g_array_free(ln->comb, TRUE);
	memset(ln, 0, sizeof(*ln));
}

static struct vtgrid_comb *comb_find(const struct vtgrid_line *ln, int col)
{
	if (!ln->comb)
		return NULL;
	for (guint i = 0; i < ln->comb->len; i++) {
		struct vtgrid_comb *e = &g_array_index(ln->comb, struct vtgrid_comb, i);
		if (e->col == col)
			return e;
	}
	return NULL;
}

static void comb_set(struct vtgrid_line *ln, int col, const uint32_t *chars, int n)
{
	struct vtgrid_comb *e = comb_find(ln, col);
	if (!e) {
		if (!ln->comb)
			ln->comb = g_array_new(FALSE, TRUE, sizeof(struct vtgrid_comb));
		struct vtgrid_comb fresh = { .col = (uint16_t)col };
		g_array_append_val(ln->comb, fresh);
		e = &g_array_index(ln->comb, struct vtgrid_comb, ln->comb->len - 1);
	}
	e->n = (uint8_t)MIN(n, VTGRID_MAX_COMBINING);
	for (int i = 0; i < e->n; i++)
		e->ch[i] = chars[i];
}

/* Surrogates, out-of-range values and C1 controls (which libvterm passes as text) show as U+FFFD. */
static uint32_t sane_char(uint32_t c)
{
	return c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || (c >= 0x7f && c < 0xa0) || c < 0x20 ? 0xfffd : c;
}

/* --- libvterm state callbacks --- */

G_GNUC_NO_INLINE static int put_glyph_slow(struct vtgrid *g, VTermGlyphInfo *info, VTermPos pos)
{
	g->rep_safe = info->width > 0;
	if ((unsigned)pos.row >= (unsigned)g->rows || (unsigned)pos.col >= (unsigned)g->cols)
		return 1;
	struct vtgrid_line *ln = screen_line(g, pos.row);
	line_materialize(ln);
	struct vtgrid_cell *cells = ln->cells;
	int col = pos.col;
	int width = info->width == 2 && col + 1 < g->cols ? 2 : 1;
	struct vtgrid_cell b = { .width = 1, .fg = cells[col].fg, .bg = cells[col].bg };

	/* Do not leave half of a wide character behind. */
	if (cells[col].width == 0 && col > 0 && cells[col - 1].width == 2)
		cells[col - 1] = b;
	int last = col + width - 1;
	if (cells[last].width == 2 && last + 1 < g->cols && cells[last + 1].width == 0)
		cells[last + 1] = b;

	struct vtgrid_cell n = g->pen;
	n.ch = sane_char(info->chars[0]) & 0x1fffff;
	n.width = (uint32_t)width;
	n.protect = info->protected_cell;
	int extra = 0;
	while (extra < VTERM_MAX_CHARS_PER_CELL - 1 && info->chars[extra + 1])
		extra++;
	n.combining = extra > 0;
	cells[col] = n;
	if (extra > 0) {
		uint32_t tmp[VTERM_MAX_CHARS_PER_CELL];
		for (int i = 0; i < extra; i++)
			tmp[i] = sane_char(info->chars[i + 1]);
		comb_set(ln, col, tmp, extra);
	}
	if (width == 2) {
		struct vtgrid_cell right = g->pen;
		right.width = 0;
		cells[col + 1] = right;
	}
	mark_dirty(g, pos.row);
	return 1;
}

static int cb_putglyph(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	struct vtgrid *g = user;
	uint32_t ch = info->chars[0];
	int col = pos.col;

	if (G_UNLIKELY(info->width != 1 || info->chars[1] != 0 || ch > 0xd7ff || info->protected_cell ||
		       (unsigned)pos.row >= (unsigned)g->rows || (unsigned)col >= (unsigned)g->cols))
		return put_glyph_slow(g, info, pos);
	g->rep_safe = TRUE;
	struct vtgrid_line *ln = g->last_line;
	if (G_UNLIKELY(pos.row != g->last_row)) {
		ln = g->last_line = screen_line(g, pos.row);
		g->last_row = pos.row;
	}
	if (col == ln->clean_from)
		ln->clean_from = (uint16_t)(col + 1);
	else if (G_UNLIKELY(col > ln->clean_from || ln->cells[col].width != 1))
		return put_glyph_slow(g, info, pos); /* past the written part, or over a wide char */
	/* One 12-byte store of the pen with the character in it. */
	uint32_t w[3] = { g->pen_word | ch << CH_SHIFT(g), g->pen.fg, g->pen.bg };
	memcpy(&ln->cells[col], w, sizeof(w));
	mark_dirty(g, pos.row);
	return 1;
}

static int cb_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
	struct vtgrid *g = user;

	g->cur_row = CLAMP(pos.row, 0, g->rows - 1);
	g->cur_col = CLAMP(pos.col, 0, g->cols - 1);
	return 1;
}

/* Clamps a rectangle to the screen; FALSE when empty. */
static gboolean clamp_rect(const struct vtgrid *g, VTermRect *r)
{
	r->start_row = CLAMP(r->start_row, 0, g->rows);
	r->end_row = CLAMP(r->end_row, 0, g->rows);
	r->start_col = CLAMP(r->start_col, 0, g->cols);
	r->end_col = CLAMP(r->end_col, 0, g->cols);
	return r->start_row < r->end_row && r->start_col < r->end_col;
}

static void erase_rect(struct vtgrid *g, VTermRect r, gboolean selective)
{
	struct vtgrid_cell b = blank_cell(g);

	for (int row = r.start_row; row < r.end_row; row++) {
		struct vtgrid_line *ln = screen_line(g, row);
		if (!selective && r.start_col == 0 && r.end_col == g->cols) {
			line_clear(ln, g->cols, b);
		} else if (!selective && is_default_blank(b)) {
			/* Only the written part needs clearing; clearing to its end shortens it. */
			fill_cells(ln->cells + r.start_col, MIN(r.end_col, ln->clean_from) - r.start_col, b);
			if (r.end_col >= ln->clean_from)
				ln->clean_from = (uint16_t)MIN(ln->clean_from, r.start_col);
		} else {
			line_materialize(ln);
			for (int col = r.start_col; col < r.end_col; col++)
				if (!selective || !ln->cells[col].protect)
					ln->cells[col] = b;
		}
		mark_dirty(g, row);
	}
}

static int cb_erase(VTermRect rect, int selective, void *user)
{
	struct vtgrid *g = user;

	if (clamp_rect(g, &rect))
		erase_rect(g, rect, selective);
	return 1;
}

/* Copies cells [scol, scol+n) of src to [dcol, dcol+n) of dst (may be the same line). */
static void copy_cells(struct vtgrid_line *dst, int dcol, struct vtgrid_line *src, int scol, int n)
{
	GArray *moved = NULL;

	line_materialize(src);
	line_materialize(dst);
	if (src->comb) {
		for (guint i = 0; i < src->comb->len; i++) {
			struct vtgrid_comb e = g_array_index(src->comb, struct vtgrid_comb, i);
			if (e.col >= scol && e.col < scol + n && src->cells[e.col].combining) {
				if (!moved)
					moved = g_array_new(FALSE, FALSE, sizeof(struct vtgrid_comb));
				g_array_append_val(moved, e);
			}
		}
	}
	memmove(dst->cells + dcol, src->cells + scol, (size_t)n * sizeof(struct vtgrid_cell));
	if (moved) {
		for (guint i = 0; i < moved->len; i++) {
			struct vtgrid_comb *e = &g_array_index(moved, struct vtgrid_comb, i);
			comb_set(dst, e->col - scol + dcol, e->ch, e->n);
		}
		g_array_free(moved, TRUE);
	}
}

static void move_rect(struct vtgrid *g, VTermRect dest, VTermRect src)
{
	int h = src.end_row - src.start_row;
	int w = src.end_col - src.start_col;
	gboolean up = dest.start_row <= src.start_row;

	for (int i = 0; i < h; i++) {
		int k = up ? i : h - 1 - i;
		copy_cells(screen_line(g, dest.start_row + k), dest.start_col,
			   screen_line(g, src.start_row + k), src.start_col, w);
		mark_dirty(g, dest.start_row + k);
	}
}

static int cb_moverect(VTermRect dest, VTermRect src, void *user)
{
	struct vtgrid *g = user;
	VTermRect d = dest, s = src;

	if (!clamp_rect(g, &d) || !clamp_rect(g, &s))
		return 1;
	/* Both must keep the same size after clamping. */
	int h = MIN(d.end_row - d.start_row, s.end_row - s.start_row);
	int w = MIN(d.end_col - d.start_col, s.end_col - s.start_col);
	d.end_row = d.start_row + h;
	s.end_row = s.start_row + h;
	d.end_col = d.start_col + w;
	s.end_col = s.start_col + w;
	move_rect(g, d, s);
	return 1;
}

/* The O(1) path: the top screen line becomes the newest scrollback line. */
static void ring_push_top(struct vtgrid *g)
{
	int bottom = g->top + g->rows;
	if (bottom >= g->ring_cap)
		bottom -= g->ring_cap;
	/* `bottom` is a free slot or the oldest scrollback line, recycled as the new last row. */
	if (g->sb_count + g->rows >= g->ring_cap && g->sb_count > 0)
		g->sb_count--;
	line_clear(&g->ring[bottom], g->cols, blank_cell(g));
	g->top = g->top + 1 == g->ring_cap ? 0 : g->top + 1;
	rows_moved(g);
	if (g->sb_max > 0)
		g->sb_count++;
	g->scrolled++;
}

/* Full-width scroll of rows [start, end) by n lines (n > 0: content moves up). */
static void scroll_lines(struct vtgrid *g, int start, int end, int n)
{
	int h = end - start;
	struct vtgrid_line tmp_small[64];
	struct vtgrid_line *tmp = h <= 64 ? tmp_small : g_new(struct vtgrid_line, h);

	for (int i = 0; i < h; i++)
		tmp[i] = *screen_line(g, start + i);
	for (int i = 0; i < h; i++)
		*screen_line(g, start + i) = tmp[((i + n) % h + h) % h];
	if (tmp != tmp_small)
		g_free(tmp);
	struct vtgrid_cell b = blank_cell(g);
	int first = n > 0 ? end - n : start, last = n > 0 ? end : start - n;
	for (int r = first; r < last; r++)
		line_clear(screen_line(g, r), g->cols, b);
	mark_dirty_rows(g, start, end);
}

static int cb_scrollrect(VTermRect rect, int downward, int rightward, void *user)
{
	struct vtgrid *g = user;

	if (!clamp_rect(g, &rect))
		return 1;
	int h = rect.end_row - rect.start_row, w = rect.end_col - rect.start_col;
	downward = CLAMP(downward, -h, h);
	rightward = CLAMP(rightward, -w, w);
	if (downward == 0 && rightward == 0)
		return 1;

	if (rightward == 0 && rect.start_col == 0 && rect.end_col == g->cols) {
		if (!g->altscreen && rect.start_row == 0 && downward > 0) {
			/* Lines scrolled off the top of the screen go to the scrollback, also with a
			 * bottom margin (a status line below the region stays put), like xterm. */
			for (int i = 0; i < downward; i++)
				ring_push_top(g);
			if (rect.end_row < g->rows) {
				/* The rows below the region moved up with the ring: put them back below
				 * the region's new blank lines. */
				int below = g->rows - rect.end_row;
				struct vtgrid_line blank_small[64];
				struct vtgrid_line *blank = downward <= 64 ? blank_small : g_new(struct vtgrid_line, downward);
				for (int i = 0; i < downward; i++)
					blank[i] = *screen_line(g, g->rows - downward + i);
				for (int i = below - 1; i >= 0; i--)
					*screen_line(g, rect.end_row + i) = *screen_line(g, rect.end_row - downward + i);
				for (int i = 0; i < downward; i++)
					*screen_line(g, rect.end_row - downward + i) = blank[i];
				if (blank != blank_small)
					g_free(blank);
			}
			mark_dirty_rows(g, 0, rect.end_row);
		} else {
			scroll_lines(g, rect.start_row, rect.end_row, downward);
		}
		return 1;
	}

	/* A partial-width rectangle: move cells, then erase what was uncovered. */
	VTermRect src = rect, dest = rect;
	if (downward >= 0) {
		src.start_row += downward;
		dest.end_row -= downward;
	} else {
		src.end_row += downward;
		dest.start_row -= downward;
	}
	if (rightward >= 0) {
		src.start_col += rightward;
		dest.end_col -= rightward;
	} else {
		src.end_col += rightward;
		dest.start_col -= rightward;
	}
	if (dest.start_row < dest.end_row && dest.start_col < dest.end_col)
		move_rect(g, dest, src);
	if (downward > 0)
		erase_rect(g, (VTermRect){ rect.end_row - downward, rect.end_row, rect.start_col, rect.end_col }, FALSE);
	else if (downward < 0)
		erase_rect(g, (VTermRect){ rect.start_row, rect.start_row - downward, rect.start_col, rect.end_col }, FALSE);
	if (rightward > 0)
		erase_rect(g, (VTermRect){ rect.start_row, rect.end_row, rect.end_col - rightward, rect.end_col }, FALSE);
	else if (rightward < 0)
		erase_rect(g, (VTermRect){ rect.start_row, rect.end_row, rect.start_col, rect.start_col - rightward }, FALSE);
	return 1;
}

static uint32_t convert_color(const VTermColor *c, gboolean is_fg)
{
	if (is_fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
		return VTGRID_COLOR_DEFAULT;
	if (VTERM_COLOR_IS_INDEXED(c))
		return VTGRID_COLOR_MAKE_INDEXED(c->indexed.idx);
	return VTGRID_COLOR_MAKE_RGB(c->rgb.red, c->rgb.green, c->rgb.blue);
}

static void pen_changed(struct vtgrid *g)
{
	memcpy(&g->pen_word, &g->pen, sizeof(g->pen_word));
}

static int cb_initpen(void *user)
{
	struct vtgrid *g = user;
	struct vtgrid_cell p = { .width = 1 };

	g->rep_safe = FALSE; /* resets forget the last glyph (SGR 0 comes here too: harmless) */
	g->pen = p;
	pen_changed(g);
	return 1;
}

static int cb_setpenattr(VTermAttr attr, VTermValue *val, void *user)
{
	struct vtgrid *g = user;

	switch (attr) {
	case VTERM_ATTR_BOLD:
		g->pen.bold = !!val->boolean;
		break;
	case VTERM_ATTR_UNDERLINE:
		g->pen.underline = (uint32_t)CLAMP(val->number, 0, 3);
		break;
	case VTERM_ATTR_ITALIC:
		g->pen.italic = !!val->boolean;
		break;
	case VTERM_ATTR_BLINK:
		g->pen.blink = !!val->boolean;
		break;
	case VTERM_ATTR_REVERSE:
		g->pen.reverse = !!val->boolean;
		break;
	case VTERM_ATTR_STRIKE:
		g->pen.strike = !!val->boolean;
		break;
	case VTERM_ATTR_FOREGROUND:
		g->pen.fg = convert_color(&val->color, TRUE);
		break;
	case VTERM_ATTR_BACKGROUND:
		g->pen.bg = convert_color(&val->color, FALSE);
		break;
	default:
		break;
	}
	pen_changed(g);
	return 1;
}

static void alt_alloc(struct vtgrid *g)
{
	if (g->alt)
		return;
	g->alt = g_new0(struct vtgrid_line, g->rows);
	struct vtgrid_cell b = { .width = 1 };
	for (int r = 0; r < g->rows; r++)
		line_clear(&g->alt[r], g->cols, b);
}

static void title_set(struct vtgrid *g, const char *s, size_t len)
{
	len = strnlen(s, MIN(len, VTGRID_MAX_TITLE));
	g_free(g->title);
	g->title = g_utf8_make_valid(s, (gssize)len);
	/* Control characters have no place in a title bar. */
	for (char *p = g->title; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static int cb_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct vtgrid *g = user;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		g->cursor_visible = !!val->boolean;
		break;
	case VTERM_PROP_ALTSCREEN:
		if (!!val->boolean != g->altscreen) {
			if (val->boolean)
				alt_alloc(g);
			g->altscreen = !!val->boolean;
			rows_moved(g);
			mark_dirty_rows(g, 0, g->rows);
		}
		break;
	case VTERM_PROP_TITLE: /* not reached: OSC strings are handled by vtgrid_feed() */
		title_set(g, val->string ? val->string : "", val->string ? strlen(val->string) : 0);
		break;
	default:
		break;
	}
	return 1;
}

static int cb_bell(void *user)
{
	struct vtgrid *g = user;

	g->bells++;
	return 1;
}

/* Resizes the main screen and its scrollback; returns the cursor's row delta. */
static int resize_main(struct vtgrid *g, int rows, int cols)
{
	int old_rows = g->rows;
	int push = 0, pull = 0;

	if (rows < old_rows && !g->altscreen)
		push = MAX(0, g->cur_row + 1 - rows);
	if (rows > old_rows && !g->altscreen)
		pull = MIN(g->sb_count, rows - old_rows);

	/* seq: the scrollback, oldest first, then the screen. */
	int nseq = g->sb_count + old_rows;
	struct vtgrid_line *seq = g_new(struct vtgrid_line, nseq);
	for (int k = 0; k < nseq; k++) {
		int i = ((g->top - g->sb_count + k) % g->ring_cap + g->ring_cap) % g->ring_cap;
		seq[k] = g->ring[i];
		memset(&g->ring[i], 0, sizeof(g->ring[i]));
	}
	for (int i = 0; i < g->ring_cap; i++)
		line_free(&g->ring[i]);
	g_free(g->ring);

	int start = g->sb_count + push - pull; /* the new screen's first line in seq */
	int sb_first = MAX(0, start - g->sb_max);
	g->ring_cap = g->sb_max + rows;
	g->ring = g_new0(struct vtgrid_line, g->ring_cap);
	g->sb_count = start - sb_first;
	for (int k = 0; k < sb_first; k++)
		line_free(&seq[k]);
	for (int k = sb_first; k < start; k++)
		g->ring[k - sb_first] = seq[k];
	g->top = g->sb_count;
	struct vtgrid_cell blank = { .width = 1 };
	for (int r = 0; r < rows; r++) {
		struct vtgrid_line *ln = &g->ring[g->top + r];
		if (start + r < nseq) {
			*ln = seq[start + r];
			line_set_width(ln, cols);
		} else {
			line_clear(ln, cols, blank);
		}
	}
	for (int k = start + rows; k < nseq; k++)
		line_free(&seq[k]);
	g_free(seq);
	return pull - push;
}

static int cb_resize(int rows, int cols, VTermPos *delta, void *user)
{
	struct vtgrid *g = user;

	/* libvterm hands over what vtgrid_resize() gave it, already clamped. */
	rows = CLAMP(rows, 1, VTGRID_MAX_ROWS);
	cols = CLAMP(cols, 1, VTGRID_MAX_COLS);
	int drow = resize_main(g, rows, cols);
	if (g->alt) {
		struct vtgrid_line *alt = g_new0(struct vtgrid_line, rows);
		struct vtgrid_cell blank = { .width = 1 };
		for (int r = 0; r < MAX(rows, g->rows); r++) {
			if (r < rows && r < g->rows) {
				alt[r] = g->alt[r];
				line_set_width(&alt[r], cols);
			} else if (r < rows) {
				line_clear(&alt[r], cols, blank);
			} else {
				line_free(&g->alt[r]);
			}
		}
		g_free(g->alt);
		g->alt = alt;
	}
	if (!g->altscreen && delta)
		delta->row = drow;
	g->rows = rows;
	g->cols = cols;
	rows_moved(g);
	g_free(g->dirty);
	g->dirty = g_new0(guint64, DIRTY_WORDS(rows));
	g->cur_row = CLAMP(g->cur_row + (g->altscreen ? 0 : drow), 0, rows - 1);
	g->cur_col = MIN(g->cur_col, cols - 1);
	mark_dirty_rows(g, 0, rows);
	return 1;
}

static int cb_setlineinfo(int row, const VTermLineInfo *newinfo, const VTermLineInfo *oldinfo, void *user)
{
	return 1;
}

static const VTermStateCallbacks state_callbacks = {
	.putglyph = cb_putglyph,
	.movecursor = cb_movecursor,
	.scrollrect = cb_scrollrect,
	.moverect = cb_moverect,
	.erase = cb_erase,
	.initpen = cb_initpen,
	.setpenattr = cb_setpenattr,
	.settermprop = cb_settermprop,
	.bell = cb_bell,
	.resize = cb_resize,
	.setlineinfo = cb_setlineinfo,
};

static void on_output(const char *s, size_t len, void *user)
{
	struct vtgrid *g = user;

	if (g->capture) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];

			if (g->capture_len + 2 > VTGRID_KEY_BYTES_MAX)
				break;
			if (c >= 0x80 && c < 0xa0) {
				/* C1 (after S8C1T) as ESC and its 7-bit twin, for UTF-8 guests */
				g->capture[g->capture_len++] = '\033';
				c -= 0x40;
			}
			g->capture[g->capture_len++] = (char)c;
		}
		return;
	}
	if (g->output)
		g->output(s, len, g->output_user);
}

/* --- public API --- */

static void grid_alloc(struct vtgrid *g)
{
	struct vtgrid_cell blank = { .width = 1 };

	g->ring_cap = g->sb_max + g->rows;
	g->ring = g_new0(struct vtgrid_line, g->ring_cap);
	g->top = 0;
	rows_moved(g);
	g->sb_count = 0;
	for (int r = 0; r < g->rows; r++)
		line_clear(&g->ring[r], g->cols, blank);
	g->dirty = g_new0(guint64, DIRTY_WORDS(g->rows));
}

static void grid_release(struct vtgrid *g)
{
	for (int i = 0; g->ring && i < g->ring_cap; i++)
		line_free(&g->ring[i]);
	g_clear_pointer(&g->ring, g_free);
	for (int r = 0; g->alt && r < g->rows; r++)
		line_free(&g->alt[r]);
	g_clear_pointer(&g->alt, g_free);
	g_clear_pointer(&g->dirty, g_free);
	g->altscreen = FALSE;
}

struct vtgrid *vtgrid_new(int rows, int cols, int scrollback_lines)
{
	struct vtgrid *g = g_new0(struct vtgrid, 1);

	g->rows = CLAMP(rows, 1, VTGRID_MAX_ROWS);
	g->cols = CLAMP(cols, 1, VTGRID_MAX_COLS);
	g->sb_max = CLAMP(scrollback_lines, 0, VTGRID_MAX_SCROLLBACK);
	g->cursor_visible = TRUE;
	g->pen.width = 1;
	/* Find where the compiler put ch in the cell's first word (bit-field layout is the ABI's). */
	struct vtgrid_cell probe = { .ch = 1 };
	uint32_t word;
	memcpy(&word, &probe, sizeof(word));
	g->ch_shift = g_bit_nth_lsf(word, -1);
	pen_changed(g);
	grid_alloc(g);
	g->vt = vterm_new(g->rows, g->cols);
	vterm_set_utf8(g->vt, 1);
	vterm_output_set_callback(g->vt, on_output, g);
	g->state = vterm_obtain_state(g->vt);
	vterm_state_set_callbacks(g->state, &state_callbacks, g);
	vterm_state_reset(g->state, 1);
	g_clear_pointer(&g->title, g_free); /* a reset may announce an empty one */
	vtgrid_clear_dirty(g);
	return g;
}

void vtgrid_free(struct vtgrid *g)
{
	if (!g)
		return;
	vterm_free(g->vt);
	grid_release(g);
	g_free(g->title);
	g_free(g);
}

static void guard_ground(struct vtgrid *g)
{
	g->guard_esc = g->guard_csi = g->guard_hash = g->guard_str_esc = FALSE;
	g->guard_str = STR_NONE;
}

static void input_write(struct vtgrid *g, const char *bytes, size_t len)
{
	while (len > 0) {
		size_t n = vterm_input_write(g->vt, bytes, len);
		if (n == 0 || n > len)
			break;
		bytes += n;
		len -= n;
	}
}

/* An OSC or DCS string ended (BEL or ST): OSC 0 and 2 set the title, the rest is ignored. */
static void string_end(struct vtgrid *g)
{
	if (g->guard_str == STR_OSC && g->osc_len >= 2 && (g->osc[0] == '0' || g->osc[0] == '2') && g->osc[1] == ';')
		title_set(g, g->osc + 2, (size_t)g->osc_len - 2);
	g->guard_str = STR_NONE;
}

/*
 * Feeds libvterm through the guard described at the top. The guard follows libvterm's parser
 * just enough: CSI starts with ESC [ (C0 controls may come between; C1 CSI is off in UTF-8
 * mode), its arguments are 0x30-0x3f, ESC restarts, CAN/SUB cancel, anything else ends it.
 * Seeing a CSI where libvterm does not would only drop arguments of garbage. Text runs are
 * skipped with memchr(), so the guard costs little.
 */
void vtgrid_feed(struct vtgrid *g, const char *bytes, size_t len)
{
	const char *end = bytes + len, *from = bytes, *p = bytes;

	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (g->guard_str) {
			/* Strings are consumed here. */
			p++;
			from = p;
			if (g->guard_str_esc) {
				g->guard_str_esc = FALSE;
				if (c == '\\') {
					string_end(g);
					continue;
				}
				/* ESC and something else: the string is abandoned, the escape goes on. */
				g->guard_str = STR_NONE;
				input_write(g, "\033", 1);
				g->guard_esc = TRUE;
				from = --p;
				continue;
			}
			if (c == 0x07)
				string_end(g);
			else if (c == 0x1b)
				g->guard_str_esc = TRUE;
			else if (c == 0x18 || c == 0x1a)
				g->guard_str = STR_NONE;
			else if (g->guard_str == STR_OSC && c >= 0x20 && g->osc_len < (int)sizeof(g->osc))
				g->osc[g->osc_len++] = (char)c;
			continue;
		}
		if (!g->guard_esc && !g->guard_csi) {
			p = memchr(p, 0x1b, (size_t)(end - p));
			if (!p)
				break;
			g->guard_esc = TRUE;
			p++;
			continue;
		}
		if (c == 0x1b) {
			g->guard_esc = TRUE;
			g->guard_csi = g->guard_hash = FALSE;
		} else if (c == 0x18 || c == 0x1a) {
			g->guard_esc = g->guard_csi = g->guard_hash = FALSE;
		} else if (c < 0x20 || c == 0x7f) {
			/* Executed inside escapes without ending them. */
		} else if (c >= 0x80 && g->guard_esc) {
			/* libvterm keeps an escape pending across such bytes. */
		} else if (g->guard_esc && c <= 0x2f) {
			/* Intermediates: libvterm 0.1.x may still start a string or a CSI after them. */
			g->guard_hash = c == '#';
		} else if (g->guard_esc) {
			gboolean hash = g->guard_hash;
			g->guard_esc = g->guard_hash = FALSE;
			if (hash && c == '8') {
				/* DECALN (ESC # 8) draws glyphs but leaves libvterm's last glyph alone. */
				input_write(g, from, (size_t)(p + 1 - from));
				from = p + 1;
				g->rep_safe = FALSE;
			} else if (c == ']' || c == 'P') {
				/* Cancel the ESC libvterm has seen and keep the string from it. */
				input_write(g, from, (size_t)(p - from));
				input_write(g, "\030", 1);
				from = p + 1;
				g->guard_str = c == ']' ? STR_OSC : STR_DCS;
				g->guard_str_esc = FALSE;
				g->osc_len = 0;
			} else {
				g->guard_csi = c == '[';
				g->guard_seps = 0;
			}
		} else if (c >= 0x30 && c <= 0x3f) {
			/* Inside a CSI. Drop the arguments past the limit whole: separators and digits. */
			if ((c == ';' || c == ':') && g->guard_seps <= CSI_MAX_SEPARATORS)
				g->guard_seps++;
			if (g->guard_seps > CSI_MAX_SEPARATORS) {
				input_write(g, from, (size_t)(p - from));
				from = p + 1;
			}
		} else {
			g->guard_csi = FALSE;
			if (c == 'b') {
				input_write(g, from, (size_t)(p - from));
				from = p + 1;
				input_write(g, g->rep_safe ? "b" : "\030", 1);
			}
		}
		p++;
	}
	input_write(g, from, (size_t)(end - from));
	/* One bump per feed rather than per change: the UI only compares generations. */
	if (len > 0)
		g->generation++;
}

void vtgrid_resize(struct vtgrid *g, int rows, int cols)
{
	rows = CLAMP(rows, 1, VTGRID_MAX_ROWS);
	cols = CLAMP(cols, 1, VTGRID_MAX_COLS);
	if (rows == g->rows && cols == g->cols)
		return;
	gboolean shrink = rows < g->rows || cols < g->cols;
	vterm_set_size(g->vt, rows, cols);
	g->generation++;
	if (shrink) {
		/* libvterm 0.1.x keeps a scroll region's top/left beyond a shrunk screen (and then
		 * scrolls with a negative size): reset the margins, as xterm does on resize, and put
		 * the cursor back. This ends an escape sequence split around the resize. */
		char seq[64];
		int n = g_snprintf(seq, sizeof(seq), "\030\033[?69l\033[r\033[%d;%dH", g->cur_row + 1, g->cur_col + 1);
		input_write(g, seq, (size_t)n);
		guard_ground(g);
	}
}

void vtgrid_reset(struct vtgrid *g)
{
	grid_release(g);
	grid_alloc(g);
	g->scrolled = 0;
	guard_ground(g);
	vterm_state_reset(g->state, 1);
	g_clear_pointer(&g->title, g_free);
	mark_dirty_rows(g, 0, g->rows);
	g->generation++;
}

void vtgrid_set_output_func(struct vtgrid *g, vtgrid_output_func func, void *user)
{
	g->output = func;
	g->output_user = user;
}

static const struct {
	VTermKey key;
	VTermModifier mod;
} key_map[VTGRID_KEY_COUNT] = {
	[VTGRID_KEY_ENTER] = { VTERM_KEY_ENTER, VTERM_MOD_NONE },
	[VTGRID_KEY_TAB] = { VTERM_KEY_TAB, VTERM_MOD_NONE },
	[VTGRID_KEY_BACKTAB] = { VTERM_KEY_TAB, VTERM_MOD_SHIFT },
	[VTGRID_KEY_BACKSPACE] = { VTERM_KEY_BACKSPACE, VTERM_MOD_NONE },
	[VTGRID_KEY_UP] = { VTERM_KEY_UP, VTERM_MOD_NONE },
	[VTGRID_KEY_DOWN] = { VTERM_KEY_DOWN, VTERM_MOD_NONE },
	[VTGRID_KEY_LEFT] = { VTERM_KEY_LEFT, VTERM_MOD_NONE },
	[VTGRID_KEY_RIGHT] = { VTERM_KEY_RIGHT, VTERM_MOD_NONE },
	[VTGRID_KEY_INSERT] = { VTERM_KEY_INS, VTERM_MOD_NONE },
	[VTGRID_KEY_DELETE] = { VTERM_KEY_DEL, VTERM_MOD_NONE },
	[VTGRID_KEY_HOME] = { VTERM_KEY_HOME, VTERM_MOD_NONE },
	[VTGRID_KEY_END] = { VTERM_KEY_END, VTERM_MOD_NONE },
	[VTGRID_KEY_PAGE_UP] = { VTERM_KEY_PAGEUP, VTERM_MOD_NONE },
	[VTGRID_KEY_PAGE_DOWN] = { VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE },
	[VTGRID_KEY_KP_ENTER] = { VTERM_KEY_KP_ENTER, VTERM_MOD_NONE },
};

static gsize key_capture(struct vtgrid *g, VTermKey key, VTermModifier mod, char *out)
{
	g->capture = out;
	g->capture_len = 0;
	vterm_keyboard_key(g->vt, key, mod);
	g->capture = NULL;
	return g->capture_len;
}

gsize vtgrid_key_bytes(struct vtgrid *g, enum vtgrid_key key, char out[VTGRID_KEY_BYTES_MAX])
{
	VTermKey vk;
	VTermModifier mod = VTERM_MOD_NONE;
	gsize n;

	/* libvterm encodes from its own state (it keeps DECCKM, DECKPAM and LNM, and 0.1.4 exposes
	 * none of them), so the key goes through it with its output caught */
	if (key >= VTGRID_KEY_KP_0 && key < VTGRID_KEY_KP_0 + 10) {
		vk = VTERM_KEY_KP_0 + (key - VTGRID_KEY_KP_0);
	} else if (key >= VTGRID_KEY_F1 && key < VTGRID_KEY_COUNT) {
		vk = VTERM_KEY_FUNCTION(key - VTGRID_KEY_F1 + 1);
	} else if (key > VTGRID_KEY_NONE && key < VTGRID_KEY_COUNT && key_map[key].key) {
		vk = key_map[key].key;
		mod = key_map[key].mod;
	} else {
		return 0;
	}
	n = key_capture(g, vk, mod, out);
	/* libvterm 0.1.4: LF for keypad Enter in numeric mode; xterm sends what Enter sends */
	if (key == VTGRID_KEY_KP_ENTER && n == 1 && out[0] == '\n')
		n = key_capture(g, VTERM_KEY_ENTER, VTERM_MOD_NONE, out);
	return n;
}

int vtgrid_rows(const struct vtgrid *g)
{
	return g->rows;
}

int vtgrid_cols(const struct vtgrid *g)
{
	return g->cols;
}

int vtgrid_scrollback_count(const struct vtgrid *g)
{
	return g->sb_count;
}

int vtgrid_scrollback_limit(const struct vtgrid *g)
{
	return g->sb_max;
}

void vtgrid_cursor(const struct vtgrid *g, int *row, int *col, gboolean *visible)
{
	if (row)
		*row = g->cur_row;
	if (col)
		*col = g->cur_col;
	if (visible)
		*visible = g->cursor_visible;
}

const char *vtgrid_title(const struct vtgrid *g)
{
	return g->title;
}

gboolean vtgrid_altscreen(const struct vtgrid *g)
{
	return g->altscreen;
}

guint vtgrid_bell_count(const struct vtgrid *g)
{
	return g->bells;
}

guint64 vtgrid_lines_scrolled(const struct vtgrid *g)
{
	return g->scrolled;
}

/* Readers get lines with every cell written: a logically const change, hence the cast. */
static const struct vtgrid_line *get_line(const struct vtgrid *g, int row)
{
	struct vtgrid_line *ln;

	if (row >= g->rows || row < -g->sb_count)
		return NULL;
	if (row >= 0) {
		ln = screen_line((struct vtgrid *)g, row);
	} else {
		int i = ((g->top + row) % g->ring_cap + g->ring_cap) % g->ring_cap;
		ln = &((struct vtgrid *)g)->ring[i];
	}
	line_materialize(ln);
	return ln;
}

const struct vtgrid_cell *vtgrid_line(const struct vtgrid *g, int row, int *ncells)
{
	const struct vtgrid_line *ln = get_line(g, row);

	if (ncells)
		*ncells = ln ? ln->ncells : 0;
	return ln ? ln->cells : NULL;
}

int vtgrid_cell_combining(const struct vtgrid *g, int row, int col, uint32_t *out, int max)
{
	const struct vtgrid_line *ln = get_line(g, row);

	if (!ln || col < 0 || col >= ln->ncells || !ln->cells[col].combining)
		return 0;
	const struct vtgrid_comb *e = comb_find(ln, col);
	if (!e)
		return 0;
	int n = MIN((int)e->n, max);
	for (int i = 0; i < n; i++)
		out[i] = e->ch[i];
	return e->n;
}

/* Appends a row's text; cols (if not NULL) gets the cell column of every byte appended. */
static void append_line_text(const struct vtgrid *g, int row, GString *s, GArray *cols)
{
	const struct vtgrid_line *ln = get_line(g, row);
	gsize base = s->len, keep = s->len;

	if (!ln)
		return;
	for (int c = 0; c < ln->ncells; c++) {
		const struct vtgrid_cell *cell = &ln->cells[c];
		gsize before = s->len;
		if (cell->width == 0 && c > 0 && ln->cells[c - 1].width == 2)
			continue;
		if (cell->ch == 0 || cell->width == 0) {
			g_string_append_c(s, ' ');
		} else {
			g_string_append_unichar(s, cell->ch);
			if (cell->combining) {
				const struct vtgrid_comb *e = comb_find(ln, c);
				for (int i = 0; e && i < e->n; i++)
					g_string_append_unichar(s, e->ch[i]);
			}
			if (cell->ch != ' ')
				keep = s->len;
		}
		if (cols)
			for (gsize i = before; i < s->len; i++)
				g_array_append_val(cols, c);
	}
	g_string_truncate(s, keep);
	if (cols)
		g_array_set_size(cols, (guint)(keep - base));
}

char *vtgrid_line_text(const struct vtgrid *g, int row)
{
	GString *s = g_string_sized_new(128);

	append_line_text(g, row, s, NULL);
	return g_string_free(s, FALSE);
}

char *vtgrid_screen_text(const struct vtgrid *g)
{
	GString *s = g_string_sized_new((gsize)(g->rows * (g->cols + 1)));

	for (int r = 0; r < g->rows; r++) {
		append_line_text(g, r, s, NULL);
		g_string_append_c(s, '\n');
	}
	return g_string_free(s, FALSE);
}

/* Finds the match in `text` wanted by the search direction; returns its byte offset or -1. */
static gssize find_in_text(const char *text, gsize len, const GArray *cols, const char *needle,
			   GRegex *re, gboolean backward, int limit_col)
{
	gssize found = -1;

	if (re) {
		g_autoptr(GMatchInfo) mi = NULL;
		g_regex_match(re, text, 0, &mi);
		while (g_match_info_matches(mi)) {
			int start = -1, end = -1;
			g_match_info_fetch_pos(mi, 0, &start, &end);
			if (start >= 0 && (gsize)start <= len) {
				int col = (gsize)start < len ? g_array_index(cols, int, start) : G_MAXINT;
				if (backward ? col < limit_col : col >= limit_col) {
					found = start;
					if (!backward)
						break;
				}
			}
			if (!g_match_info_next(mi, NULL))
				break;
		}
		return found;
	}
	gsize nlen = strlen(needle);
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++) {
		gsize off = (gsize)(p - text);
		int col = off < len ? g_array_index(cols, int, off) : G_MAXINT;
		if (backward ? col < limit_col : col >= limit_col) {
			found = (gssize)off;
			if (!backward)
				break;
		}
		if (nlen == 0)
			break;
	}
	return found;
}

gboolean vtgrid_search(const struct vtgrid *g, const char *needle, unsigned flags, int from_row,
		       int from_col, int *found_row, int *found_col, GError **error)
{
	gboolean backward = (flags & VTGRID_SEARCH_BACKWARD) != 0;
	gboolean caseless = (flags & VTGRID_SEARCH_CASELESS) != 0;
	g_autoptr(GRegex) re = NULL;
	g_autofree char *folded_needle = NULL;

	if (!needle || !*needle)
		return FALSE;
	if (flags & VTGRID_SEARCH_REGEX) {
		re = g_regex_new(needle, caseless ? G_REGEX_CASELESS : 0, 0, error);
		if (!re) {
			g_prefix_error(error, "search pattern '%s': ", needle);
			return FALSE;
		}
	} else if (caseless) {
		/* Compare ASCII case-insensitively, which keeps byte offsets (and columns) intact. */
		folded_needle = g_ascii_strdown(needle, -1);
		needle = folded_needle;
	}
	int first = -g->sb_count, last = g->rows - 1;
	if (from_row < first) {
		if (backward)
			return FALSE;
		from_row = first;
		from_col = 0;
	} else if (from_row > last) {
		if (!backward)
			return FALSE;
		from_row = last;
		from_col = -1;
	}
	GString *s = g_string_sized_new(256);
	GArray *cols = g_array_new(FALSE, FALSE, sizeof(int));
	gboolean hit = FALSE;
	for (int row = from_row; row >= first && row <= last; row += backward ? -1 : 1) {
		g_string_truncate(s, 0);
		g_array_set_size(cols, 0);
		append_line_text(g, row, s, cols);
		if (caseless && !re)
			for (gsize i = 0; i < s->len; i++)
				s->str[i] = g_ascii_tolower(s->str[i]);
		int limit = row != from_row ? (backward ? G_MAXINT : 0)
					    : (backward && from_col < 0 ? G_MAXINT : from_col);
		gssize off = find_in_text(s->str, s->len, cols, needle, re, backward, limit);
		if (off >= 0) {
			if (found_row)
				*found_row = row;
			if (found_col)
				*found_col = (gsize)off < s->len ? g_array_index(cols, int, off) : 0;
			hit = TRUE;
			break;
		}
	}
	g_string_free(s, TRUE);
	g_array_free(cols, TRUE);
	return hit;
}

guint64 vtgrid_generation(const struct vtgrid *g)
{
	return g->generation;
}

gboolean vtgrid_row_dirty(const struct vtgrid *g, int row)
{
	if (row < 0 || row >= g->rows)
		return FALSE;
	return (g->dirty[row >> 6] >> (row & 63)) & 1;
}

gboolean vtgrid_dirty_range(const struct vtgrid *g, int *first, int *last)
{
	int lo = -1, hi = -1;

	for (int r = 0; r < g->rows; r++) {
		if (vtgrid_row_dirty(g, r)) {
			if (lo < 0)
				lo = r;
			hi = r;
		}
	}
	if (lo < 0)
		return FALSE;
	if (first)
		*first = lo;
	if (last)
		*last = hi;
	return TRUE;
}

void vtgrid_clear_dirty(struct vtgrid *g)
{
	memset(g->dirty, 0, DIRTY_WORDS(g->rows) * sizeof(guint64));
}
