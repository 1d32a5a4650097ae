/* expect.c - send/expect matching over a byte stream: noise stripped (ansi.c), consumed like expect(1). */
#include "config.h"

#include <string.h>

#include "ansi.h"
#include "expect.h"

/* A huge feed is cleaned in slices, so the buffer stays near its cap. */
#define EXPECT_SLICE 65536

struct expect {
	GString *buf;     /* cleaned text; the unconsumed part starts at start */
	gsize start;
	struct ansi ansi; /* escape sequences out, CR LF and lone CRs as LF */
	GRegex *raw_re;   /* a G_REGEX_RAW copy of the last non-raw pattern, for invalid UTF-8 */
};

struct expect *expect_new(void)
{
	struct expect *ex = g_new0(struct expect, 1);

	ex->buf = g_string_sized_new(256);
	ansi_init(&ex->ansi, 0);
	return ex;
}

void expect_free(struct expect *ex)
{
	if (!ex)
		return;
	g_string_free(ex->buf, TRUE);
	if (ex->raw_re)
		g_regex_unref(ex->raw_re);
	g_free(ex);
}

/* Moves the unconsumed text to the front when the consumed part is large. */
static void compact(struct expect *ex)
{
	if (ex->start == 0)
		return;
	if (ex->start >= ex->buf->len) {
		g_string_truncate(ex->buf, 0);
		ex->start = 0;
	} else if (ex->start > 4096 && ex->start > ex->buf->len / 2) {
		g_string_erase(ex->buf, 0, (gssize)ex->start);
		ex->start = 0;
	}
}

static void enforce_cap(struct expect *ex)
{
	gsize unconsumed = ex->buf->len - ex->start;

	if (unconsumed > EXPECT_KEEP)
		ex->start += unconsumed - EXPECT_KEEP;
	compact(ex);
}

void expect_feed(struct expect *ex, const char *data, gsize len)
{
	do {
		gsize n = MIN(len, EXPECT_SLICE);

		ansi_feed(&ex->ansi, data, n, ex->buf);
		enforce_cap(ex); /* memory stays bounded even for one huge feed */
		data += n;
		len -= n;
	} while (len > 0);
}

void expect_clear(struct expect *ex)
{
	g_string_truncate(ex->buf, 0);
	ex->start = 0;
}

/* How much of text (len bytes) to give a UTF-8 regex: all of it when valid, without an
 * incomplete character at the end (its rest is still coming); -1 when invalid inside. */
static gssize utf8_extent(const char *text, gsize len)
{
	const char *end;

	if (g_utf8_validate_len(text, len, &end))
		return (gssize)len;
	gsize valid = (gsize)(end - text);
	gsize rest = len - valid;
	if (rest < 4 && g_utf8_get_char_validated(end, (gssize)rest) == (gunichar)-2)
		return (gssize)valid;
	return -1;
}

/* The regex to use on invalid UTF-8: the same pattern and flags, with G_REGEX_RAW. */
static const GRegex *raw_regex(struct expect *ex, const GRegex *re)
{
	GRegexCompileFlags cflags = g_regex_get_compile_flags(re);
	const char *pattern = g_regex_get_pattern(re);

	if (cflags & G_REGEX_RAW)
		return re;
	if (ex->raw_re && strcmp(g_regex_get_pattern(ex->raw_re), pattern) == 0 &&
	    (g_regex_get_compile_flags(ex->raw_re) & ~G_REGEX_RAW) == (cflags & ~G_REGEX_RAW))
		return ex->raw_re;
	if (ex->raw_re)
		g_regex_unref(ex->raw_re);
	ex->raw_re = g_regex_new(pattern, cflags | G_REGEX_RAW, g_regex_get_match_flags(re), NULL);
	return ex->raw_re;
}

gboolean expect_match(struct expect *ex, const GRegex *re, char **matched)
{
	const char *text = ex->buf->str + ex->start;
	gsize len = ex->buf->len - ex->start;
	gssize extent = utf8_extent(text, len);
	const GRegex *use = re;
	g_autoptr(GMatchInfo) info = NULL;
	int begin, end;

	if (matched)
		*matched = NULL;
	if (extent < 0) {
		use = raw_regex(ex, re);
		extent = (gssize)len;
		if (!use)
			return FALSE;
	}
	if (!g_regex_match_full(use, text, extent, 0, 0, &info, NULL))
		return FALSE;
	if (!g_match_info_fetch_pos(info, 0, &begin, &end) || begin < 0 || end < begin)
		return FALSE;
	if (matched)
		*matched = g_strndup(text + begin, (gsize)(end - begin));
	ex->start += (gsize)end;
	compact(ex);
	return TRUE;
}

const char *expect_text(const struct expect *ex)
{
	return ex->buf->str + ex->start;
}

char *expect_tail(const struct expect *ex, guint n)
{
	const char *text = ex->buf->str + ex->start;
	gsize len = ex->buf->len - ex->start;
	gsize end = len;
	gsize pos;

	if (n == 0)
		return g_strdup("");
	/* a final line end does not start another (empty) line */
	if (end > 0 && text[end - 1] == '\n')
		end--;
	pos = end;
	while (pos > 0) {
		if (text[pos - 1] == '\n' && --n == 0)
			break;
		pos--;
	}
	return g_strndup(text + pos, len - pos);
}
