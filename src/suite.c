/* suite.c - suite files: loads YAML into the suite model, validating every field with file:line:col. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "suite.h"
#include "suite_yaml.h"
#include "vars.h"

G_DEFINE_QUARK(suite-error-quark, suite_error)

typedef struct suite_ynode ynode;

struct loader {
	struct suite_report report;
	struct suite_text text;
	struct suite *suite;
	GHashTable *machines; /* name -> struct suite_machine * (borrowed from suite) */
	GHashTable *vars;     /* name -> struct suite_var * (borrowed) */
};

static const char *const top_keys[] = { "suite", "title", "description", "timeout", "requires",
					"machines", "vars", "panes", "steps" };
static const char *const requires_keys[] = { "commands", "files", "modules", "libvirt", "machines" };
static const char *const machine_keys[] = { "local", "domain", "uri", "ssh", "identity", "password", "console",
					     "agent", "known-hosts" };
static const char *const var_keys[] = { "value", "secret", "raw", "description" };
static const char *const pane_kinds[] = { "console", "output", "journal", "migration", "interrupts", "timeline" };
static const char *const step_keys[] = { "name", "on", "run", "manual", "expect", "timeout", "on-failure",
					 "requires", "send", "action", "with", "wait", "check", "force" };
static const char *const check_section_keys[] = { "interrupts", "timeline" };
static const char *const check_irq_keys[] = { "on", "irq", "cpu", "delta", "only" };
static const char *const check_timeline_keys[] = { "file", "format", "task", "max_response", "max_blocking",
						   "max_cs", "period" };
static const char *const timeline_formats[] = { "rk", "trace-cmd", "csv" };
/* The keys that give a step its kind; a step has exactly one. */
static const char *const kind_keys[] = { "run", "manual", "send", "action", "wait" };
static const char *const wait_keys[] = { "state", "migration", "console" };
static const char *const wait_states[] = { "running", "blocked", "paused", "shutting down", "shut off",
					   "crashed", "pmsuspended" };
static const char *const wait_migrations[] = { "active", "completed", "failed", "cancelled", "none" };
static const char *const expect_keys[] = { "exit", "match", "no-match", "timeout" };

/* ---- problems ---- */

