/* lineedit.c - a one-line text editor's model: buffer, cursor, editing keys, horizontal scroll. */
#include "config.h"

#include "cells.h"
#include "lineedit.h"

struct lineedit {
	GArray *chars; /* gunichar */
	guint cursor;
	guint scroll;  /* first character shown */
};

struct lineedit *lineedit_new(const char *initial)
{
	struct lineedit *le = g_new0(struct lineedit, 1);

	le->chars = g_array_new(FALSE, FALSE, sizeof(gunichar));
	lineedit_set(le, initial);
	return le;
}

void lineedit_free(struct lineedit *le)
{
	if (!le)
		return;
	g_array_free(le->chars, TRUE);
	g_free(le);
}

void lineedit_set(struct lineedit *le, const char *text)
{
	g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
	glong n = 0;
	g_autofree gunichar *u = g_utf8_to_ucs4_fast(valid, -1, &n);

	g_array_set_size(le->chars, 0);
	g_array_append_vals(le->chars, u, (guint)MIN(n, LINEEDIT_MAX_CHARS));
	le->cursor = le->chars->len;
	le->scroll = 0;
}

char *lineedit_text(const struct lineedit *le)
{
	char *s = g_ucs4_to_utf8((const gunichar *)(const void *)le->chars->data, (glong)le->chars->len, NULL, NULL, NULL);

	return s ? s : g_strdup("");
}

guint lineedit_cursor(const struct lineedit *le)
{
	return le->cursor;
}

guint lineedit_length(const struct lineedit *le)
{
	return le->chars->len;
}

void lineedit_insert(struct lineedit *le, gunichar c)
{
	if (le->chars->len >= LINEEDIT_MAX_CHARS)
		return;
	g_array_insert_val(le->chars, le->cursor, c);
	le->cursor++;
}

void lineedit_backspace(struct lineedit *le)
{
	if (!le->cursor)
		return;
	le->cursor--;
	g_array_remove_index(le->chars, le->cursor);
}

void lineedit_delete(struct lineedit *le)
{
	if (le->cursor < le->chars->len)
		g_array_remove_index(le->chars, le->cursor);
}

void lineedit_left(struct lineedit *le)
{
	if (le->cursor)
		le->cursor--;
}

void lineedit_right(struct lineedit *le)
{
	if (le->cursor < le->chars->len)
		le->cursor++;
}

void lineedit_home(struct lineedit *le)
{
	le->cursor = 0;
}

void lineedit_end(struct lineedit *le)
{
	le->cursor = le->chars->len;
}

void lineedit_kill_to_end(struct lineedit *le)
{
	g_array_set_size(le->chars, le->cursor);
}

void lineedit_kill_to_start(struct lineedit *le)
{
	g_array_remove_range(le->chars, 0, le->cursor);
	le->cursor = 0;
}

static gboolean is_space_at(const struct lineedit *le, guint i)
{
	return g_unichar_isspace(g_array_index(le->chars, gunichar, i));
}

void lineedit_word_left(struct lineedit *le)
{
	while (le->cursor && is_space_at(le, le->cursor - 1))
		le->cursor--;
	while (le->cursor && !is_space_at(le, le->cursor - 1))
		le->cursor--;
}

void lineedit_word_right(struct lineedit *le)
{
	while (le->cursor < le->chars->len && is_space_at(le, le->cursor))
		le->cursor++;
	while (le->cursor < le->chars->len && !is_space_at(le, le->cursor))
		le->cursor++;
}

void lineedit_kill_word(struct lineedit *le)
{
	guint end = le->cursor;

	lineedit_word_left(le);
	g_array_remove_range(le->chars, le->cursor, end - le->cursor);
}

static int shown_width(gunichar c)
{
	return c < 0x20 || c == 0x7f ? 1 : cells_char_width(c);
}

/* Cells of chars [from, to). */
static int span_width(const struct lineedit *le, guint from, guint to)
{
	int w = 0;

	for (guint i = from; i < to; i++)
		w += shown_width(g_array_index(le->chars, gunichar, i));
	return w;
}

char *lineedit_view(struct lineedit *le, int width, const char *nl_glyph, int *cursor_col)
{
	GString *out = g_string_new(NULL);
	int w = 0;

	if (width < 2)
		width = 2;
	if (le->scroll > le->cursor)
		le->scroll = le->cursor;
	/* keep one cell for the cursor past the end */
	while (span_width(le, le->scroll, le->cursor) > width - 1) {
		guint step = MAX((guint)width / 3, 1);

		le->scroll = MIN(le->scroll + step, le->cursor);
	}
	/* scrolled but everything would fit from further left: scroll back */
	while (le->scroll > 0 && span_width(le, le->scroll - 1, le->chars->len) <= width - 1)
		le->scroll--;
	*cursor_col = span_width(le, le->scroll, le->cursor);
	for (guint i = le->scroll; i < le->chars->len; i++) {
		gunichar c = g_array_index(le->chars, gunichar, i);
		int cw = shown_width(c);

		if (w + cw > width)
			break;
		if (c < 0x20 || c == 0x7f)
			g_string_append(out, nl_glyph);
		else
			g_string_append_unichar(out, c);
		w += cw;
	}
	return g_string_free(out, FALSE);
}
