/* draw.h - drawing on the terminal: glyphs (Unicode or ASCII), colour roles, clipped text, boxes. */
#ifndef VIRTCON_UI_DRAW_H
#define VIRTCON_UI_DRAW_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <glib.h>

#include "layout.h"
#include "run.h"

enum glyph {
	GLYPH_CURSOR,   /* the selected row of a list */
	GLYPH_OPEN,     /* the suite that is open */
	GLYPH_BREAK,    /* a breakpoint */
	GLYPH_ELLIPSIS, /* text cut short */
	GLYPH_NEWLINE,  /* a newline inside one-line text */
	GLYPH_SEP,      /* between parts of the status line */
	GLYPH_EDITED,   /* a step whose command was edited */
	GLYPH_COUNT,
};

enum role {
	ROLE_NORMAL,
	ROLE_BORDER,
	ROLE_BORDER_FOCUS,
	ROLE_TITLE,
	ROLE_TITLE_FOCUS,
	ROLE_SELECTED,       /* the cursor row of the focused list */
	ROLE_SELECTED_OTHER, /* the cursor row of a list without focus */
	ROLE_STATUS,
	ROLE_HINT_KEY,
	ROLE_DIM,
	ROLE_ERROR,
	ROLE_PROMPT,
	ROLE_COUNT,
};

struct draw {
	gboolean unicode; /* box drawing and marks in Unicode (else ASCII) */
	gboolean utf8;    /* the terminal takes UTF-8 text (else non-ASCII shows as '?') */
	gboolean color;
	GHashTable *pairs; /* the terminal panes' colour pairs: (fg, bg) -> pair */
	int next_pair;
};

/* After initscr(): sets up colour pairs when color is TRUE and the terminal has colours. */
void draw_init(struct draw *d, gboolean unicode, gboolean utf8, gboolean color);
void draw_free(struct draw *d);
/* The terminal as both consoles use it: newterm on stdin/stdout, keys without echo or delay,
 * no cursor, and d set up for its charset (UTF-8 or ASCII, or ascii forced) and NO_COLOR. */
SCREEN *draw_term_start(struct draw *d, gboolean ascii);
/* After SIGWINCH: curses takes the terminal's new size and redraws everything next time. */
void draw_term_resize(void);
/* The colour pair for a foreground and background (curses colour numbers, -1 the default),
 * made on first use; 0 when colours are off or the terminal has no pairs left. */
int draw_cell_pair(const struct draw *d, int fg, int bg);
const char *draw_glyph(const struct draw *d, enum glyph g);
const char *draw_status_mark(const struct draw *d, enum step_status s);
attr_t draw_attr(const struct draw *d, enum role r);
attr_t draw_status_attr(const struct draw *d, enum step_status s);

/* Text at y, x in at most maxw cells; controls show as '?'. Returns the cells drawn. */
int draw_text(const struct draw *d, WINDOW *w, int y, int x, int maxw, const char *text, attr_t attr);
/* The same, ending with an ellipsis when it does not fit. */
int draw_text_cut(const struct draw *d, WINDOW *w, int y, int x, int maxw, const char *text, attr_t attr);
/* Spaces. */
void draw_fill(WINDOW *w, int y, int x, int width, attr_t attr);
/* A box with a title in its top border; a focused box is drawn heavy (or with '=' in ASCII). */
void draw_box(const struct draw *d, WINDOW *w, struct rect r, const char *title, gboolean focused);

#endif