static void problem(struct loader *ld, const ynode *node, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void problem(struct loader *ld, const ynode *node, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	if (suite_report_full(&ld->report)) {
		suite_report_add(&ld->report, 0, 0, "-"); /* only counted */
		return;
	}
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	suite_report_add(&ld->report, node->line, node->col, "%s", text);
}

/* " (did you mean 'x'?)" or alternative, for a name not among candidates. */
static char *hint(struct loader *ld, const char *word, const char *const *candidates, gsize n,
		  const char *otherwise)
{
	const char *near;

	if (suite_report_full(&ld->report))
		return g_strdup(""); /* the problem is only counted */
	near = suite_nearest(word, candidates, n);

	if (near)
		return g_strdup_printf(" (did you mean '%s'?)", near);
	return g_strdup(otherwise ? otherwise : "");
}

static char *table_hint(struct loader *ld, GHashTable *table, const char *word, const char *otherwise)
{
	g_autofree const char **names = NULL;

	if (suite_report_full(&ld->report) || g_hash_table_size(table) > SUITE_NEAREST_MAX)
		return g_strdup(otherwise ? otherwise : "");
	names = (const char **)g_hash_table_get_keys_as_array(table, NULL);
	return hint(ld, word, names, g_hash_table_size(table), otherwise);
}

static char *list_words(const char *const *words, gsize n)
{
	GString *out = g_string_new(NULL);
	gsize i;

	for (i = 0; i < n; i++)
		g_string_append_printf(out, "%s%s", i ? ", " : "", words[i]);
	return g_string_free(out, FALSE);
}

/* ---- mappings and types ---- */

static gboolean map_pair(const ynode *map, guint i, const ynode **key, const ynode **value)
{
	if (i + 1 >= map->items->len)
		return FALSE;
	*key = map->items->pdata[i];
	*value = map->items->pdata[i + 1];
	return TRUE;
}

/* The index of the (first, not duplicated) key called name, or -1. */
static gint map_find(const ynode *map, const char *name)
{
	const ynode *key, *value;
	guint i;

	for (i = 0; map_pair(map, i, &key, &value); i += 2)
		if (!key->dup && key->kind == SUITE_YNODE_SCALAR && strcmp(key->text, name) == 0)
			return (gint)i;
	return -1;
}

static const ynode *map_get(const ynode *map, const char *name)
{
	gint i = map_find(map, name);

	return i < 0 ? NULL : map->items->pdata[i + 1];
}

static const ynode *map_key(const ynode *map, const char *name)
{
	gint i = map_find(map, name);

	return i < 0 ? NULL : map->items->pdata[i];
}

static void check_keys(struct loader *ld, const ynode *map, const char *const *allowed, gsize n, const char *where)
{
	const ynode *key, *value;
	guint i;

	for (i = 0; map_pair(map, i, &key, &value); i += 2) {
		gsize k;
		gboolean known = FALSE;

		if (key->dup || value->kind == SUITE_YNODE_BAD)
			continue; /* a merge key's alias is reported already */
		for (k = 0; k < n && !known; k++)
			known = strcmp(key->text, allowed[k]) == 0;
		if (!known && suite_report_full(&ld->report)) {
			problem(ld, key, "-");
		} else if (!known) {
			g_autofree char *show = suite_show(key->text);
			g_autofree char *words = list_words(allowed, n);
			g_autofree char *otherwise = g_strdup_printf(" (known keys: %s)", words);
			g_autofree char *h = hint(ld, key->text, allowed, n, otherwise);

			problem(ld, key, "unknown key %s %s%s", show, where, h);
		}
	}
}

static void wrong_type(struct loader *ld, const char *key, const ynode *node, const char *what)
{
	g_autofree char *desc = NULL;

	if (node->kind == SUITE_YNODE_BAD)
		return; /* an alias: reported already */
	desc = suite_ynode_describe(node);
	problem(ld, node, "'%s' must be %s, not %s", key, what, desc);
}

static gboolean is_text(const ynode *node)
{
	return node->kind == SUITE_YNODE_SCALAR && !suite_ynode_is_null(node);
}

static char *get_string(struct loader *ld, const char *key, const ynode *node)
{
	if (!is_text(node)) {
		wrong_type(ld, key, node, "a string");
		return NULL;
	}
	return g_strdup(node->text);
}

static gboolean get_bool(struct loader *ld, const char *key, const ynode *node, gboolean *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" }, *const no[] = { "false", "False", "FALSE" };
	gsize i;

	if (node->kind == SUITE_YNODE_SCALAR && node->plain) {
		for (i = 0; i < G_N_ELEMENTS(yes); i++) {
			if (strcmp(node->text, yes[i]) == 0) {
				*out = TRUE;
				return TRUE;
			}
			if (strcmp(node->text, no[i]) == 0) {
				*out = FALSE;
				return TRUE;
			}
		}
	}
	wrong_type(ld, key, node, "true or false");
	return FALSE;
}

static gboolean get_int(struct loader *ld, const char *key, const ynode *node, int min, int max, int *out)
{
	gint64 v;

	if (is_text(node) && g_ascii_string_to_signed(node->text, 10, min, max, &v, NULL)) {
		*out = (int)v;
		return TRUE;
	}
	if (node->kind != SUITE_YNODE_BAD) {
		g_autofree char *desc = suite_ynode_describe(node);

		problem(ld, node, "'%s' must be a whole number from %d to %d, not %s", key, min, max, desc);
	}
	return FALSE;
}

static gboolean get_duration(struct loader *ld, const char *key, const ynode *node, gint64 *out)
{
	gint64 ms = is_text(node) ? suite_parse_duration_ms(node->text) : -1;

	if (ms < 0) {
		wrong_type(ld, key, node, "a duration like 30s");
		return FALSE;
	}
	if (ms == 0) {
		problem(ld, node, "'%s' must be longer than 0", key);
		return FALSE;
	}
	*out = ms;
	return TRUE;
}

/* ---- references ---- */

/* Checks one scalar's references; the placing fields walk its value and its file text together. */
struct ref_check {
	struct loader *ld;
	const ynode *node;
	gboolean machines_ok; /* FALSE inside a machine's own fields */
	gboolean placing;     /* the fields below are set */
	gsize b0, b1;         /* the node's bytes in the file */
	gsize val_pos, raw_pos;
	guint val_refs, raw_refs; /* references before val_pos / raw_pos */
};

/* Steps over text[*pos] (reference starts "${" count; "$${" is a literal). */
static void ref_step(const char *text, gsize len, gsize *pos, guint *refs)
{
	gsize i = *pos;

	if (i + 2 < len && text[i] == '$' && text[i + 1] == '$' && text[i + 2] == '{') {
		*pos = i + 3;
	} else if (i + 1 < len && text[i] == '$' && text[i + 1] == '{') {
		(*refs)++;
		*pos = i + 2;
	} else {
		*pos = i + 1;
	}
}

static gboolean ref_at(const char *text, gsize len, gsize pos)
{
	return pos + 1 < len && text[pos] == '$' && text[pos + 1] == '{';
}

/* The file position of the reference at byte offset in the node's value: the same ordinal
 * reference in the node's text in the file. References come in order, so this goes on from
 * the last one (linear in the node's size). */
static void ref_place(struct ref_check *rc, gsize offset, guint *line, guint *col)
{
	struct loader *ld = rc->ld;
	const ynode *node = rc->node;
	gsize vlen = strlen(node->text);
	const char *raw;
	gsize rlen;
	guint target;

	if (!rc->placing || offset < rc->val_pos) {
		rc->placing = TRUE;
		rc->b0 = suite_text_offset(&ld->text, node->line, node->col);
		rc->b1 = MAX(rc->b0, suite_text_offset(&ld->text, node->end_line, node->end_col));
		rc->val_pos = rc->raw_pos = 0;
		rc->val_refs = rc->raw_refs = 0;
	}
	while (rc->val_pos < offset && rc->val_pos < vlen)
		ref_step(node->text, vlen, &rc->val_pos, &rc->val_refs);
	target = rc->val_refs;
	raw = ld->text.data + rc->b0;
	rlen = rc->b1 - rc->b0;
	while (rc->raw_pos < rlen && !(rc->raw_refs == target && ref_at(raw, rlen, rc->raw_pos)))
		ref_step(raw, rlen, &rc->raw_pos, &rc->raw_refs);
	if (rc->raw_pos >= rlen) {
		*line = node->line;
		*col = node->col;
		return;
	}
	suite_text_place(&ld->text, rc->b0 + rc->raw_pos, line, col);
}

static gboolean is_machine_field(const char *field)
{
	gsize i;

	for (i = 0; i < VARS_MACHINE_FIELD_COUNT; i++)
		if (strcmp(field, vars_machine_fields[i]) == 0)
			return TRUE;
	return FALSE;
}

static void on_ref(const char *ref, gsize offset, void *user_data)
{
	struct ref_check *rc = user_data;
	struct loader *ld = rc->ld;
	const char *dot = strchr(ref, '.');
	g_autofree char *prefix = dot ? g_strndup(ref, (gsize)(dot - ref)) : NULL;
	g_autofree char *text = NULL, *h = NULL;
	guint line, col;

	if (!dot ? g_hash_table_contains(ld->vars, ref)
		 : strcmp(prefix, "env") == 0 || (rc->machines_ok && g_hash_table_contains(ld->machines, prefix) &&
						  is_machine_field(dot + 1)))
		return;
	if (suite_report_full(&ld->report)) {
		suite_report_add(&ld->report, 0, 0, "-"); /* only counted: no hint, no place */
		return;
	}
	if (!dot) {
		h = table_hint(ld, ld->vars, ref, NULL);
		if (!*h) {
			g_free(h);
			h = g_strdup_printf(" (declare it under 'vars', or write $${%s} to leave it to the shell)", ref);
		}
		text = g_strdup_printf("undefined variable '%s'%s", ref, h);
	} else if (!rc->machines_ok) {
		text = g_strdup_printf("'${%s}': a machine's fields cannot refer to machine fields", ref);
	} else if (!g_hash_table_contains(ld->machines, prefix)) {
		h = table_hint(ld, ld->machines, prefix, NULL);
		text = g_strdup_printf("undefined machine '%s' in '${%s}'%s", prefix, ref, h);
	} else {
		h = hint(ld, dot + 1, vars_machine_fields, VARS_MACHINE_FIELD_COUNT,
			 " (fields: name, domain, uri, ssh, user, host, port, console)");
		text = g_strdup_printf("unknown machine field '%s' in '${%s}'%s", dot + 1, ref, h);
	}
	ref_place(rc, offset, &line, &col);
	suite_report_add(&ld->report, line, col, "%s", text);
}

static void check_refs_full(struct loader *ld, const ynode *node, gboolean machines_ok)
{
	struct ref_check rc = { .ld = ld, .node = node, .machines_ok = machines_ok };
	g_autoptr(GError) error = NULL;
	gsize bad = 0;
	guint line, col;

	if (node->kind != SUITE_YNODE_SCALAR)
		return;
	if (vars_scan_at(node->text, on_ref, &rc, &bad, &error))
		return;
	if (suite_report_full(&ld->report)) {
		suite_report_add(&ld->report, 0, 0, "-");
		return;
	}
	ref_place(&rc, bad, &line, &col);
	suite_report_add(&ld->report, line, col, "%s", error->message);
}

static void check_refs(struct loader *ld, const ynode *node)
{
	check_refs_full(ld, node, TRUE);
}

/* A string with references checked. */
static char *get_text(struct loader *ld, const char *key, const ynode *node)
{
	char *s = get_string(ld, key, node);

	if (s)
		check_refs(ld, node);
	return s;
}

/* A string or a list of strings, appended to out; each item's node is passed to check. */
static void get_strings(struct loader *ld, const char *key, const ynode *node, GPtrArray *out,
			void (*check)(struct loader *ld, const char *key, const ynode *item))
{
	guint i;

	if (is_text(node)) {
		g_ptr_array_add(out, g_strdup(node->text));
		check(ld, key, node);
		return;
	}
	if (node->kind != SUITE_YNODE_SEQ) {
		wrong_type(ld, key, node, "a string or a list of strings");
		return;
	}
	for (i = 0; i < node->items->len; i++) {
		const ynode *item = node->items->pdata[i];

		if (!is_text(item)) {
			g_autofree char *what = g_strdup_printf("items of '%s'", key);

			if (item->kind != SUITE_YNODE_BAD) {
				g_autofree char *desc = suite_ynode_describe(item);

				problem(ld, item, "%s must be strings, not %s", what, desc);
			}
			continue;
		}
		g_ptr_array_add(out, g_strdup(item->text));
		check(ld, key, item);
	}
}

static void check_item_refs(struct loader *ld, const char *key, const ynode *item)
{
	check_refs(ld, item);
}

static void check_item_machine(struct loader *ld, const char *key, const ynode *item)
{
	if (!g_hash_table_contains(ld->machines, item->text)) {
		g_autofree char *show = suite_show(item->text);
		g_autofree char *h = table_hint(ld, ld->machines, item->text, NULL);

		problem(ld, item, "undefined machine %s in '%s'%s", show, key, h);
	}
}

/* Reports a regular expression that does not compile, at the place of its error. */
static void check_item_regex(struct loader *ld, const char *key, const ynode *item)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GRegex) regex = NULL;
	const char *msg, *at;
	guint64 offset = 0;
	guint line = item->line, col = item->col;

	check_refs(ld, item);
	if (strstr(item->text, "${"))
		return; /* checked once expanded */
	regex = g_regex_new(item->text, 0, 0, &error);
	if (regex)
		return;
	if (suite_report_full(&ld->report)) {
		suite_report_add(&ld->report, 0, 0, "-");
		return;
	}
	msg = error->message;
	at = strstr(msg, " at char ");
	if (at) {
		char *end = NULL;

		offset = g_ascii_strtoull(at + 9, &end, 10);
		if (end && g_str_has_prefix(end, ": "))
			msg = end + 2;
		if (offset <= strlen(item->text)) {
			gsize b0 = suite_text_offset(&ld->text, item->line, item->col);
			gsize len = strlen(item->text), q = item->plain ? 0 : 1;

			if (b0 + q + len <= ld->text.len && memcmp(ld->text.data + b0 + q, item->text, len) == 0)
				suite_text_place(&ld->text, b0 + q + (gsize)offset, &line, &col);
		}
	}
	suite_report_add(&ld->report, line, col, "invalid regular expression in '%s': %s", key, msg);
}

