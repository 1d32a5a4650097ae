/* pane_journal.c - the journal pane: one line per session record, as the run writes them. */
#include "config.h"

#include "linebuf.h"
#include "pane.h"

#define JOURNAL_LINES 5000

static void journal_init(struct pane *pane)
{
	struct textview *tv = g_new0(struct textview, 1);

	textview_init(tv, JOURNAL_LINES, "(no records yet: they appear as steps run)");
	pane->priv = tv;
}

static void journal_destroy(struct pane *pane)
{
	textview_destroy(pane->priv);
	g_free(pane->priv);
}

static void journal_draw(struct pane *pane, WINDOW *win, struct rect r)
{
	textview_draw(pane->priv, pane->draw, win, r);
}

static gboolean journal_key(struct pane *pane, int key)
{
	return textview_key(pane->priv, key, pane->rows);
}

static void journal_feed(struct pane *pane, const char *data, gsize len)
{
	struct textview *tv = pane->priv;

	linebuf_feed(tv->lb, data, len);
}

static void journal_clear(struct pane *pane)
{
	struct textview *tv = pane->priv;

	linebuf_clear(tv->lb);
	tv->top = 0;
	tv->follow = TRUE;
}

const struct pane_ops pane_journal_ops = {
	.name = "journal",
	.init = journal_init,
	.destroy = journal_destroy,
	.draw = journal_draw,
	.key = journal_key,
	.feed = journal_feed,
	.reset = journal_clear,
};
