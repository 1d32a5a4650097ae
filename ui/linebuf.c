/* linebuf.c - raw terminal output into a bounded ring of plain text lines (escapes and CRs resolved). */
#include "config.h"

#include <string.h>

#include "ansi.h"
#include "linebuf.h"

#define LINEBUF_SLICE 65536

struct linebuf {
	guint max_lines;
	char **ring;      /* finished lines */
	guint head;       /* index of the oldest */
	guint count;
	guint64 dropped;
	GArray *cur;      /* gunichar: the unfinished line */
	guint col;        /* cursor in cur */
	char *cur_utf8;   /* cache of cur as UTF-8 */
	struct ansi ansi; /* escape sequences out; CR and BS kept, for control() to apply */
	GString *text;    /* what ansi_feed() left of a slice of a feed */
	guchar pend[4];   /* an incomplete UTF-8 sequence */
	guint npend, need;
};

struct linebuf *linebuf_new(guint max_lines)
{
	struct linebuf *lb = g_new0(struct linebuf, 1);

	lb->max_lines = MAX(max_lines, 1);
	lb->ring = g_new0(char *, lb->max_lines);
	lb->cur = g_array_new(FALSE, FALSE, sizeof(gunichar));
	lb->text = g_string_new(NULL);
	ansi_init(&lb->ansi, ANSI_LINE_EDITS);
	return lb;
}

void linebuf_clear(struct linebuf *lb)
{
	for (guint i = 0; i < lb->count; i++)
		g_clear_pointer(&lb->ring[(lb->head + i) % lb->max_lines], g_free);
	lb->head = lb->count = 0;
	lb->dropped = 0;
	g_array_set_size(lb->cur, 0);
	lb->col = 0;
	g_clear_pointer(&lb->cur_utf8, g_free);
	ansi_init(&lb->ansi, ANSI_LINE_EDITS);
	lb->npend = lb->need = 0;
}

void linebuf_free(struct linebuf *lb)
{
	if (!lb)
		return;
	linebuf_clear(lb);
	g_free(lb->ring);
	g_array_free(lb->cur, TRUE);
	g_string_free(lb->text, TRUE);
	g_free(lb);
}

static char *cur_to_utf8(const struct linebuf *lb)
{
	return g_ucs4_to_utf8((const gunichar *)(const void *)lb->cur->data, (glong)lb->cur->len, NULL, NULL, NULL);
}

static void end_line(struct linebuf *lb)
{
	char *text = cur_to_utf8(lb);
	guint slot;

	if (!text)
		text = g_strdup("");
	if (lb->count == lb->max_lines) {
		g_free(lb->ring[lb->head]);
		lb->ring[lb->head] = NULL;
		lb->head = (lb->head + 1) % lb->max_lines;
		lb->count--;
		lb->dropped++;
	}
	slot = (lb->head + lb->count) % lb->max_lines;
	lb->ring[slot] = text;
	lb->count++;
	g_array_set_size(lb->cur, 0);
	lb->col = 0;
}

static void put_char(struct linebuf *lb, gunichar c)
{
	if (lb->col >= LINEBUF_MAX_COLS)
		end_line(lb);
	if (lb->col < lb->cur->len)
		g_array_index(lb->cur, gunichar, lb->col) = c;
	else
		g_array_append_val(lb->cur, c);
	lb->col++;
}

static void control(struct linebuf *lb, guchar b)
{
	switch (b) {
	case '\n':
		end_line(lb);
		break;
	case '\r':
		lb->col = 0;
		break;
	case '\b':
		if (lb->col > 0)
			lb->col--;
		break;
	case '\t':
		do
			put_char(lb, ' ');
		while (lb->col % 8 && lb->col < LINEBUF_MAX_COLS);
		break;
	default:
		break;
	}
}

/* A byte of text: LF, CR, BS, TAB (ansi.c dropped the other controls), ASCII, or part of UTF-8. */
static void text_byte(struct linebuf *lb, guchar b)
{
	if (lb->need) {
		if ((b & 0xc0) == 0x80) {
			lb->pend[lb->npend++] = b;
			if (lb->npend == lb->need) {
				gunichar c = g_utf8_get_char_validated((const char *)lb->pend, (gssize)lb->npend);

				lb->need = lb->npend = 0;
				put_char(lb, c == (gunichar)-1 || c == (gunichar)-2 ? 0xfffd : c);
			}
			return;
		}
		lb->need = lb->npend = 0;
		put_char(lb, 0xfffd); /* a sequence cut short; b starts afresh */
	}
	if (b < 0x20 || b == 0x7f) {
		control(lb, b);
	} else if (b < 0x80) {
		put_char(lb, b);
	} else if (b >= 0xc2 && b <= 0xf4) {
		lb->need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
		lb->pend[0] = b;
		lb->npend = 1;
	} else {
		put_char(lb, 0xfffd);
	}
}

void linebuf_feed(struct linebuf *lb, const char *data, gsize len)
{
	g_clear_pointer(&lb->cur_utf8, g_free);
	/* in slices: the stripped text of a huge feed is not held at once */
	for (gsize off = 0; off < len; off += LINEBUF_SLICE) {
		g_string_truncate(lb->text, 0);
		ansi_feed(&lb->ansi, data + off, MIN(len - off, LINEBUF_SLICE), lb->text);
		for (gsize i = 0; i < lb->text->len; i++)
			text_byte(lb, (guchar)lb->text->str[i]);
	}
}

guint linebuf_n_lines(const struct linebuf *lb)
{
	return lb->count + (lb->cur->len ? 1 : 0);
}

const char *linebuf_line(struct linebuf *lb, guint i)
{
	if (i < lb->count)
		return lb->ring[(lb->head + i) % lb->max_lines];
	if (i == lb->count && lb->cur->len) {
		if (!lb->cur_utf8)
			lb->cur_utf8 = cur_to_utf8(lb);
		return lb->cur_utf8 ? lb->cur_utf8 : "";
	}
	return "";
}

guint64 linebuf_dropped(const struct linebuf *lb)
{
	return lb->dropped;
}
