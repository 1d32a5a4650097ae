/* test_vtgrid.c - terminal grid tests: data-driven cases (tests/vtgrid/NAME.in -> NAME.out) and API tests. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "vtgrid.h"

/* --- data-driven cases --- */

/* Decodes \e \r \n \t \b \a \0 \\ \xHH \uXXXX \UXXXXXXXX into bytes. */
static GString *unescape(const char *s)
{
	GString *out = g_string_new(NULL);

	for (const char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			g_string_append_c(out, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'e': g_string_append_c(out, '\033'); break;
		case 'r': g_string_append_c(out, '\r'); break;
		case 'n': g_string_append_c(out, '\n'); break;
		case 't': g_string_append_c(out, '\t'); break;
		case 'b': g_string_append_c(out, '\b'); break;
		case 'a': g_string_append_c(out, '\a'); break;
		case '0': g_string_append_c(out, '\0'); break;
		case 's': g_string_append_c(out, ' '); break;
		case 'x': {
			char hex[3] = { p[1], p[1] ? p[2] : 0, 0 };
			g_string_append_c(out, (char)strtoul(hex, NULL, 16));
			p += strlen(hex);
			break;
		}
		case 'u':
		case 'U': {
			int n = *p == 'u' ? 4 : 8;
			char hex[9] = { 0 };
			for (int i = 0; i < n && p[1]; i++)
				hex[i] = *++p;
			g_string_append_unichar(out, (gunichar)strtoul(hex, NULL, 16));
			break;
		}
		default: g_string_append_c(out, *p); break;
		}
	}
	return out;
}

static uint32_t parse_color(const char *v)
{
	if (strcmp(v, "default") == 0)
		return VTGRID_COLOR_DEFAULT;
	if (g_str_has_prefix(v, "idx:"))
		return VTGRID_COLOR_MAKE_INDEXED(atoi(v + 4));
	if (g_str_has_prefix(v, "rgb:"))
		return ((uint32_t)VTGRID_COLOR_RGB << 24) | (uint32_t)strtoul(v + 4, NULL, 16);
	fail_msg("bad colour '%s'", v);
	return 0;
}

/* cell R C key=value...: checks one cell's attributes. */
static void check_cell(struct vtgrid *g, char **w, const char *where)
{
	int row = atoi(w[1]), col = atoi(w[2]), n = 0;
	const struct vtgrid_cell *cells = vtgrid_line(g, row, &n);

	if (!cells || col < 0 || col >= n)
		fail_msg("%s: no cell %d,%d", where, row, col);
	const struct vtgrid_cell *c = &cells[col];
	for (int i = 3; w[i]; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq)
			fail_msg("%s: bad cell check '%s'", where, w[i]);
		*eq = 0;
		const char *k = w[i], *v = eq + 1;
		long got, want;
		if (strcmp(k, "ch") == 0) {
			got = c->ch;
			want = g_str_has_prefix(v, "U+") ? (long)strtoul(v + 2, NULL, 16) : (long)(unsigned char)v[0];
		} else if (strcmp(k, "fg") == 0) {
			got = c->fg;
			want = parse_color(v);
		} else if (strcmp(k, "bg") == 0) {
			got = c->bg;
			want = parse_color(v);
		} else if (strcmp(k, "comb") == 0) {
			uint32_t out[VTGRID_MAX_COMBINING];
			int nc = vtgrid_cell_combining(g, row, col, out, VTGRID_MAX_COMBINING);
			g_autofree char *s = g_strdup("");
			for (int j = 0; j < nc; j++) {
				char *t = g_strdup_printf("%s%sU+%04X", s, j ? "," : "", out[j]);
				g_free(s);
				s = t;
			}
			if (strcmp(s, v) != 0)
				fail_msg("%s: cell %d,%d combining: got '%s', want '%s'", where, row, col, s, v);
			continue;
		} else {
			want = atol(v);
			if (strcmp(k, "width") == 0) got = c->width;
			else if (strcmp(k, "bold") == 0) got = c->bold;
			else if (strcmp(k, "underline") == 0) got = c->underline;
			else if (strcmp(k, "italic") == 0) got = c->italic;
			else if (strcmp(k, "blink") == 0) got = c->blink;
			else if (strcmp(k, "reverse") == 0) got = c->reverse;
			else if (strcmp(k, "strike") == 0) got = c->strike;
			else {
				fail_msg("%s: unknown cell key '%s'", where, k);
				return;
			}
		}
		if (got != want)
			fail_msg("%s: cell %d,%d %s: got 0x%lx, want 0x%lx", where, row, col, k, got, want);
	}
}

