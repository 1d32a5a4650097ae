/* vtgrid.h - the terminal grid behind console panes: libvterm's state layer into a ring of lines. */
#ifndef VIRTCON_VTGRID_H
#define VIRTCON_VTGRID_H

#include <glib.h>
#include <stdint.h>

/*
 * A vtgrid is a terminal screen plus scrollback, fed with raw bytes (any bytes: garbage is
 * safe). The visible screen and the scrollback live in one ring of lines, so a full-screen
 * scroll is O(1). Rows are numbered from the top of the visible screen: 0 .. rows-1 are the
 * screen, -1 .. -scrollback_count are the scrollback (-1 the newest). While the alternate
 * screen is active, rows 0 .. rows-1 show it and the scrollback is left untouched.
 *
 * Damage: every change to a visible row marks it dirty (cursor moves alone mark nothing), and
 * every feed, resize and reset bumps the generation counter. The UI polls vtgrid_generation()
 * from a timer; when it moved, it redraws the dirty rows (and the cursor) and calls
 * vtgrid_clear_dirty().
 */

#define VTGRID_MAX_ROWS 1000
#define VTGRID_MAX_COLS 1000
#define VTGRID_MAX_SCROLLBACK 1000000
#define VTGRID_DEFAULT_SCROLLBACK 10000
/* Combining characters kept per cell besides the base character. */
#define VTGRID_MAX_COMBINING 5
/* Longest title kept, in bytes. */
#define VTGRID_MAX_TITLE 256

/*
 * Colours are one uint32_t: the kind in the top byte, then an index (low byte) or 0xRRGGBB.
 * Indexed colours 0-15 are the ANSI/aixterm ones (SGR 30-37, 90-97), 16-255 the xterm palette.
 */