/* ---- sections ---- */

static gboolean is_name(const char *s)
{
	if (!g_ascii_isalpha(*s) && *s != '_')
		return FALSE;
	for (s++; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-')
			return FALSE;
	return TRUE;
}

static gboolean is_identifier(const char *s)
{
	gsize n = 0;

	if (!g_ascii_isalnum(*s) && *s != '_')
		return FALSE;
	for (; *s; s++, n++)
		if (!g_ascii_isalnum(*s) && !strchr("_.-", *s))
			return FALSE;
	return n <= 128;
}

/* ">= 0.9.8", "9.0", "< 10": an optional operator and a dotted version of 1-3 numbers. */
static gboolean is_version_constraint(const char *s)
{
	static const char *const ops[] = { ">=", "<=", "==", ">", "<", "=" };
	int parts = 0;
	gsize i;

	while (*s == ' ')
		s++;
	for (i = 0; i < G_N_ELEMENTS(ops); i++) {
		if (g_str_has_prefix(s, ops[i])) {
			s += strlen(ops[i]);
			break;
		}
	}
	while (*s == ' ')
		s++;
	while (TRUE) {
		int digits = 0;

		while (g_ascii_isdigit(*s) && digits < 10) {
			s++;
			digits++;
		}
		if (digits == 0 || g_ascii_isdigit(*s) || ++parts > 3)
			return FALSE;
		if (*s != '.')
			break;
		s++;
	}
	while (*s == ' ')
		s++;
	return *s == '\0';
}

static struct suite_requires *parse_requires(struct loader *ld, const ynode *node)
{
	struct suite_requires *req;
	const ynode *v;

	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "requires", node, "a mapping (commands, files, modules, libvirt, machines)");
		return NULL;
	}
	check_keys(ld, node, requires_keys, G_N_ELEMENTS(requires_keys), "in requires");
	req = g_new0(struct suite_requires, 1);
	req->commands = g_ptr_array_new_with_free_func(g_free);
	req->files = g_ptr_array_new_with_free_func(g_free);
	req->modules = g_ptr_array_new_with_free_func(g_free);
	req->machines = g_ptr_array_new_with_free_func(g_free);
	req->loc.line = node->line;
	req->loc.col = node->col;
	if ((v = map_get(node, "commands")))
		get_strings(ld, "commands", v, req->commands, check_item_refs);
	if ((v = map_get(node, "files")))
		get_strings(ld, "files", v, req->files, check_item_refs);
	if ((v = map_get(node, "modules")))
		get_strings(ld, "modules", v, req->modules, check_item_refs);
	if ((v = map_get(node, "machines")))
		get_strings(ld, "machines", v, req->machines, check_item_machine);
	if ((v = map_get(node, "libvirt"))) {
		if (is_text(v) && is_version_constraint(v->text))
			req->libvirt = g_strdup(v->text);
		else
			wrong_type(ld, "libvirt", v, "a version constraint like \">= 0.9.8\"");
	}
	return req;
}