static void check_text(struct vtgrid *g, int row, const char *want, const char *where)
{
	g_autofree char *got = vtgrid_line_text(g, row);

	if (strcmp(got, want) != 0)
		fail_msg("%s: row %d: got '%s', want '%s'", where, row, got, want);
}

static void run_case(void **state)
{
	const char *base = *state;
	g_autofree char *in_path = g_strconcat(base, ".in", NULL);
	g_autofree char *out_path = g_strconcat(base, ".out", NULL);
	g_autofree char *in = NULL, *out = NULL;
	g_autoptr(GError) error = NULL;

	if (!g_file_get_contents(in_path, &in, NULL, &error) || !g_file_get_contents(out_path, &out, NULL, &error))
		fail_msg("%s", error->message);

	struct vtgrid *g = NULL;
	g_auto(GStrv) in_lines = g_strsplit(in, "\n", -1);
	for (int i = 0; in_lines[i]; i++) {
		const char *l = in_lines[i];
		if (!*l || *l == '#')
			continue;
		if (g_str_has_prefix(l, "size ")) {
			int r = 0, c = 0, sb = 0;
			assert_int_equal(sscanf(l + 5, "%d %d %d", &r, &c, &sb), 3);
			vtgrid_free(g);
			g = vtgrid_new(r, c, sb);
			continue;
		}
		if (!g)
			g = vtgrid_new(5, 20, 100);
		if (g_str_has_prefix(l, "feed ")) {
			GString *b = unescape(l + 5);
			vtgrid_feed(g, b->str, b->len);
			g_string_free(b, TRUE);
		} else if (g_str_has_prefix(l, "bytewise ")) {
			GString *b = unescape(l + 9);
			for (gsize k = 0; k < b->len; k++)
				vtgrid_feed(g, b->str + k, 1);
			g_string_free(b, TRUE);
		} else if (g_str_has_prefix(l, "repeat ")) {
			char *rest = NULL;
			long n = strtol(l + 7, &rest, 10);
			GString *b = unescape(rest + 1);
			/* "%d" in the bytes stands for the repetition's number. */
			char *mark = strstr(b->str, "%d");
			for (long k = 0; k < n; k++) {
				if (mark) {
					g_autofree char *num = g_strdup_printf("%ld", k);
					vtgrid_feed(g, b->str, (size_t)(mark - b->str));
					vtgrid_feed(g, num, strlen(num));
					vtgrid_feed(g, mark + 2, b->len - (size_t)(mark + 2 - b->str));
				} else {
					vtgrid_feed(g, b->str, b->len);
				}
			}
			g_string_free(b, TRUE);
		} else if (g_str_has_prefix(l, "resize ")) {
			int r = 0, c = 0;
			assert_int_equal(sscanf(l + 7, "%d %d", &r, &c), 2);
			vtgrid_resize(g, r, c);
		} else if (strcmp(l, "reset") == 0) {
			vtgrid_reset(g);
		} else {
			fail_msg("%s:%d: unknown directive '%s'", in_path, i + 1, l);
		}
	}
	assert_non_null(g);

	g_auto(GStrv) o = g_strsplit(out, "\n", -1);
	for (int i = 0; o[i]; i++) {
		g_autofree char *where = g_strdup_printf("%s:%d", out_path, i + 1);
		const char *l = o[i];
		if (!*l || *l == '#')
			continue;
		if (strcmp(l, "screen") == 0) {
			int r = 0;
			while (o[i + 1] && o[i + 1][0] == '|') {
				check_text(g, r++, o[i + 1] + 1, where);
				i++;
			}
			if (r != vtgrid_rows(g))
				fail_msg("%s: screen has %d rows, the case lists %d", where, vtgrid_rows(g), r);
		} else if (g_str_has_prefix(l, "scrollback ")) {
			int n = atoi(l + 11), k = 0;
			if (vtgrid_scrollback_count(g) != n)
				fail_msg("%s: scrollback count %d, want %d", where, vtgrid_scrollback_count(g), n);
			while (o[i + 1 + k] && o[i + 1 + k][0] == '|')
				k++;
			for (int j = 0; j < k; j++)
				check_text(g, -k + j, o[i + 1 + j] + 1, where);
			i += k;
		} else if (g_str_has_prefix(l, "row ")) {
			int row = atoi(l + 4);
			const char *bar = strchr(l, '|');
			assert_non_null(bar);
			check_text(g, row, bar + 1, where);
		} else if (g_str_has_prefix(l, "cursor ")) {
			int r, c, want_r = -1, want_c = -1;
			vtgrid_cursor(g, &r, &c, NULL);
			assert_int_equal(sscanf(l + 7, "%d %d", &want_r, &want_c), 2);
			if (r != want_r || c != want_c)
				fail_msg("%s: cursor %d,%d, want %d,%d", where, r, c, want_r, want_c);
		} else if (g_str_has_prefix(l, "title ")) {
			const char *t = vtgrid_title(g);
			if (g_strcmp0(t, l + 6) != 0)
				fail_msg("%s: title '%s', want '%s'", where, t ? t : "(null)", l + 6);
		} else if (strcmp(l, "notitle") == 0) {
			if (vtgrid_title(g))
				fail_msg("%s: title '%s', want none", where, vtgrid_title(g));
		} else if (g_str_has_prefix(l, "size ")) {
			int r, c;
			assert_int_equal(sscanf(l + 5, "%d %d", &r, &c), 2);
			if (vtgrid_rows(g) != r || vtgrid_cols(g) != c)
				fail_msg("%s: size %dx%d, want %dx%d", where, vtgrid_rows(g), vtgrid_cols(g), r, c);
		} else if (g_str_has_prefix(l, "altscreen ")) {
			if (vtgrid_altscreen(g) != atoi(l + 10))
				fail_msg("%s: altscreen %d", where, vtgrid_altscreen(g));
		} else if (g_str_has_prefix(l, "bells ")) {
			if (vtgrid_bell_count(g) != (guint)atoi(l + 6))
				fail_msg("%s: bells %u", where, vtgrid_bell_count(g));
		} else if (g_str_has_prefix(l, "cell ")) {
			g_auto(GStrv) w = g_strsplit(l, " ", -1);
			check_cell(g, w, where);
		} else {
			fail_msg("%s: unknown check '%s'", where, l);
		}
	}
	vtgrid_free(g);
}

