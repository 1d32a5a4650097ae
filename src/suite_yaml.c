/* suite_yaml.c - the suite loader's YAML layer: text checks, a marked node tree from libyaml events, problems. */
#include "config.h"

#include <string.h>
#include <yaml.h>

#include "suite.h"
#include "suite_yaml.h"

#define REPORT_KEEP (SUITE_MAX_PROBLEMS * 4) /* stored before sorting; the rest are only counted */
#define SHOW_MAX 40                          /* characters of a value shown in a message */
#define YAML_TAG_PREFIX "tag:yaml.org,2002:"

struct suite_problem {
	guint line, col;
	char *text;
};

static void problem_free(gpointer data)
{
	struct suite_problem *p = data;

	g_free(p->text);
	g_free(p);
}

void suite_report_init(struct suite_report *report, const char *file)
{
	report->file = file;
	report->problems = g_ptr_array_new_with_free_func(problem_free);
	report->count = 0;
}

void suite_report_clear(struct suite_report *report)
{
	g_clear_pointer(&report->problems, g_ptr_array_unref);
	report->count = 0;
}

gboolean suite_report_full(const struct suite_report *report)
{
	return report->problems->len >= REPORT_KEEP;
}

void suite_report_add(struct suite_report *report, guint line, guint col, const char *fmt, ...)
{
	struct suite_problem *p;
	va_list ap;

	report->count++;
	if (report->problems->len >= REPORT_KEEP)
		return;
	p = g_new0(struct suite_problem, 1);
	p->line = line;
	p->col = col;
	va_start(ap, fmt);
	p->text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(report->problems, p);
}

static gint problem_cmp(gconstpointer a, gconstpointer b)
{
	const struct suite_problem *pa = *(struct suite_problem *const *)a;
	const struct suite_problem *pb = *(struct suite_problem *const *)b;

	if (pa->line != pb->line)
		return pa->line < pb->line ? -1 : 1;
	if (pa->col != pb->col)
		return pa->col < pb->col ? -1 : 1;
	return 0;
}

char *suite_report_message(const struct suite_report *report)
{
	g_autoptr(GPtrArray) sorted = g_ptr_array_new();
	GString *out = g_string_new(NULL);
	guint i, shown;

	for (i = 0; i < report->problems->len; i++)
		g_ptr_array_add(sorted, report->problems->pdata[i]);
	g_ptr_array_sort(sorted, problem_cmp); /* stable */
	shown = MIN(sorted->len, SUITE_MAX_PROBLEMS);
	for (i = 0; i < shown; i++) {
		const struct suite_problem *p = sorted->pdata[i];

		if (i > 0)
			g_string_append_c(out, '\n');
		if (p->line > 0)
			g_string_append_printf(out, "%s:%u:%u: %s", report->file, p->line, p->col, p->text);
		else
			g_string_append_printf(out, "%s: %s", report->file, p->text);
	}
	if (report->count > shown)
		g_string_append_printf(out, "\n... and %u more problem%s", report->count - shown,
				       report->count - shown == 1 ? "" : "s");
	return g_string_free(out, FALSE);
}

char *suite_show(const char *text)
{
	GString *out = g_string_new("'");
	const char *p = text;
	guint n = 0;

	while (*p) {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (n >= SHOW_MAX) {
			g_string_append(out, "...");
			break;
		}
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_printf(out, "\\x%02x", (guchar)*p);
			p++;
		} else {
			if (c == '\n')
				g_string_append(out, "\\n");
			else if (c == '\t')
				g_string_append(out, "\\t");
			else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029)
				g_string_append_printf(out, "\\u%04x", c);
			else
				g_string_append_unichar(out, c);
			p = g_utf8_next_char(p);
		}
		n++;
	}
	g_string_append_c(out, '\'');
	return g_string_free(out, FALSE);
}