enum vtgrid_color_kind {
	VTGRID_COLOR_DEFAULT = 0,
	VTGRID_COLOR_INDEXED = 1,
	VTGRID_COLOR_RGB = 2,
};
#define VTGRID_COLOR_KIND(c) ((uint32_t)(c) >> 24)
#define VTGRID_COLOR_INDEX(c) ((uint32_t)(c)&0xffu)
#define VTGRID_COLOR_RGB_VALUE(c) ((uint32_t)(c)&0xffffffu) /* 0xRRGGBB */
#define VTGRID_COLOR_MAKE_INDEXED(i) (((uint32_t)VTGRID_COLOR_INDEXED << 24) | ((uint32_t)(i)&0xffu))
#define VTGRID_COLOR_MAKE_RGB(r, g, b) \
	(((uint32_t)VTGRID_COLOR_RGB << 24) | ((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))

enum vtgrid_underline {
	VTGRID_UNDERLINE_NONE = 0,
	VTGRID_UNDERLINE_SINGLE = 1,
	VTGRID_UNDERLINE_DOUBLE = 2,
	VTGRID_UNDERLINE_CURLY = 3,
};

/*
 * One cell, 12 bytes. ch == 0 is a blank cell (draw a space with the cell's colours).
 * width: 1 normal, 2 the left half of a wide (CJK) character, 0 the right half of the wide
 * character in the cell to its left (draw nothing; if the cell to the left is not a wide
 * character, which erasing half of one can leave behind, draw a blank).
 */
struct vtgrid_cell {
	uint32_t ch : 21;        /* Unicode code point */
	uint32_t width : 2;
	uint32_t bold : 1;
	uint32_t underline : 2;  /* enum vtgrid_underline */
	uint32_t italic : 1;
	uint32_t blink : 1;
	uint32_t reverse : 1;
	uint32_t strike : 1;
	uint32_t combining : 1;  /* has combining characters: vtgrid_cell_combining() */
	uint32_t protect : 1;    /* DECSCA protected (selective erase skips it) */
	uint32_t fg;             /* colour, see VTGRID_COLOR_* */
	uint32_t bg;
};

struct vtgrid;

/* Called with bytes the terminal answers (DA, DSR ...), to write back to the guest. */
typedef void (*vtgrid_output_func)(const char *bytes, size_t len, void *user);

/* rows and cols are clamped to 1 .. VTGRID_MAX_*, scrollback_lines to 0 .. VTGRID_MAX_SCROLLBACK. */
struct vtgrid *vtgrid_new(int rows, int cols, int scrollback_lines);
/* Safe with NULL. */
void vtgrid_free(struct vtgrid *g);
/* Feeds terminal output; any bytes, any chunking (escape sequences may span calls). */
void vtgrid_feed(struct vtgrid *g, const char *bytes, size_t len);
/* Truncates or extends lines (no reflow). Shrinking keeps the cursor's line on screen by
 * pushing top lines into the scrollback; growing pulls lines back from the scrollback. */
void vtgrid_resize(struct vtgrid *g, int rows, int cols);
/* Hard terminal reset: clears the screen, the scrollback and the title. */
void vtgrid_reset(struct vtgrid *g);
void vtgrid_set_output_func(struct vtgrid *g, vtgrid_output_func func, void *user);

/* Keys whose bytes depend on modes the guest sets: cursor keys (DECCKM, ESC [ ? 1 h), the keypad
 * (DECKPAM, ESC =), Enter (LNM, ESC [ 20 h). */
enum vtgrid_key {
	VTGRID_KEY_NONE = 0,
	VTGRID_KEY_ENTER,
	VTGRID_KEY_TAB,
	VTGRID_KEY_BACKTAB,
	VTGRID_KEY_BACKSPACE,
	VTGRID_KEY_UP,
	VTGRID_KEY_DOWN,
	VTGRID_KEY_LEFT,
	VTGRID_KEY_RIGHT,
	VTGRID_KEY_INSERT,
	VTGRID_KEY_DELETE,
	VTGRID_KEY_HOME,
	VTGRID_KEY_END,
	VTGRID_KEY_PAGE_UP,
	VTGRID_KEY_PAGE_DOWN,
	VTGRID_KEY_KP_0,                          /* the keypad's digits: VTGRID_KEY_KP(d) */
	VTGRID_KEY_KP_ENTER = VTGRID_KEY_KP_0 + 10,
	VTGRID_KEY_F1,                            /* F1 .. F12: VTGRID_KEY_F(n) */
	VTGRID_KEY_COUNT = VTGRID_KEY_F1 + 12,
};
#define VTGRID_KEY_KP(d) ((enum vtgrid_key)(VTGRID_KEY_KP_0 + (d)))
#define VTGRID_KEY_F(n) ((enum vtgrid_key)(VTGRID_KEY_F1 + (n)-1))
#define VTGRID_KEY_BYTES_MAX 16

/*
 * Writes into out the bytes a terminal in this grid's modes sends for key, as an xterm does:
 * Up is ESC [ A, or ESC O A once the guest set application cursor keys; Home/End ESC [ H/F or
 * ESC O H/F; the keypad sends digits, or ESC O p .. y in application keypad mode; Enter CR, or
 * CR LF in newline mode. Always 7-bit (ESC [, not C1 CSI). Returns the length, 0 for an unknown
 * key. Nothing is written to the guest (the output function is not called).
 */
gsize vtgrid_key_bytes(struct vtgrid *g, enum vtgrid_key key, char out[VTGRID_KEY_BYTES_MAX]);

int vtgrid_rows(const struct vtgrid *g);
int vtgrid_cols(const struct vtgrid *g);
int vtgrid_scrollback_count(const struct vtgrid *g);
int vtgrid_scrollback_limit(const struct vtgrid *g);
void vtgrid_cursor(const struct vtgrid *g, int *row, int *col, gboolean *visible);
/* The last title set (OSC 0/2), valid UTF-8, or NULL. */
const char *vtgrid_title(const struct vtgrid *g);
gboolean vtgrid_altscreen(const struct vtgrid *g);
guint vtgrid_bell_count(const struct vtgrid *g);
/* Lines pushed into the scrollback since creation (monotonic; a UI showing the scrollback
 * adds the difference to its offset to keep its view still while output scrolls). */
guint64 vtgrid_lines_scrolled(const struct vtgrid *g);

/* The cells of a row (see the numbering above), NULL when out of range. Screen rows have
 * exactly cols cells; scrollback rows keep the width they had when they scrolled off.
 * Valid until the next feed, resize or reset. */
const struct vtgrid_cell *vtgrid_line(const struct vtgrid *g, int row, int *ncells);
/* The combining characters of a cell (0 if none), at most max stored into out. */
int vtgrid_cell_combining(const struct vtgrid *g, int row, int col, uint32_t *out, int max);
/* A row as UTF-8 text (blank cells as spaces, trailing blanks trimmed); "" when out of range. */
char *vtgrid_line_text(const struct vtgrid *g, int row);
/* The visible screen as text, one line per row each ending in '\n'. */
char *vtgrid_screen_text(const struct vtgrid *g);

enum vtgrid_search_flags {
	VTGRID_SEARCH_REGEX = 1 << 0,    /* needle is a GRegex (PCRE) pattern */
	VTGRID_SEARCH_CASELESS = 1 << 1,
	VTGRID_SEARCH_BACKWARD = 1 << 2, /* towards older lines */
};
/*
 * Searches line by line (matches do not span rows) from (from_row, from_col): forward finds the
 * first match starting at a column >= from_col on from_row, then on the rows below; backward the
 * last match starting at a column < from_col on from_row (from_col < 0: anywhere on it), then on
 * the rows above. Rows range over scrollback and screen. Returns FALSE with no error when nothing
 * matched, FALSE with an error for a bad regex.
 */
gboolean vtgrid_search(const struct vtgrid *g, const char *needle, unsigned flags, int from_row,
		       int from_col, int *found_row, int *found_col, GError **error);

/* Damage. */
guint64 vtgrid_generation(const struct vtgrid *g);
gboolean vtgrid_row_dirty(const struct vtgrid *g, int row);
/* The first and last dirty screen rows; FALSE when none is dirty. */
gboolean vtgrid_dirty_range(const struct vtgrid *g, int *first, int *last);
void vtgrid_clear_dirty(struct vtgrid *g);

#endif
