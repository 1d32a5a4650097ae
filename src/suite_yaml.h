/* suite_yaml.h - internal to the suite loader: text checks, YAML events -> a node tree with marks, problem lists, model allocation. */
#ifndef VIRTCON_SUITE_YAML_H
#define VIRTCON_SUITE_YAML_H

#include <glib.h>

#define SUITE_YAML_MAX_NODES 200000 /* more YAML nodes than this is refused (bounds memory) */
#define SUITE_NEAREST_MAX 256       /* suite_nearest() gives no hint among more candidates */

/* Problems found in one file, each with a 1-based line and column (0: none). */
struct suite_report {
	const char *file;
	GPtrArray *problems; /* struct suite_problem *, the first few hundred */
	guint count;         /* all problems, stored or not */
};

void suite_report_init(struct suite_report *report, const char *file);
void suite_report_clear(struct suite_report *report);
void suite_report_add(struct suite_report *report, guint line, guint col, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
/* TRUE when further problems are only counted (callers may skip working out their text). */
gboolean suite_report_full(const struct suite_report *report);
/* Every stored problem, sorted by place, as "FILE:LINE:COL: text" lines; "... and N more". */
char *suite_report_message(const struct suite_report *report);

enum suite_ynode_kind {
	SUITE_YNODE_SCALAR,
	SUITE_YNODE_MAP,
	SUITE_YNODE_SEQ,
	SUITE_YNODE_BAD, /* an alias: already reported, skipped by the schema checks */
};

struct suite_ynode {
	enum suite_ynode_kind kind;
	guint line, col;         /* start, 1-based */
	guint end_line, end_col; /* end, 1-based */
	char *text;              /* SCALAR: the value */
	gboolean plain;          /* SCALAR: plain style without a !!str tag (so null/bool/int resolve) */
	gboolean dup;            /* a mapping key already seen in its mapping: ignore the pair */
	GPtrArray *items;        /* MAP: key, value, key, value ...; SEQ: the items */
};

/* The text of a file: its line starts (as libyaml counts lines) for byte <-> line:col. */
struct suite_text {
	const char *data;
	gsize len;
	GArray *lines; /* gsize: byte offset of each line's start; [0] is line 1 */
	gsize place_off; /* the last suite_text_place(), to count on from it along a long line */
	guint place_line, place_col;
	gsize offset_off; /* the last suite_text_offset(), likewise */
	guint offset_line, offset_col;
};

/* Checks for NUL bytes and invalid UTF-8 (reporting the first) and fills text->lines. */
gboolean suite_text_init(struct suite_text *text, const char *data, gsize len, struct suite_report *report);
void suite_text_clear(struct suite_text *text);
/* The byte offset of a 1-based line:col, clamped to the text. */
gsize suite_text_offset(struct suite_text *text, guint line, guint col);
/* The 1-based line:col of a byte offset. */
void suite_text_place(struct suite_text *text, gsize offset, guint *line, guint *col);

/* Parses one YAML document into a tree, reporting syntax errors, aliases, anchors, tags,
 * duplicate keys, depth and size. NULL when nothing usable came out (reported). */
struct suite_ynode *suite_yaml_parse(struct suite_text *text, struct suite_report *report);
void suite_ynode_free(struct suite_ynode *node);

/* A scalar that YAML reads as null: plain "", "~", "null". */
gboolean suite_ynode_is_null(const struct suite_ynode *node);
/* For messages: "a list", "a mapping", "null", "true", "'text'" (short, escaped). Free it. */
char *suite_ynode_describe(const struct suite_ynode *node);
/* The candidate nearest to word (Damerau-Levenshtein distance <= 2 and less than the longer
 * length), or NULL: for "did you mean" hints. Ties go to the earliest candidate. */
const char *suite_nearest(const char *word, const char *const *candidates, gsize n);

/* For messages: text quoted, shortened and with control characters escaped. Free it. */
char *suite_show(const char *text);

/* The model's allocation (suite_model.c): an empty suite with its arrays, timeout defaulted. */
struct suite_requires;
struct suite *suite_new_empty(const char *file);
void suite_requires_free(struct suite_requires *req);

#endif