static void parse_vars(struct loader *ld, const ynode *node)
{
	const ynode *key, *value, *v;
	guint i;

	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "vars", node, "a mapping of names to values");
		return;
	}
	for (i = 0; map_pair(node, i, &key, &value); i += 2) {
		struct suite_var *var;
		g_autofree char *show = NULL;

		if (key->dup)
			continue;
		show = suite_show(key->text);
		if (!is_name(key->text)) {
			problem(ld, key,
				"variable name %s must be letters, digits, '_' and '-', starting with a letter or '_'",
				show);
			continue;
		}
		var = g_new0(struct suite_var, 1);
		var->name = g_strdup(key->text);
		var->loc.line = key->line;
		var->loc.col = key->col;
		g_ptr_array_add(ld->suite->vars, var);
		g_hash_table_insert(ld->vars, var->name, var);
		if (value->kind == SUITE_YNODE_SCALAR) {
			var->value = is_text(value) ? g_strdup(value->text) : NULL;
			continue;
		}
		if (value->kind != SUITE_YNODE_MAP) {
			g_autofree char *what = g_strdup_printf("variable %s", show);
			g_autofree char *desc = suite_ynode_describe(value);

			if (value->kind != SUITE_YNODE_BAD)
				problem(ld, value,
					"%s must be a value or a mapping (value, secret, raw, description), not %s", what,
					desc);
			continue;
		}
		{
			g_autofree char *where = g_strdup_printf("in variable %s", show);

			check_keys(ld, value, var_keys, G_N_ELEMENTS(var_keys), where);
		}
		if ((v = map_get(value, "value"))) {
			if (v->kind != SUITE_YNODE_SCALAR)
				wrong_type(ld, "value", v, "a string");
			else if (is_text(v))
				var->value = g_strdup(v->text);
		}
		if ((v = map_get(value, "secret")))
			get_bool(ld, "secret", v, &var->secret);
		if ((v = map_get(value, "raw")))
			get_bool(ld, "raw", v, &var->raw);
		if ((v = map_get(value, "description")))
			var->description = get_string(ld, "description", v);
	}
}

static char *get_machine_text(struct loader *ld, const char *key, const ynode *node)
{
	char *s = get_string(ld, key, node);

	if (s)
		check_refs_full(ld, node, FALSE);
	return s;
}

static void parse_machine(struct loader *ld, const ynode *key, const ynode *value, struct suite_machine *m)
{
	g_autofree char *show = suite_show(key->text);
	g_autofree char *where = g_strdup_printf("in machine %s", show);
	const ynode *v;

	if (value->kind != SUITE_YNODE_MAP) {
		g_autofree char *desc = suite_ynode_describe(value);

		if (value->kind != SUITE_YNODE_BAD)
			problem(ld, value, "machine %s must be a mapping (local, domain, uri, ssh, ...), not %s", show,
				desc);
		return;
	}
	check_keys(ld, value, machine_keys, G_N_ELEMENTS(machine_keys), where);
	if ((v = map_get(value, "local")))
		get_bool(ld, "local", v, &m->local);
	if ((v = map_get(value, "domain")))
		m->domain = get_machine_text(ld, "domain", v);
	if ((v = map_get(value, "uri")))
		m->uri = get_machine_text(ld, "uri", v);
	if ((v = map_get(value, "ssh")) && (m->ssh = get_machine_text(ld, "ssh", v)) &&
	    !strstr(m->ssh, "${") && !vars_ssh_split(m->ssh, NULL, NULL, NULL)) {
		g_autofree char *desc = suite_show(m->ssh);

		problem(ld, v, "'ssh' must be user@host[:port], not %s", desc);
	}
	if ((v = map_get(value, "identity")))
		m->identity = get_machine_text(ld, "identity", v);
	if ((v = map_get(value, "password")))
		m->password = get_machine_text(ld, "password", v);
	if ((v = map_get(value, "known-hosts")))
		m->known_hosts = get_machine_text(ld, "known-hosts", v);
	if ((v = map_get(value, "console")))
		m->console = get_machine_text(ld, "console", v);
	if ((v = map_get(value, "agent")) && get_bool(ld, "agent", v, &m->agent) && m->agent &&
	    !map_get(value, "domain"))
		problem(ld, map_key(value, "agent"), "machine %s has 'agent: true' but no 'domain' to reach it through",
			show);
	if (!m->local && !map_get(value, "domain") && !map_get(value, "ssh"))
		problem(ld, key, "machine %s needs 'local: true', 'domain' or 'ssh'", show);
}

static void parse_machines(struct loader *ld, const ynode *node)
{
	const ynode *key, *value;
	guint i;

	if (node && node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "machines", node, "a mapping of machine names to machines");
		node = NULL;
	}
	for (i = 0; node && map_pair(node, i, &key, &value); i += 2) {
		struct suite_machine *m;
		g_autofree char *show = NULL;

		if (key->dup)
			continue;
		show = suite_show(key->text);
		if (!is_name(key->text)) {
			problem(ld, key,
				"machine name %s must be letters, digits, '_' and '-', starting with a letter or '_'",
				show);
			continue;
		}
		if (strcmp(key->text, "env") == 0) {
			problem(ld, key, "machine name 'env' is reserved (${env.NAME} is the environment)");
			continue;
		}
		m = g_new0(struct suite_machine, 1);
		m->name = g_strdup(key->text);
		m->loc.line = key->line;
		m->loc.col = key->col;
		parse_machine(ld, key, value, m);
		if (strcmp(m->name, "host") == 0)
			g_ptr_array_insert(ld->suite->machines, 0, m);
		else
			g_ptr_array_add(ld->suite->machines, m);
		g_hash_table_insert(ld->machines, m->name, m);
	}
	if (!g_hash_table_contains(ld->machines, "host")) {
		struct suite_machine *host = g_new0(struct suite_machine, 1);

		host->name = g_strdup("host");
		host->local = TRUE;
		g_ptr_array_insert(ld->suite->machines, 0, host);
		g_hash_table_insert(ld->machines, host->name, host);
	}
}