static const char *cases_dir(void)
{
	const char *top = g_getenv("top_srcdir");
	static char buf[4096];

	if (g_getenv("VTGRID_CASES"))
		return g_getenv("VTGRID_CASES");

	if (top) {
		g_snprintf(buf, sizeof(buf), "%s/tests/vtgrid", top);
		return buf;
	}
	return VTGRID_CASES_DIR;
}

/* --- API tests --- */

static void feed_str(struct vtgrid *g, const char *s)
{
	vtgrid_feed(g, s, strlen(s));
}

static int dirty_mask(struct vtgrid *g)
{
	int m = 0;

	for (int r = 0; r < vtgrid_rows(g); r++)
		if (vtgrid_row_dirty(g, r))
			m |= 1 << r;
	return m;
}

static void test_dirty_exact(void **state)
{
	struct vtgrid *g = vtgrid_new(6, 20, 10);
	int first, last;

	feed_str(g, "a\r\nb\r\nc");
	vtgrid_clear_dirty(g);
	assert_false(vtgrid_dirty_range(g, &first, &last));
	guint64 gen = vtgrid_generation(g);

	/* Cursor moves alone bump the generation but dirty nothing. */
	feed_str(g, "\033[4;1H");
	assert_int_equal(dirty_mask(g), 0);
	assert_true(vtgrid_generation(g) > gen);

	/* Text on row 3 only. */
	feed_str(g, "xyz");
	assert_int_equal(dirty_mask(g), 1 << 3);
	vtgrid_clear_dirty(g);

	/* Text on rows 1 and 5. */
	feed_str(g, "\033[2;5Hq\033[6;1Hw");
	assert_int_equal(dirty_mask(g), (1 << 1) | (1 << 5));
	assert_true(vtgrid_dirty_range(g, &first, &last));
	assert_int_equal(first, 1);
	assert_int_equal(last, 5);
	vtgrid_clear_dirty(g);

	/* Erase in line on row 2. */
	feed_str(g, "\033[3;1H\033[K");
	assert_int_equal(dirty_mask(g), 1 << 2);
	vtgrid_clear_dirty(g);

	/* Insert a line at row 2: rows 2..5 shift. */
	feed_str(g, "\033[L");
	assert_int_equal(dirty_mask(g), 0x3c);
	vtgrid_clear_dirty(g);

	/* A scroll region 2..4 scrolled by a line feed at its bottom: rows 1..3 only. */
	feed_str(g, "\033[2;4r\033[4;1H\n");
	assert_int_equal(dirty_mask(g), 0x0e);
	vtgrid_clear_dirty(g);

	/* A full-screen scroll dirties every row. */
	feed_str(g, "\033[r\033[6;1H\n");
	assert_int_equal(dirty_mask(g), 0x3f);
	vtgrid_clear_dirty(g);

	/* Nothing visible: a bell. */
	gen = vtgrid_generation(g);
	feed_str(g, "\a");
	assert_int_equal(dirty_mask(g), 0);
	assert_int_equal(vtgrid_bell_count(g), 1);
	vtgrid_free(g);
}