/* Optimal string alignment distance, capped: words longer than 64 bytes are not compared. */
static guint distance(const char *a, const char *b)
{
	gsize la = strlen(a), lb = strlen(b), i, j;
	guint d[65][65];

	if (la > 64 || lb > 64 || la > lb + 2 || lb > la + 2)
		return G_MAXUINT; /* too long to compare, or too different in length to be near */
	for (i = 0; i <= la; i++)
		d[i][0] = (guint)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (guint)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
			guint v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);

			v = MIN(v, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				v = MIN(v, d[i - 2][j - 2] + 1);
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *suite_nearest(const char *word, const char *const *candidates, gsize n)
{
	const char *best = NULL;
	guint best_score = G_MAXUINT;
	gsize i;

	if (n > SUITE_NEAREST_MAX)
		return NULL; /* bounds the work on hostile files */
	for (i = 0; i < n; i++) {
		guint d = distance(word, candidates[i]), score;

		if (d > 2 || d >= MAX(strlen(word), strlen(candidates[i])))
			continue;
		/* on a tie, prefer a candidate with the same first letter ("rn": "run", not "on") */
		score = d * 2 + (word[0] == candidates[i][0] ? 0 : 1);
		if (score < best_score) {
			best = candidates[i];
			best_score = score;
		}
	}
	return best;
}

/* ---- text ---- */

/* Length of a line break at p (as libyaml counts them), 0 when none. */
static gsize break_len(const char *p, gsize left)
{
	const guchar *u = (const guchar *)p;

	if (u[0] == '\n')
		return 1;
	if (u[0] == '\r')
		return left >= 2 && u[1] == '\n' ? 2 : 1;
	if (left >= 2 && u[0] == 0xc2 && u[1] == 0x85)
		return 2;
	if (left >= 3 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
		return 3;
	return 0;
}

gboolean suite_text_init(struct suite_text *text, const char *data, gsize len, struct suite_report *report)
{
	const char *bad = NULL;
	gsize i, start = 0, valid;
	guint line, col;

	text->data = data;
	text->len = len;
	text->place_off = 0;
	text->place_line = 0;
	text->place_col = 0;
	text->offset_off = 0;
	text->offset_line = 0;
	text->offset_col = 0;
	text->lines = g_array_new(FALSE, FALSE, sizeof(gsize));
	if (!g_utf8_validate_len(data, len, &bad))
		valid = (gsize)(bad - data);
	else
		valid = len;
	if (valid >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		start = 3; /* libyaml does not count the byte order mark */
	g_array_append_val(text->lines, start);
	for (i = start; i < valid;) {
		gsize n = break_len(data + i, valid - i);

		if (n > 0) {
			i += n;
			g_array_append_val(text->lines, i);
		} else {
			i++;
		}
	}
	if (valid == len)
		return TRUE;
	suite_text_place(text, valid, &line, &col);
	if (data[valid] == '\0')
		suite_report_add(report, line, col, "NUL byte: a suite file must be UTF-8 text");
	else
		suite_report_add(report, line, col, "invalid UTF-8 (byte 0x%02x): a suite file must be UTF-8 text",
				 (guchar)data[valid]);
	return FALSE;
}

void suite_text_clear(struct suite_text *text)
{
	g_clear_pointer(&text->lines, g_array_unref);
}

gsize suite_text_offset(struct suite_text *text, guint line, guint col)
{
	gsize off;
	guint i;

	if (line == 0 || text->lines->len == 0)
		return 0;
	if (line > text->lines->len)
		return text->len;
	off = g_array_index(text->lines, gsize, line - 1);
	i = 1;
	if (text->offset_line == line && text->offset_col <= col && text->offset_col > 0) {
		off = text->offset_off; /* count on along the same line */
		i = text->offset_col;
	}
	for (; i < col && off < text->len; i++)
		off += (gsize)(g_utf8_next_char(text->data + off) - (text->data + off));
	off = MIN(off, text->len);
	text->offset_off = off;
	text->offset_line = line;
	text->offset_col = i;
	return off;
}

void suite_text_place(struct suite_text *text, gsize offset, guint *line, guint *col)
{
	guint lo = 0, hi = text->lines->len;
	gsize start;

	/* the last line start <= offset */
	while (hi - lo > 1) {
		guint mid = lo + (hi - lo) / 2;

		if (g_array_index(text->lines, gsize, mid) <= offset)
			lo = mid;
		else
			hi = mid;
	}
	start = g_array_index(text->lines, gsize, lo);
	*line = lo + 1;
	if (text->place_line == *line && text->place_off <= offset && text->place_off >= start) {
		*col = text->place_col; /* count on along the same line */
		start = text->place_off;
	} else {
		*col = 1;
	}
	if (offset > start)
		*col += (guint)g_utf8_strlen(text->data + start, (gssize)(offset - start));
	text->place_off = offset;
	text->place_line = *line;
	text->place_col = *col;
}

/* ---- nodes ---- */

void suite_ynode_free(struct suite_ynode *node)
{
	if (!node)
		return;
	g_free(node->text);
	if (node->items)
		g_ptr_array_unref(node->items);
	g_free(node);
}

static void ynode_free_ptr(gpointer data)
{
	suite_ynode_free(data);
}

gboolean suite_ynode_is_null(const struct suite_ynode *node)
{
	if (node->kind != SUITE_YNODE_SCALAR || !node->plain)
		return FALSE;
	return strcmp(node->text, "") == 0 || strcmp(node->text, "~") == 0 ||
	       strcmp(node->text, "null") == 0 || strcmp(node->text, "Null") == 0 ||
	       strcmp(node->text, "NULL") == 0;
}

char *suite_ynode_describe(const struct suite_ynode *node)
{
	switch (node->kind) {
	case SUITE_YNODE_MAP:
		return g_strdup("a mapping");
	case SUITE_YNODE_SEQ:
		return g_strdup("a list");
	case SUITE_YNODE_BAD:
		return g_strdup("an alias");
	case SUITE_YNODE_SCALAR:
		break;
	}
	if (suite_ynode_is_null(node))
		return g_strdup("null");
	return suite_show(node->text);
}

/* ---- parsing ---- */

struct open_node {
	struct suite_ynode *node;
	GHashTable *keys; /* MAP: key text -> its node (for duplicates) */
};

struct builder {
	struct suite_text *text;
	struct suite_report *report;
	struct suite_ynode *root;
	GArray *stack; /* struct open_node */
	guint nodes;
	gboolean fatal;
};

static void note_mark(const yaml_mark_t *mark, guint *line, guint *col)
{
	*line = (guint)MIN(mark->line, (size_t)G_MAXUINT - 1) + 1;
	*col = (guint)MIN(mark->column, (size_t)G_MAXUINT - 1) + 1;
}

static gboolean tag_ok(const char *tag)
{
	static const char *const standard[] = { "str", "int", "float", "bool", "null", "map", "seq" };
	gsize i;

	if (!g_str_has_prefix(tag, YAML_TAG_PREFIX))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(standard); i++)
		if (strcmp(tag + strlen(YAML_TAG_PREFIX), standard[i]) == 0)
			return TRUE;
	return FALSE;
}

/* Reports an anchor or a non-standard tag on a node. */
static void check_props(struct builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
			const yaml_char_t *tag)
{
	guint line, col;

	note_mark(&ev->start_mark, &line, &col);
	if (anchor) {
		g_autofree char *show = suite_show((const char *)anchor);

		suite_report_add(b->report, line, col,
				 "anchor &%.*s: anchors and aliases are not supported "
				 "(they are how billion-laughs attacks work)",
				 (int)(strlen(show) - 2), show + 1);
	}
	if (tag && !tag_ok((const char *)tag)) {
		const char *t = (const char *)tag;
		g_autofree char *show = NULL;

		if (g_str_has_prefix(t, YAML_TAG_PREFIX)) {
			g_autofree char *bang = g_strconcat("!!", t + strlen(YAML_TAG_PREFIX), NULL);
			show = suite_show(bang);
		} else {
			show = suite_show(t);
		}
		suite_report_add(b->report, line, col,
				 "tag %s is not supported (only !!str, !!int, !!float, !!bool, !!null, "
				 "!!seq and !!map)",
				 show);
	}
}

/* Attaches a new node to the open collection (or makes it the root). */
static void attach(struct builder *b, struct suite_ynode *node)
{
	struct open_node *top;

	if (b->stack->len == 0) {
		if (b->root)
			suite_ynode_free(b->root);
		b->root = node;
		return;
	}
	top = &g_array_index(b->stack, struct open_node, b->stack->len - 1);
	if (top->node->kind == SUITE_YNODE_MAP && top->node->items->len % 2 == 0) {
		/* a key */
		if (node->kind != SUITE_YNODE_SCALAR) {
			if (node->kind != SUITE_YNODE_BAD)
				suite_report_add(b->report, node->line, node->col,
						 "mapping keys must be plain strings, not %s",
						 node->kind == SUITE_YNODE_MAP ? "mappings" : "lists");
			node->dup = TRUE;
		} else {
			const struct suite_ynode *first = g_hash_table_lookup(top->keys, node->text);

			if (first) {
				g_autofree char *show = suite_show(node->text);

				suite_report_add(b->report, node->line, node->col,
						 "duplicate key %s (first at line %u)", show, first->line);
				node->dup = TRUE;
			} else {
				g_hash_table_insert(top->keys, node->text, node);
			}
		}
	}
	g_ptr_array_add(top->node->items, node);
}

static struct suite_ynode *new_node(struct builder *b, enum suite_ynode_kind kind, const yaml_event_t *ev)
{
	struct suite_ynode *node;

	if (++b->nodes > SUITE_YAML_MAX_NODES) {
		guint line, col;

		note_mark(&ev->start_mark, &line, &col);
		suite_report_add(b->report, line, col, "more than %u YAML nodes: this is not a suite file",
				 SUITE_YAML_MAX_NODES);
		b->fatal = TRUE;
		return NULL;
	}
	node = g_new0(struct suite_ynode, 1);
	node->kind = kind;
	note_mark(&ev->start_mark, &node->line, &node->col);
	note_mark(&ev->end_mark, &node->end_line, &node->end_col);
	if (kind == SUITE_YNODE_MAP || kind == SUITE_YNODE_SEQ)
		node->items = g_ptr_array_new_with_free_func(ynode_free_ptr);
	return node;
}

static void on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct suite_ynode *node;
	const char *tag = (const char *)ev->data.scalar.tag;

	check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
	node = new_node(b, SUITE_YNODE_SCALAR, ev);
	if (!node)
		return;
	node->text = g_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		      !(tag && strcmp(tag, YAML_TAG_PREFIX "str") == 0);
	if (strlen(node->text) != ev->data.scalar.length)
		suite_report_add(b->report, node->line, node->col,
				 "NUL characters (\\0) are not allowed in values");
	attach(b, node);
}

static void on_start(struct builder *b, const yaml_event_t *ev, enum suite_ynode_kind kind)
{
	struct open_node open = { 0 };
	const yaml_char_t *anchor, *tag;

	if (kind == SUITE_YNODE_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if (b->stack->len >= SUITE_MAX_DEPTH) {
		guint line, col;

		note_mark(&ev->start_mark, &line, &col);
		suite_report_add(b->report, line, col, "nesting deeper than %d levels", SUITE_MAX_DEPTH);
		b->fatal = TRUE;
		return;
	}
	check_props(b, ev, anchor, tag);
	open.node = new_node(b, kind, ev);
	if (!open.node)
		return;
	if (kind == SUITE_YNODE_MAP)
		open.keys = g_hash_table_new(g_str_hash, g_str_equal);
	attach(b, open.node);
	g_array_append_val(b->stack, open);
}

static void on_end(struct builder *b, const yaml_event_t *ev)
{
	struct open_node *top;

	if (b->stack->len == 0)
		return;
	top = &g_array_index(b->stack, struct open_node, b->stack->len - 1);
	note_mark(&ev->end_mark, &top->node->end_line, &top->node->end_col);
	if (top->keys)
		g_hash_table_unref(top->keys);
	g_array_set_size(b->stack, b->stack->len - 1);
}

static void on_syntax_error(struct builder *b, const yaml_parser_t *parser)
{
	guint line, col, cline, ccol;
	const char *problem = parser->problem ? parser->problem : "the parser failed";

	if (parser->error == YAML_MEMORY_ERROR) {
		suite_report_add(b->report, 0, 0, "out of memory while parsing YAML");
		return;
	}
	note_mark(&parser->problem_mark, &line, &col);
	if (parser->error == YAML_READER_ERROR) {
		/* the reader sets no mark, only a byte offset */
		suite_text_place(b->text, MIN(parser->problem_offset, b->text->len), &line, &col);
		if (parser->problem_value >= 0)
			suite_report_add(b->report, line, col, "YAML syntax error: %s (character 0x%02x)", problem,
					 (unsigned)parser->problem_value);
		else
			suite_report_add(b->report, line, col, "YAML syntax error: %s", problem);
		return;
	}
	if (parser->context) {
		note_mark(&parser->context_mark, &cline, &ccol);
		suite_report_add(b->report, line, col, "YAML syntax error: %s (%s that starts at line %u col %u)",
				 problem, parser->context, cline, ccol);
	} else {
		suite_report_add(b->report, line, col, "YAML syntax error: %s", problem);
	}
}

static void builder_clear(struct builder *b)
{
	guint i;

	for (i = 0; i < b->stack->len; i++) {
		struct open_node *o = &g_array_index(b->stack, struct open_node, i);

		if (o->keys)
			g_hash_table_unref(o->keys);
	}
	g_array_unref(b->stack);
}

struct suite_ynode *suite_yaml_parse(struct suite_text *text, struct suite_report *report)
{
	struct builder b = { .text = text, .report = report };
	yaml_parser_t parser;
	guint docs = 0;
	gboolean done = FALSE;

	b.stack = g_array_new(FALSE, TRUE, sizeof(struct open_node));
	if (!yaml_parser_initialize(&parser)) {
		suite_report_add(report, 0, 0, "out of memory while parsing YAML");
		builder_clear(&b);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text->data, text->len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done && !b.fatal) {
		yaml_event_t ev;
		guint line, col;

		if (!yaml_parser_parse(&parser, &ev)) {
			on_syntax_error(&b, &parser);
			b.fatal = TRUE;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = TRUE;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				note_mark(&ev.start_mark, &line, &col);
				suite_report_add(report, line, col,
						 "more than one YAML document: a suite file holds exactly one");
				b.fatal = TRUE;
			}
			break;
		case YAML_ALIAS_EVENT: {
			g_autofree char *show = suite_show((const char *)ev.data.alias.anchor);
			struct suite_ynode *node;

			note_mark(&ev.start_mark, &line, &col);
			suite_report_add(report, line, col,
					 "alias *%.*s: aliases are not supported "
					 "(they are how billion-laughs attacks work)",
					 (int)(strlen(show) - 2), show + 1);
			node = new_node(&b, SUITE_YNODE_BAD, &ev);
			if (node)
				attach(&b, node);
			break;
		}
		case YAML_SCALAR_EVENT:
			on_scalar(&b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			on_start(&b, &ev, SUITE_YNODE_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			on_start(&b, &ev, SUITE_YNODE_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_end(&b, &ev);
			break;
		case YAML_NO_EVENT:
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	builder_clear(&b);
	if (b.fatal) {
		suite_ynode_free(b.root);
		return NULL;
	}
	if (!b.root || suite_ynode_is_null(b.root)) {
		suite_report_add(report, 1, 1, "the file is empty: a suite needs at least 'suite' and 'steps'");
		suite_ynode_free(b.root);
		return NULL;
	}
	return b.root;
}
