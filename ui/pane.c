/* pane.c - the pane registry, generic pane calls, and the text view shared by text panes. */
#include "config.h"

#include "keys.h"
#include "linebuf.h"
#include "pane.h"
#include "pane_interrupts.h"

static const struct pane_ops *const pane_kinds[] = {
	&pane_output_ops,
	&pane_journal_ops,
	&pane_interrupts_ops,
	&pane_timeline_ops,
	&pane_console_ops,
	&pane_migration_ops,
};

const struct pane_ops *pane_lookup(const char *kind)
{
	for (gsize i = 0; i < G_N_ELEMENTS(pane_kinds); i++)
		if (g_strcmp0(pane_kinds[i]->name, kind) == 0)
			return pane_kinds[i];
	return NULL;
}

struct pane *pane_new(const struct pane_ops *ops, const char *target, const struct draw *draw, void *host)
{
	struct pane *pane = g_new0(struct pane, 1);

	pane->host = host;
	pane->ops = ops;
	pane->draw = draw;
	pane->title = g_strdup(ops->name);
	pane->target = g_strdup(target);
	if (ops->init)
		ops->init(pane);
	return pane;
}

void pane_free(struct pane *pane)
{
	if (!pane)
		return;
	if (pane->ops->destroy)
		pane->ops->destroy(pane);
	g_free(pane->title);
	g_free(pane->target);
	g_free(pane);
}

void pane_set_title(struct pane *pane, const char *title)
{
	g_free(pane->title);
	pane->title = g_strdup(title);
}

void pane_feed(struct pane *pane, const char *data, gsize len)
{
	if (pane->ops->feed)
		pane->ops->feed(pane, data, len);
}

void pane_clear(struct pane *pane)
{
	if (pane->ops->reset)
		pane->ops->reset(pane);
}

gboolean pane_key(struct pane *pane, int key)
{
	return pane->ops->key ? pane->ops->key(pane, key) : FALSE;
}

void pane_draw(struct pane *pane, WINDOW *win, struct rect r)
{
	pane->rows = r.h;
	if (pane->ops->draw && r.h > 0 && r.w > 0)
		pane->ops->draw(pane, win, r);
}

void pane_refresh(struct pane *pane)
{
	if (pane->ops->virt_changed)
		pane->ops->virt_changed(pane);
}

gboolean pane_grabs_keys(struct pane *pane)
{
	return pane->ops->grabs_keys ? pane->ops->grabs_keys(pane) : FALSE;
}

void textview_init(struct textview *tv, guint max_lines, const char *empty)
{
	tv->lb = linebuf_new(max_lines);
	tv->top = 0;
	tv->follow = TRUE;
	tv->empty = empty;
}

void textview_destroy(struct textview *tv)
{
	g_clear_pointer(&tv->lb, linebuf_free);
}

/* Keeps top within the lines there are (top counts dropped lines too). */
static void textview_clamp(struct textview *tv, int rows)
{
	gint64 first = (gint64)linebuf_dropped(tv->lb);
	gint64 n = linebuf_n_lines(tv->lb);
	gint64 last_top = first + MAX(n - rows, 0);

	if (tv->follow || tv->top > last_top)
		tv->top = last_top;
	if (tv->top < first)
		tv->top = first;
	if (tv->top == last_top)
		tv->follow = TRUE;
}

void textview_draw(struct textview *tv, const struct draw *d, WINDOW *win, struct rect r)
{
	gint64 first = (gint64)linebuf_dropped(tv->lb);
	guint n = linebuf_n_lines(tv->lb);

	if (!n) {
		draw_text_cut(d, win, r.y, r.x, r.w, tv->empty, draw_attr(d, ROLE_DIM));
		return;
	}
	textview_clamp(tv, r.h);
	for (int row = 0; row < r.h; row++) {
		gint64 i = tv->top - first + row;

		if (i >= n)
			break;
		draw_text_cut(d, win, r.y + row, r.x, r.w, linebuf_line(tv->lb, (guint)i), A_NORMAL);
	}
}

gboolean textview_key(struct textview *tv, int key, int rows)
{
	gint64 page = MAX(rows - 1, 1);

	switch (key) {
	case UI_KEY_FN(KEY_UP):
	case 'k':
		tv->top -= 1;
		break;
	case UI_KEY_FN(KEY_DOWN):
	case 'j':
		tv->top += 1;
		break;
	case UI_KEY_FN(KEY_PPAGE):
		tv->top -= page;
		break;
	case UI_KEY_FN(KEY_NPAGE):
	case ' ':
		tv->top += page;
		break;
	case UI_KEY_FN(KEY_HOME):
	case 'g':
		tv->top = 0;
		break;
	case UI_KEY_FN(KEY_END):
	case 'G':
		tv->follow = TRUE;
		textview_clamp(tv, rows);
		return TRUE;
	default:
		return FALSE;
	}
	tv->follow = FALSE;
	textview_clamp(tv, rows);
	return TRUE;
}