static void test_scrollback_cap(void **state)
{
	struct vtgrid *g = vtgrid_new(4, 30, 50);

	for (int i = 0; i < 20000; i++) {
		char line[32];
		int n = g_snprintf(line, sizeof(line), "line %d\r\n", i);
		vtgrid_feed(g, line, (size_t)n);
	}
	assert_int_equal(vtgrid_scrollback_count(g), 50);
	assert_int_equal(vtgrid_lines_scrolled(g), 20000 - 3);
	/* Screen: lines 19997..19999 and the empty line the cursor is on. */
	g_autofree char *t0 = vtgrid_line_text(g, 0);
	assert_string_equal(t0, "line 19997");
	g_autofree char *t3 = vtgrid_line_text(g, 3);
	assert_string_equal(t3, "");
	g_autofree char *s1 = vtgrid_line_text(g, -1);
	assert_string_equal(s1, "line 19996");
	g_autofree char *s50 = vtgrid_line_text(g, -50);
	assert_string_equal(s50, "line 19947");
	assert_null(vtgrid_line(g, -51, NULL));
	g_autofree char *none = vtgrid_line_text(g, -51);
	assert_string_equal(none, "");
	vtgrid_free(g);

	/* No scrollback at all. */
	g = vtgrid_new(2, 10, 0);
	feed_str(g, "a\r\nb\r\nc\r\nd");
	assert_int_equal(vtgrid_scrollback_count(g), 0);
	g_autofree char *c = vtgrid_screen_text(g);
	assert_string_equal(c, "c\nd\n");
	vtgrid_free(g);
}

