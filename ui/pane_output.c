/* pane_output.c - the output pane: a step's raw terminal output as plain lines. */
#include "config.h"

#include "linebuf.h"
#include "pane.h"

#define OUTPUT_LINES 10000

static void output_init(struct pane *pane)
{
	struct textview *tv = g_new0(struct textview, 1);

	textview_init(tv, OUTPUT_LINES, "(no output)");
	pane->priv = tv;
}

static void output_destroy(struct pane *pane)
{
	textview_destroy(pane->priv);
	g_free(pane->priv);
}

static void output_draw(struct pane *pane, WINDOW *win, struct rect r)
{
	textview_draw(pane->priv, pane->draw, win, r);
}

static gboolean output_key(struct pane *pane, int key)
{
	return textview_key(pane->priv, key, pane->rows);
}

static void output_feed(struct pane *pane, const char *data, gsize len)
{
	struct textview *tv = pane->priv;

	linebuf_feed(tv->lb, data, len);
}

static void output_clear(struct pane *pane)
{
	struct textview *tv = pane->priv;

	linebuf_clear(tv->lb);
	tv->top = 0;
	tv->follow = TRUE;
}

const struct pane_ops pane_output_ops = {
	.name = "output",
	.init = output_init,
	.destroy = output_destroy,
	.draw = output_draw,
	.key = output_key,
	.feed = output_feed,
	.reset = output_clear,
};