static void parse_pane(struct loader *ld, const ynode *item)
{
	const ynode *key, *value, *k, *v;
	struct suite_pane *pane;
	g_autofree char *show = NULL;
	guint i;

	if (item->kind == SUITE_YNODE_SCALAR && is_text(item)) {
		/* the bare form: "- output", "- journal" */
		key = item;
		value = NULL;
	} else if (item->kind != SUITE_YNODE_MAP || item->items->len != 2) {
		g_autofree char *desc = suite_ynode_describe(item);

		if (item->kind == SUITE_YNODE_MAP)
			problem(ld, item, "a pane must have exactly one key, its kind (like '- console: vm1'), not %u",
				item->items->len / 2);
		else if (item->kind != SUITE_YNODE_BAD)
			problem(ld, item, "a pane must be a one-key mapping like '- console: vm1', not %s", desc);
		return;
	} else {
		key = item->items->pdata[0];
		value = item->items->pdata[1];
	}
	if (key->dup)
		return;
	show = suite_show(key->text);
	for (i = 0; i < G_N_ELEMENTS(pane_kinds); i++)
		if (strcmp(key->text, pane_kinds[i]) == 0)
			break;
	if (i == G_N_ELEMENTS(pane_kinds)) {
		g_autofree char *h = hint(ld, key->text, pane_kinds, G_N_ELEMENTS(pane_kinds),
					  " (kinds: console, output, journal, migration, interrupts, timeline)");

		problem(ld, key, "unknown pane kind %s%s", show, h);
		return;
	}
	pane = g_new0(struct suite_pane, 1);
	pane->kind = g_strdup(key->text);
	pane->opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	pane->loc.line = item->line;
	pane->loc.col = item->col;
	g_ptr_array_add(ld->suite->panes, pane);
	if (!value) {
		/* no target */
	} else if (value->kind == SUITE_YNODE_SCALAR) {
		if (is_text(value)) {
			pane->target = g_strdup(value->text);
			check_refs(ld, value);
		}
	} else if (value->kind == SUITE_YNODE_MAP) {
		for (i = 0; map_pair(value, i, &k, &v); i += 2) {
			if (k->dup)
				continue;
			if (v->kind != SUITE_YNODE_SCALAR) {
				g_autofree char *opt = suite_show(k->text);
				g_autofree char *desc = suite_ynode_describe(v);

				if (v->kind != SUITE_YNODE_BAD)
					problem(ld, v, "pane option %s must be a string, not %s", opt, desc);
				continue;
			}
			check_refs(ld, v);
			g_hash_table_insert(pane->opts, g_strdup(k->text), g_strdup(is_text(v) ? v->text : ""));
			if (strcmp(k->text, "on") == 0 && is_text(v)) {
				g_free(pane->target);
				pane->target = g_strdup(v->text);
			}
		}
	} else {
		wrong_type(ld, pane->kind, value, "a target or a mapping of options");
		return;
	}
	if (strcmp(pane->kind, "console") == 0 || strcmp(pane->kind, "interrupts") == 0) {
		if (!pane->target) {
			problem(ld, key, "the %s pane needs a machine ('- %s: vm1' or 'on: vm1')", pane->kind,
				pane->kind);
		} else if (!g_hash_table_contains(ld->machines, pane->target)) {
			g_autofree char *t = suite_show(pane->target);
			g_autofree char *h = table_hint(ld, ld->machines, pane->target, NULL);
			const ynode *where = value && value->kind == SUITE_YNODE_MAP ? map_get(value, "on") : value;

			problem(ld, where ? where : key, "undefined machine %s in the %s pane%s", t, pane->kind, h);
		}
	}
}

static void parse_panes(struct loader *ld, const ynode *node)
{
	guint i;

	if (node->kind != SUITE_YNODE_SEQ) {
		wrong_type(ld, "panes", node, "a list");
		return;
	}
	for (i = 0; i < node->items->len; i++)
		parse_pane(ld, node->items->pdata[i]);
}

static void parse_expect(struct loader *ld, struct suite_step *step, const ynode *node, gboolean *exit_given)
{
	const ynode *v;

	step->expect.loc.line = node->line;
	step->expect.loc.col = node->col;
	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "expect", node, "a mapping (exit, match, no-match, timeout)");
		return;
	}
	check_keys(ld, node, expect_keys, G_N_ELEMENTS(expect_keys), "in expect");
	if ((v = map_get(node, "exit")) && get_int(ld, "exit", v, 0, 255, &step->expect.exit_status)) {
		step->expect.has_exit = TRUE;
		*exit_given = TRUE;
	}
	if ((v = map_get(node, "match")))
		get_strings(ld, "match", v, step->expect.match, check_item_regex);
	if ((v = map_get(node, "no-match")))
		get_strings(ld, "no-match", v, step->expect.no_match, check_item_regex);
	if ((v = map_get(node, "timeout")))
		get_bool(ld, "timeout", v, &step->expect.timeout);
	if (*exit_given && step->expect.timeout)
		problem(ld, map_key(node, "exit"), "'exit' cannot be expected together with 'timeout: true'");
}

/* The machine a step runs on, or NULL (when undefined: reported elsewhere). */
static const struct suite_machine *step_machine(struct loader *ld, const struct suite_step *step)
{
	return step->on ? g_hash_table_lookup(ld->machines, step->on) : NULL;
}

static void need_domain(struct loader *ld, const struct suite_step *step, const ynode *key, const char *what)
{
	const struct suite_machine *m = step_machine(ld, step);
	g_autofree char *show = NULL;

	if (!m || m->domain)
		return;
	show = suite_show(step->on);
	problem(ld, key, "'%s' needs a machine with a 'domain', and %s has none%s", what, show,
		strcmp(step->on, "host") == 0 ? " (give the step 'on: MACHINE')" : "");
}

static const char *pick_word(struct loader *ld, const char *key, const ynode *node, const char *const *words, gsize n)
{
	g_autofree char *text = get_string(ld, key, node);

	if (!text)
		return NULL;
	for (gsize i = 0; i < n; i++)
		if (strcmp(text, words[i]) == 0)
			return words[i];
	{
		g_autofree char *show = suite_show(text);
		g_autofree char *all = list_words(words, n);
		g_autofree char *h = hint(ld, text, words, n, NULL);

		problem(ld, node, "'%s' %s is not one of %s%s", key, show, all, h);
	}
	return NULL;
}