static void test_search(void **state)
{
	struct vtgrid *g = vtgrid_new(3, 40, 100);
	int row = 0, col = 0;
	g_autoptr(GError) error = NULL;

	feed_str(g, "boot: Linux version 6.1\r\nerror: disk sda\r\nok\r\n\033[31mError\033[m again: sdb\r\nlast");
	/* Scrollback: -2 boot, -1 error; screen: 0 ok, 1 Error again, 2 last. */
	assert_int_equal(vtgrid_scrollback_count(g), 2);
	assert_true(vtgrid_search(g, "error", 0, -2, 0, &row, &col, NULL));
	assert_int_equal(row, -1);
	assert_int_equal(col, 0);
	assert_true(vtgrid_search(g, "error", VTGRID_SEARCH_CASELESS, 0, 0, &row, &col, NULL));
	assert_int_equal(row, 1);
	assert_true(vtgrid_search(g, "sd[a-z]", VTGRID_SEARCH_REGEX | VTGRID_SEARCH_BACKWARD, 2, -1, &row, &col, NULL));
	assert_int_equal(row, 1);
	assert_int_equal(col, 13);
	/* Backward from just before that match finds the older one. */
	assert_true(vtgrid_search(g, "sd[a-z]", VTGRID_SEARCH_REGEX | VTGRID_SEARCH_BACKWARD, 1, 13, &row, &col, NULL));
	assert_int_equal(row, -1);
	assert_int_equal(col, 12);
	/* Forward from a column past the match on the same row moves on. */
	assert_false(vtgrid_search(g, "sdb", 0, 1, 14, &row, &col, NULL));
	assert_false(vtgrid_search(g, "nothing", 0, -2, 0, &row, &col, NULL));
	assert_false(vtgrid_search(g, "([", VTGRID_SEARCH_REGEX, 0, 0, &row, &col, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, "search pattern"));
	vtgrid_free(g);

	/* Columns of matches after wide characters count cells, not bytes. */
	g = vtgrid_new(2, 20, 0);
	feed_str(g, "\xe4\xb8\xad\xe6\x96\x87 x");
	assert_true(vtgrid_search(g, "x", 0, 0, 0, &row, &col, NULL));
	assert_int_equal(col, 5);
	vtgrid_free(g);
}

static void on_output(const char *bytes, size_t len, void *user)
{
	g_string_append_len(user, bytes, (gssize)len);
}

static void test_output_and_limits(void **state)
{
	struct vtgrid *g = vtgrid_new(5, 20, 10);
	GString *out = g_string_new(NULL);

	vtgrid_set_output_func(g, on_output, out);
	feed_str(g, "\033[3;7H\033[6n");
	assert_string_equal(out->str, "\033[3;7R");
	g_string_free(out, TRUE);

	/* Sizes are clamped, never trusted. */
	vtgrid_resize(g, 0, -5);
	assert_int_equal(vtgrid_rows(g), 1);
	assert_int_equal(vtgrid_cols(g), 1);
	vtgrid_resize(g, 100000, 100000);
	assert_int_equal(vtgrid_rows(g), VTGRID_MAX_ROWS);
	assert_int_equal(vtgrid_cols(g), VTGRID_MAX_COLS);
	feed_str(g, "\033[99999;99999Hx\033[99999999999999999999@");
	int r, c;
	vtgrid_cursor(g, &r, &c, NULL);
	assert_int_equal(r, VTGRID_MAX_ROWS - 1);
	assert_int_equal(c, VTGRID_MAX_COLS - 1);
	vtgrid_free(g);
	vtgrid_free(NULL);

	g = vtgrid_new(-1, 0, -7);
	assert_int_equal(vtgrid_rows(g), 1);
	assert_int_equal(vtgrid_scrollback_limit(g), 0);
	feed_str(g, "hello\r\nworld");
	g_autofree char *t = vtgrid_screen_text(g);
	assert_string_equal(t, "d\n");
	vtgrid_free(g);
}

