/* expect.c - send/expect matching over a byte stream: terminal noise removed, consumption like expect(1). */
#include "config.h"

#include <string.h>

#include "expect.h"

/* Longest escape sequence kept track of; longer ones are dropped as they come. */
#define EXPECT_CSI_MAX 64

enum expect_state {
	EXPECT_NORMAL,
	EXPECT_ESC,       /* after ESC */
	EXPECT_ESC_INTER, /* ESC followed by intermediates (ESC ( B): until a final byte */
	EXPECT_CSI,       /* ESC [ ... until a final byte 0x40-0x7e */
	EXPECT_STRING,    /* OSC (ESC ]) or DCS/SOS/PM/APC: until BEL or ESC \ */
	EXPECT_STRING_ESC /* ESC seen inside a string */
};

struct expect {
	GString *buf;  /* cleaned text; the unconsumed part starts at start */
	gsize start;
	enum expect_state state;
	guint seq_len;        /* bytes in the current CSI */
	gboolean cr_pending;  /* a CR whose meaning depends on the next byte */
	GRegex *raw_re;       /* a G_REGEX_RAW copy of the last non-raw pattern, for invalid UTF-8 */
};

struct expect *expect_new(void)
{
	struct expect *ex = g_new0(struct expect, 1);

	ex->buf = g_string_sized_new(256);
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

static void put(struct expect *ex, char c)
{
	g_string_append_c(ex->buf, c);
}

/* A CR followed by something other than LF: the line is redrawn. Both the old and the new text
 * stay matchable, on lines of their own. */
static void settle_cr(struct expect *ex, char next)
{
	if (!ex->cr_pending)
		return;
	ex->cr_pending = FALSE;
	if (next != '\n')
		put(ex, '\n');
}

static void clean_byte(struct expect *ex, unsigned char c)
{
	switch (ex->state) {
	case EXPECT_NORMAL:
		if (c == 0x1b) {
			ex->state = EXPECT_ESC;
		} else if (c == '\r') {
			ex->cr_pending = TRUE; /* CR CR LF is one line end too */
		} else if (c == '\0' || c == '\a' || c == 0x7f) {
			/* NUL padding, bells and DEL carry no text */
		} else {
			settle_cr(ex, (char)c);
			put(ex, (char)c);
		}
		return;
	case EXPECT_ESC:
		if (c == '[') {
			ex->state = EXPECT_CSI;
			ex->seq_len = 0;
		} else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
			ex->state = EXPECT_STRING;
		} else if (c >= 0x20 && c <= 0x2f) {
			ex->state = EXPECT_ESC_INTER;
		} else if (c == 0x1b) {
			ex->state = EXPECT_ESC;
		} else {
			ex->state = EXPECT_NORMAL; /* a two-byte sequence (ESC 7, ESC =), or a stray ESC */
			if (c < 0x20)
				clean_byte(ex, c);
		}
		return;
	case EXPECT_ESC_INTER:
		if (c >= 0x20 && c <= 0x2f)
			return;
		ex->state = EXPECT_NORMAL;
		if (c < 0x20)
			clean_byte(ex, c);
		return;
	case EXPECT_CSI:
		if (c >= 0x40 && c <= 0x7e) {
			ex->state = EXPECT_NORMAL;
		} else if (c >= 0x20 && c <= 0x3f) {
			if (++ex->seq_len > EXPECT_CSI_MAX)
				ex->state = EXPECT_NORMAL;
		} else {
			/* a control byte or a high byte inside a CSI: the sequence was cut short */
			ex->state = EXPECT_NORMAL;
			clean_byte(ex, c);
		}
		return;
	case EXPECT_STRING:
		if (c == '\a')
			ex->state = EXPECT_NORMAL;
		else if (c == 0x1b)
			ex->state = EXPECT_STRING_ESC;
		return;
	case EXPECT_STRING_ESC:
		if (c == '\\') {
			ex->state = EXPECT_NORMAL;
		} else {
			ex->state = EXPECT_ESC; /* ESC ends the string and starts a new sequence */
			clean_byte(ex, c);
		}
		return;
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
	for (gsize i = 0; i < len; i++) {
		clean_byte(ex, (unsigned char)data[i]);
		/* keep memory bounded even for one huge feed */
		if (ex->buf->len - ex->start > EXPECT_KEEP + 65536)
			enforce_cap(ex);
	}
	enforce_cap(ex);
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