static void parse_wait(struct loader *ld, struct suite_step *step, const ynode *node)
{
	const ynode *v;
	guint given = 0;

	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "wait", node, "a mapping with one of state, migration, console");
		return;
	}
	check_keys(ld, node, wait_keys, G_N_ELEMENTS(wait_keys), "in wait");
	if ((v = map_get(node, "state"))) {
		const char *w = pick_word(ld, "state", v, wait_states, G_N_ELEMENTS(wait_states));

		step->wait_state = g_strdup(w);
		given++;
	}
	if ((v = map_get(node, "migration"))) {
		const char *w = pick_word(ld, "migration", v, wait_migrations, G_N_ELEMENTS(wait_migrations));

		step->wait_migration = g_strdup(w);
		given++;
	}
	if ((v = map_get(node, "console"))) {
		if (is_text(v)) {
			check_item_regex(ld, "console", v);
			step->wait_console = g_strdup(v->text);
		} else {
			wrong_type(ld, "console", v, "a pattern");
		}
		given++;
	}
	if (given != 1)
		problem(ld, node, "'wait' takes exactly one of state, migration or console, not %u", given);
	if (step->wait_state || step->wait_migration)
		need_domain(ld, step, node, "wait"); /* wait: { console } reads any machine's session */
}

static void parse_with(struct loader *ld, struct suite_step *step, const ynode *node)
{
	const ynode *k, *v;

	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "with", node, "a mapping of the action's options");
		return;
	}
	for (guint i = 0; map_pair(node, i, &k, &v); i += 2) {
		if (k->dup)
			continue;
		if (v->kind != SUITE_YNODE_SCALAR) {
			g_autofree char *opt = suite_show(k->text);
			g_autofree char *desc = suite_ynode_describe(v);

			if (v->kind != SUITE_YNODE_BAD)
				problem(ld, v, "action option %s must be a scalar, not %s", opt, desc);
			continue;
		}
		check_refs(ld, v);
		g_hash_table_insert(step->with, g_strdup(k->text), g_strdup(is_text(v) ? v->text : ""));
	}
}

/* run, manual, send, action or wait: exactly one. */
static void parse_step_kind(struct loader *ld, struct suite_step *step, const ynode *node)
{
	const ynode *found[G_N_ELEMENTS(kind_keys)];
	const ynode *first = NULL, *second = NULL, *v;
	guint n = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(kind_keys); i++) {
		found[i] = map_get(node, kind_keys[i]);
		if (!found[i])
			continue;
		n++;
		if (!first || found[i]->line < first->line ||
		    (found[i]->line == first->line && found[i]->col < first->col)) {
			second = first;
			first = found[i];
		} else if (!second || found[i]->line < second->line ||
			   (found[i]->line == second->line && found[i]->col < second->col)) {
			second = found[i];
		}
	}
	if (n > 1) {
		for (gsize i = 0; i < G_N_ELEMENTS(kind_keys); i++)
			if (found[i] == second)
				problem(ld, map_key(node, kind_keys[i]),
					"a step has exactly one action (run, manual, send, action or wait), not several");
	} else if (n == 0) {
		problem(ld, node, "step %u has no action: give it 'run', 'manual', 'send', 'action' or 'wait'",
			step->index + 1);
	}
	for (gsize i = 0; first && i < G_N_ELEMENTS(kind_keys); i++) {
		const ynode *k = found[i] == first ? map_key(node, kind_keys[i]) : NULL;

		if (k) {
			step->kind_loc.line = k->line;
			step->kind_loc.col = k->col;
		}
	}
	if ((v = found[0])) {
		step->kind = SUITE_STEP_RUN;
		step->run = get_text(ld, "run", v);
	} else if ((v = found[1])) {
		step->kind = SUITE_STEP_MANUAL;
		step->manual = get_text(ld, "manual", v);
	} else if ((v = found[2])) {
		step->kind = SUITE_STEP_SEND;
		step->send = get_text(ld, "send", v); /* any machine: its SSH shell, console or host shell */
	} else if ((v = found[3])) {
		step->kind = SUITE_STEP_ACTION;
		step->action = get_string(ld, "action", v);
		need_domain(ld, step, map_key(node, "action"), "action");
		if ((v = map_get(node, "with")))
			parse_with(ld, step, v);
	} else if ((v = found[4])) {
		step->kind = SUITE_STEP_WAIT;
		parse_wait(ld, step, v);
	}
}

/* ---- check: ---- */

/* "5ms", "1.2ms", "250us", "0.5s", "800ns": nanoseconds, or -1. */
static gint64 parse_duration_ns(const char *text)
{
	static const struct {
		const char *unit;
		gint64 ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 }, /* micro, mu */
		{ "ms", 1000000 }, { "s", 1000000000 },
	};
	const char *p = text;
	gint64 whole = 0, frac = 0, scale = 1;
	int digits = 0, fd = 0;

	while (g_ascii_isdigit(*p)) {
		if (++digits > 9)
			return -1;
		whole = whole * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		for (p++; g_ascii_isdigit(*p); p++, fd++) {
			if (fd < 9) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
		}
		if (!fd)
			return -1;
	}
	if (!digits && !fd)
		return -1;
	for (gsize i = 0; i < G_N_ELEMENTS(units); i++)
		if (strcmp(p, units[i].unit) == 0)
			return whole * units[i].ns + (frac * units[i].ns + scale / 2) / scale;
	return -1;
}

static void get_duration_ns(struct loader *ld, const char *key, const ynode *node, gint64 *out)
{
	gint64 ns = is_text(node) ? parse_duration_ns(node->text) : -1;

	if (ns < 0)
		wrong_type(ld, key, node, "a duration with its unit (ns, us, ms, s), like 5ms, 250us or 1.2s");
	else if (ns == 0)
		problem(ld, node, "'%s' must be longer than 0", key);
	else
		*out = ns;
}

/* ">= 1", "== 0", "> 10", "< 5", "<= 2", "!= 0", or a plain N (meaning >= N). */
static gboolean is_delta(const char *text)
{
	const char *p = text;

	while (*p == ' ')
		p++;
	if (*p == '>' || *p == '<' || *p == '!' || *p == '=') {
		gboolean two = p[1] == '=';

		if (*p == '!' && !two)
			return FALSE;
		p += two ? 2 : 1;
	}
	while (*p == ' ')
		p++;
	if (!g_ascii_isdigit(*p))
		return FALSE;
	for (int n = 0; g_ascii_isdigit(*p); p++)
		if (++n > 18)
			return FALSE;
	while (*p == ' ')
		p++;
	return *p == '\0';
}