static void expect_key(struct vtgrid *g, enum vtgrid_key key, const char *bytes)
{
	char out[VTGRID_KEY_BYTES_MAX];
	gsize n = vtgrid_key_bytes(g, key, out);
	g_autofree char *raw = g_strndup(out, n);
	g_autofree char *got = g_strescape(raw, NULL);
	g_autofree char *want = g_strescape(bytes, NULL);

	if (n != strlen(bytes) || memcmp(out, bytes, n) != 0)
		fail_msg("key %d: sent \"%s\", expected \"%s\"", key, got, want);
}

/* Keys follow the modes the guest sets: DECCKM, DECKPAM, LNM; 8-bit controls never leak. */
static void test_key_modes(void **state)
{
	struct vtgrid *g = vtgrid_new(5, 20, 10);
	GString *out = g_string_new(NULL);

	(void)state;
	vtgrid_set_output_func(g, on_output, out);
	expect_key(g, VTGRID_KEY_UP, "\033[A");
	expect_key(g, VTGRID_KEY_HOME, "\033[H");
	expect_key(g, VTGRID_KEY_END, "\033[F");
	expect_key(g, VTGRID_KEY_KP(7), "7");
	expect_key(g, VTGRID_KEY_KP_ENTER, "\r");
	expect_key(g, VTGRID_KEY_ENTER, "\r");
	feed_str(g, "\033[?1h"); /* application cursor keys (vim, less) */
	expect_key(g, VTGRID_KEY_UP, "\033OA");
	expect_key(g, VTGRID_KEY_DOWN, "\033OB");
	expect_key(g, VTGRID_KEY_RIGHT, "\033OC");
	expect_key(g, VTGRID_KEY_LEFT, "\033OD");
	expect_key(g, VTGRID_KEY_HOME, "\033OH");
	expect_key(g, VTGRID_KEY_END, "\033OF");
	expect_key(g, VTGRID_KEY_PAGE_UP, "\033[5~"); /* not cursor keys */
	expect_key(g, VTGRID_KEY_KP(7), "7");          /* the keypad has its own mode */
	feed_str(g, "\033=");                         /* application keypad */
	expect_key(g, VTGRID_KEY_KP(7), "\033Ow");
	expect_key(g, VTGRID_KEY_KP(0), "\033Op");
	expect_key(g, VTGRID_KEY_KP_ENTER, "\033OM");
	feed_str(g, "\033[?1l\033>");
	expect_key(g, VTGRID_KEY_UP, "\033[A");
	expect_key(g, VTGRID_KEY_HOME, "\033[H");
	expect_key(g, VTGRID_KEY_KP(7), "7");
	/* split across feeds, like any escape sequence */
	feed_str(g, "\033[?");
	feed_str(g, "1h");
	expect_key(g, VTGRID_KEY_UP, "\033OA");
	feed_str(g, "\033[20h"); /* newline mode: Enter sends CR LF */
	expect_key(g, VTGRID_KEY_ENTER, "\r\n");
	expect_key(g, VTGRID_KEY_KP_ENTER, "\r\n");
	feed_str(g, "\033 G"); /* S8C1T: libvterm would send C1 CSI/SS3; a UTF-8 guest wants ESC */
	expect_key(g, VTGRID_KEY_UP, "\033OA");
	expect_key(g, VTGRID_KEY_DELETE, "\033[3~");
	feed_str(g, "\033c"); /* RIS: back to normal modes */
	expect_key(g, VTGRID_KEY_UP, "\033[A");
	expect_key(g, VTGRID_KEY_ENTER, "\r");
	feed_str(g, "\033[?1h");
	vtgrid_reset(g);
	expect_key(g, VTGRID_KEY_UP, "\033[A");
	expect_key(g, VTGRID_KEY_F(1), "\033OP");
	expect_key(g, VTGRID_KEY_F(12), "\033[24~");
	expect_key(g, VTGRID_KEY_BACKTAB, "\033[Z");
	expect_key(g, VTGRID_KEY_BACKSPACE, "\177");
	expect_key(g, VTGRID_KEY_NONE, "");
	expect_key(g, VTGRID_KEY_COUNT, "");
	expect_key(g, (enum vtgrid_key)-1, "");
	/* encoding a key writes nothing to the guest */
	assert_int_equal(out->len, 0);
	g_string_free(out, TRUE);
	vtgrid_free(g);
}

