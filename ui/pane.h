/* pane.h - panes: a small vtable per kind (one file each), a registry, and the shared text view. */
#ifndef VIRTCON_UI_PANE_H
#define VIRTCON_UI_PANE_H

#include "draw.h"
#include "layout.h"

struct pane;

struct pane_ops {
	const char *name; /* the kind, as suites name it in panes: */
	void (*init)(struct pane *pane);
	void (*destroy)(struct pane *pane);
	/* Draws the content (the console draws the box around it). */
	void (*draw)(struct pane *pane, WINDOW *win, struct rect r);
	/* A key while the pane has focus; TRUE when it was used. */
	gboolean (*key)(struct pane *pane, int key);
	/* Bytes for the pane (raw terminal output or text lines); optional. */
	void (*feed)(struct pane *pane, const char *data, gsize len);
	void (*reset)(struct pane *pane);
	/* The libvirt side changed (a connection came up or went down, a domain started or
	 * stopped): attach or detach; optional. */
	void (*virt_changed)(struct pane *pane);
	/* TRUE while the pane takes every key (a console in interactive mode); optional. */
	gboolean (*grabs_keys)(struct pane *pane);
};

struct pane {
	const struct pane_ops *ops;
	const struct draw *draw;
	char *title;      /* shown in the border; set with pane_set_title() */
	char *target;     /* the suite's "on"/value for the pane, or NULL */
	int rows;         /* content rows at the last draw (for paging) */
	void *host;       /* the console (struct console *) the pane is in, or NULL (benchmarks) */
	void *priv;
};

/* The ops of a kind, or NULL when this version has no such pane. */
const struct pane_ops *pane_lookup(const char *kind);
struct pane *pane_new(const struct pane_ops *ops, const char *target, const struct draw *draw, void *host);
void pane_free(struct pane *pane);
void pane_set_title(struct pane *pane, const char *title);
void pane_feed(struct pane *pane, const char *data, gsize len);
void pane_clear(struct pane *pane);
gboolean pane_key(struct pane *pane, int key);
void pane_draw(struct pane *pane, WINDOW *win, struct rect r);
void pane_refresh(struct pane *pane);
gboolean pane_grabs_keys(struct pane *pane);

/* A scrollable view of a linebuf that follows the end until scrolled back: for text panes. */
struct linebuf;
struct textview {
	struct linebuf *lb;
	gint64 top;        /* first line shown, counted from the start of the stream */
	gboolean follow;   /* keep the last line in view */
	const char *empty; /* shown when there is nothing */
};
void textview_init(struct textview *tv, guint max_lines, const char *empty);
void textview_destroy(struct textview *tv);
void textview_draw(struct textview *tv, const struct draw *d, WINDOW *win, struct rect r);
/* Up/Down/j/k, PgUp/PgDn, Home/End/g/G. */
gboolean textview_key(struct textview *tv, int key, int rows);

extern const struct pane_ops pane_output_ops;
extern const struct pane_ops pane_journal_ops;
extern const struct pane_ops pane_timeline_ops;
extern const struct pane_ops pane_console_ops;
extern const struct pane_ops pane_migration_ops;

/* pane_console.c, for benchmarks and tests: the console pane's grid, fed as the stream feeds it. */
struct vtgrid;
struct vtgrid *pane_console_grid(struct pane *pane);

#endif