static void parse_check_interrupts(struct loader *ld, struct suite_step *step, const ynode *node)
{
	struct suite_check_interrupts *ci;
	const ynode *v;

	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "interrupts", node, "a mapping (on, irq, cpu, delta, only)");
		return;
	}
	check_keys(ld, node, check_irq_keys, G_N_ELEMENTS(check_irq_keys), "in check interrupts");
	ci = g_new0(struct suite_check_interrupts, 1);
	step->check_interrupts = ci;
	ci->cpu = -1;
	ci->loc.line = node->line;
	ci->loc.col = node->col;
	if ((v = map_get(node, "on"))) {
		ci->on = get_string(ld, "on", v);
		if (ci->on)
			check_item_machine(ld, "on", v);
	} else {
		ci->on = g_strdup(step->on);
	}
	if ((v = map_get(node, "irq"))) {
		if (is_text(v)) {
			check_item_regex(ld, "irq", v);
			ci->irq = g_strdup(v->text);
		} else {
			wrong_type(ld, "irq", v, "a pattern on the IRQ's name or number");
		}
	} else {
		problem(ld, node, "check interrupts needs 'irq' (a pattern on the IRQ's name or number)");
	}
	if ((v = map_get(node, "cpu")))
		get_int(ld, "cpu", v, 0, 8191, &ci->cpu);
	if ((v = map_get(node, "delta"))) {
		if (is_text(v) && is_delta(v->text))
			ci->delta = g_strdup(v->text);
		else
			wrong_type(ld, "delta", v, "a count or a comparison like '>= 1', '== 0' or '> 10'");
	}
	if ((v = map_get(node, "only")) && get_bool(ld, "only", v, &ci->only) && ci->only && ci->cpu < 0)
		problem(ld, map_key(node, "only"), "'only: true' needs 'cpu' (the one CPU allowed to move)");
	/* every kind of machine can be sampled: local, agent, SSH or a domain's console */
}

static void parse_check_timeline(struct loader *ld, struct suite_step *step, const ynode *node)
{
	struct suite_check_timeline *ct;
	const ynode *v;
	static const char *const limits[] = { "max_response", "max_blocking", "max_cs" };
	gint64 *limit_fields[G_N_ELEMENTS(limits)];
	gboolean any = FALSE;

	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "timeline", node, "a mapping (file, format, task, max_response, ...)");
		return;
	}
	check_keys(ld, node, check_timeline_keys, G_N_ELEMENTS(check_timeline_keys), "in check timeline");
	ct = g_new0(struct suite_check_timeline, 1);
	step->check_timeline = ct;
	ct->max_response_ns = ct->max_blocking_ns = ct->max_cs_ns = ct->period_ns = -1;
	ct->loc.line = node->line;
	ct->loc.col = node->col;
	limit_fields[0] = &ct->max_response_ns;
	limit_fields[1] = &ct->max_blocking_ns;
	limit_fields[2] = &ct->max_cs_ns;
	if ((v = map_get(node, "file")))
		ct->file = get_text(ld, "file", v);
	else
		problem(ld, node, "check timeline needs 'file' (the event log)");
	if ((v = map_get(node, "format")))
		ct->format = g_strdup(pick_word(ld, "format", v, timeline_formats, G_N_ELEMENTS(timeline_formats)));
	if ((v = map_get(node, "task")))
		ct->task = get_text(ld, "task", v);
	else
		problem(ld, node, "check timeline needs 'task' (a pid or a task name)");
	for (gsize i = 0; i < G_N_ELEMENTS(limits); i++) {
		if ((v = map_get(node, limits[i]))) {
			get_duration_ns(ld, limits[i], v, limit_fields[i]);
			any = TRUE;
		}
	}
	if ((v = map_get(node, "period")))
		get_duration_ns(ld, "period", v, &ct->period_ns);
	else if ((v = map_key(node, "max_response")))
		problem(ld, v, "'max_response' needs 'period' (the task's jobs are released every period)");
	if (!any)
		problem(ld, node, "check timeline needs a limit: max_response, max_blocking or max_cs");
}

static void parse_check(struct loader *ld, struct suite_step *step, const ynode *node)
{
	const ynode *v;

	if (node->kind != SUITE_YNODE_MAP) {
		wrong_type(ld, "check", node, "a mapping with interrupts and/or timeline");
		return;
	}
	if (node->items->len == 0) {
		problem(ld, node, "'check' is empty: give it interrupts and/or timeline");
		return;
	}
	check_keys(ld, node, check_section_keys, G_N_ELEMENTS(check_section_keys), "in check");
	if ((v = map_get(node, "interrupts")))
		parse_check_interrupts(ld, step, v);
	if ((v = map_get(node, "timeline")))
		parse_check_timeline(ld, step, v);
}

static void parse_step(struct loader *ld, const ynode *node)
{
	struct suite_step *step = g_new0(struct suite_step, 1);
	const ynode *v;
	gboolean exit_given = FALSE;

	step->index = ld->suite->steps->len;
	step->loc.line = node->line;
	step->loc.col = node->col;
	step->expect.match = g_ptr_array_new_with_free_func(g_free);
	step->expect.no_match = g_ptr_array_new_with_free_func(g_free);
	step->expect.loc = step->loc;
	step->with = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_ptr_array_add(ld->suite->steps, step);
	if (node->kind != SUITE_YNODE_MAP) {
		g_autofree char *desc = suite_ynode_describe(node);

		if (node->kind != SUITE_YNODE_BAD)
			problem(ld, node, "a step must be a mapping (name, run or manual, ...), not %s", desc);
		return;
	}
	check_keys(ld, node, step_keys, G_N_ELEMENTS(step_keys), "in step");
	if ((v = map_get(node, "name")))
		step->name = get_string(ld, "name", v);
	else
		problem(ld, node, "step %u has no 'name'", step->index + 1);
	if ((v = map_get(node, "on"))) {
		step->on = get_string(ld, "on", v);
		if (step->on && !g_hash_table_contains(ld->machines, step->on)) {
			g_autofree char *show = suite_show(step->on);
			g_autofree char *h = table_hint(ld, ld->machines, step->on, " (declare it under 'machines')");

			problem(ld, v, "undefined machine %s in 'on'%s", show, h);
		}
	}
	if (!step->on)
		step->on = g_strdup("host");
	parse_step_kind(ld, step, node);
	if ((v = map_get(node, "expect"))) {
		if (step->kind == SUITE_STEP_MANUAL && step->manual)
			problem(ld, map_key(node, "expect"),
				"a manual step cannot have 'expect' (the operator gives the verdict)");
		else if (step->kind == SUITE_STEP_WAIT && (step->wait_state || step->wait_migration ||
							    step->wait_console))
			problem(ld, map_key(node, "expect"),
				"a wait step cannot have 'expect' (it passes when what it waits for happens)");
		else
			parse_expect(ld, step, v, &exit_given);
	}
	if ((v = map_get(node, "force")) && get_bool(ld, "force", v, &step->force) &&
	    step->kind != SUITE_STEP_SEND && !(step->kind == SUITE_STEP_WAIT && step->wait_console))
		problem(ld, map_key(node, "force"),
			"'force' takes a console over from another client: only 'send' and 'wait: { console }' steps have it");
	if ((v = map_get(node, "with")) && step->kind != SUITE_STEP_ACTION)
		problem(ld, map_key(node, "with"), "'with' gives an action's options: only a step with 'action' has it");
	if (step->kind == SUITE_STEP_RUN && !exit_given && !step->expect.timeout) {
		step->expect.has_exit = TRUE;
		step->expect.exit_status = 0;
	}
	if ((v = map_get(node, "timeout")))
		get_duration(ld, "timeout", v, &step->timeout_ms);
	if ((v = map_get(node, "on-failure"))) {
		if (is_text(v) && strcmp(v->text, "stop") == 0)
			step->on_failure = SUITE_ON_FAILURE_STOP;
		else if (is_text(v) && strcmp(v->text, "continue") == 0)
			step->on_failure = SUITE_ON_FAILURE_CONTINUE;
		else
			wrong_type(ld, "on-failure", v, "stop or continue");
	}
	if ((v = map_get(node, "requires")))
		step->requires = parse_requires(ld, v);
	if ((v = map_get(node, "check")))
		parse_check(ld, step, v);
}