static void test_cell_size(void **state)
{
	assert_true(sizeof(struct vtgrid_cell) <= 12);
	/* vtgrid.c's putglyph fast path puts ch at bit 0 of the first word on little-endian. */
	struct vtgrid_cell probe = { .ch = 1 };
	uint32_t word;
	memcpy(&word, &probe, sizeof(word));
	if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
		assert_int_equal(word, 1);
}

static void test_random_garbage(void **state)
{
	GRand *rand = g_rand_new_with_seed(42);
	struct vtgrid *g = vtgrid_new(10, 30, 20);
	char buf[512];

	for (int i = 0; i < 3000; i++) {
		int n = g_rand_int_range(rand, 1, (int)sizeof(buf));
		for (int k = 0; k < n; k++) {
			guint32 v = g_rand_int(rand);
			/* Bias towards escape-sequence material. */
			buf[k] = v % 4 == 0 ? "\033[;0123456789m?HJKLr\n\r\t\b"[(v >> 8) % 25] : (char)(v >> 16);
		}
		vtgrid_feed(g, buf, (size_t)n);
		if (i % 97 == 0)
			vtgrid_resize(g, g_rand_int_range(rand, 1, 40), g_rand_int_range(rand, 1, 120));
		for (int r = -vtgrid_scrollback_count(g); r < vtgrid_rows(g); r++) {
			int nc;
			const struct vtgrid_cell *cells = vtgrid_line(g, r, &nc);
			assert_non_null(cells);
			if (r >= 0)
				assert_int_equal(nc, vtgrid_cols(g));
			g_autofree char *t = vtgrid_line_text(g, r);
			assert_true(g_utf8_validate(t, -1, NULL));
		}
		const char *title = vtgrid_title(g);
		assert_true(!title || g_utf8_validate(title, -1, NULL));
	}
	g_rand_free(rand);
	vtgrid_free(g);
}

int main(void)
{
	const char *dir = cases_dir();
	g_autoptr(GError) error = NULL;
	GDir *d = g_dir_open(dir, 0, &error);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (!d) {
		fprintf(stderr, "%s\n", error->message);
		return 1;
	}
	while ((name = g_dir_read_name(d)))
		if (g_str_has_suffix(name, ".in"))
			g_ptr_array_add(names, g_strndup(name, strlen(name) - 3));
	g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)(void (*)(void))g_strcmp0);
	if (names->len == 0) {
		fprintf(stderr, "no test cases (*.in) in %s\n", dir);
		return 1;
	}

	static const struct CMUnitTest api[] = {
		cmocka_unit_test(test_dirty_exact),
		cmocka_unit_test(test_scrollback_cap),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_output_and_limits),
		cmocka_unit_test(test_key_modes),
		cmocka_unit_test(test_cell_size),
		cmocka_unit_test(test_random_garbage),
	};
	size_t n = names->len + G_N_ELEMENTS(api);
	struct CMUnitTest *tests = g_new0(struct CMUnitTest, n);
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < names->len; i++) {
		char *path = g_build_filename(dir, names->pdata[i], NULL);
		g_ptr_array_add(paths, path);
		tests[i].name = names->pdata[i];
		tests[i].test_func = run_case;
		tests[i].initial_state = path;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(api); i++)
		tests[names->len + i] = api[i];
	int rc = _cmocka_run_group_tests("vtgrid", tests, n, NULL, NULL);
	g_free(tests);
	g_ptr_array_free(paths, TRUE);
	g_ptr_array_free(names, TRUE);
	return rc;
}