static void parse_steps(struct loader *ld, const ynode *node)
{
	guint i;

	if (node->kind != SUITE_YNODE_SEQ) {
		wrong_type(ld, "steps", node, "a list of steps");
		return;
	}
	if (node->items->len == 0) {
		problem(ld, node, "'steps' is empty: a suite needs at least one step");
		return;
	}
	for (i = 0; i < node->items->len; i++)
		parse_step(ld, node->items->pdata[i]);
}

static void parse_top(struct loader *ld, const ynode *root)
{
	struct suite *suite = ld->suite;
	const ynode *v;

	if (root->kind != SUITE_YNODE_MAP) {
		g_autofree char *desc = suite_ynode_describe(root);

		if (root->kind != SUITE_YNODE_BAD)
			problem(ld, root, "the top level must be a mapping (suite, steps, ...), not %s", desc);
		return;
	}
	check_keys(ld, root, top_keys, G_N_ELEMENTS(top_keys), "at the top level");
	if ((v = map_get(root, "suite"))) {
		if (is_text(v) && is_identifier(v->text))
			suite->name = g_strdup(v->text);
		else
			wrong_type(ld, "suite", v, "an identifier (letters, digits, '_', '-' and '.')");
	} else {
		problem(ld, root, "missing 'suite' (the suite's identifier)");
	}
	if ((v = map_get(root, "title")))
		suite->title = get_string(ld, "title", v);
	if ((v = map_get(root, "description")))
		suite->description = get_string(ld, "description", v);
	if ((v = map_get(root, "timeout")))
		get_duration(ld, "timeout", v, &suite->timeout_ms);
	if ((v = map_get(root, "vars")))
		parse_vars(ld, v);
	parse_machines(ld, map_get(root, "machines"));
	if ((v = map_get(root, "requires")))
		suite->requires = parse_requires(ld, v);
	if ((v = map_get(root, "panes")))
		parse_panes(ld, v);
	if ((v = map_get(root, "steps")))
		parse_steps(ld, v);
	else
		problem(ld, root, "missing 'steps' (a list of steps)");
}

/* ---- loading ---- */

struct suite *suite_load_data(const char *data, gsize len, const char *name, GError **error)
{
	struct loader ld = { 0 };
	struct suite_ynode *root = NULL;
	struct suite *suite = NULL;

	if (!name)
		name = "(suite)";
	if (!data)
		len = 0;
	suite_report_init(&ld.report, name);
	if (len > SUITE_MAX_BYTES) {
		suite_report_add(&ld.report, 0, 0, "the file is larger than %u bytes (8 MiB): not a suite file",
				 SUITE_MAX_BYTES);
	} else if (suite_text_init(&ld.text, data ? data : "", len, &ld.report) &&
		   (root = suite_yaml_parse(&ld.text, &ld.report))) {
		ld.suite = suite_new_empty(name);
		ld.machines = g_hash_table_new(g_str_hash, g_str_equal);
		ld.vars = g_hash_table_new(g_str_hash, g_str_equal);
		parse_top(&ld, root);
		g_hash_table_unref(ld.machines);
		g_hash_table_unref(ld.vars);
		suite = g_steal_pointer(&ld.suite);
	}
	suite_ynode_free(root);
	suite_text_clear(&ld.text);
	if (ld.report.count > 0) {
		g_autofree char *msg = suite_report_message(&ld.report);

		g_set_error_literal(error, SUITE_ERROR, SUITE_ERROR_INVALID, msg);
		g_clear_pointer(&suite, suite_free);
	}
	suite_report_clear(&ld.report);
	return suite;
}

struct suite *suite_load_file(const char *path, GError **error)
{
	g_autoptr(GByteArray) buf = NULL;
	struct stat st;
	int fd, saved;

	fd = g_open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
	if (fd < 0) {
		saved = errno;
		g_set_error(error, SUITE_ERROR, SUITE_ERROR_IO, "%s: cannot open: %s", path, g_strerror(saved));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		saved = errno;
		close(fd);
		g_set_error(error, SUITE_ERROR, SUITE_ERROR_IO, "%s: cannot stat: %s", path, g_strerror(saved));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		g_set_error(error, SUITE_ERROR, SUITE_ERROR_IO, "%s: is a directory, not a suite file", path);
		return NULL;
	}
	if (S_ISREG(st.st_mode) && (guint64)st.st_size > SUITE_MAX_BYTES) {
		close(fd);
		g_set_error(error, SUITE_ERROR, SUITE_ERROR_INVALID,
			    "%s: the file is larger than %u bytes (8 MiB): not a suite file", path, SUITE_MAX_BYTES);
		return NULL;
	}
	/* a bounded read: the file may grow, or be a pipe */
	buf = g_byte_array_sized_new(S_ISREG(st.st_mode) ? (guint)st.st_size + 1 : 65536);
	while (buf->len <= SUITE_MAX_BYTES) {
		guint8 chunk[65536];
		ssize_t n = read(fd, chunk, MIN(sizeof(chunk), SUITE_MAX_BYTES + 1 - buf->len));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			g_set_error(error, SUITE_ERROR, SUITE_ERROR_IO, "%s: cannot read: %s", path, g_strerror(saved));
			return NULL;
		}
		if (n == 0)
			break;
		g_byte_array_append(buf, chunk, (guint)n);
	}
	close(fd);
	return suite_load_data((const char *)buf->data, buf->len, path, error);
}
