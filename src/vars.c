/* vars.c - variables: ${name} references, shell-quoted expansion, environment, machine fields, secret masking. */
#include "config.h"

#include <string.h>

#include "suite.h"
#include "suite_yaml.h"
#include "vars.h"

#define MASK "********"
#define SHOW_REF_MAX 24 /* characters of a malformed reference shown in messages */

G_DEFINE_QUARK(vars-error-quark, vars_error)

const char *const vars_machine_fields[] = { "name", "domain", "uri", "ssh", "user", "host", "port", "console" };
G_STATIC_ASSERT(G_N_ELEMENTS(vars_machine_fields) == VARS_MACHINE_FIELD_COUNT);

struct var_entry {
	char *name;
	char *value; /* NULL: unset */
	gboolean secret;
	gboolean raw;
};

struct vars {
	const struct suite *suite;
	GPtrArray *entries;  /* struct var_entry *, in suite order */
	GHashTable *by_name; /* name -> struct var_entry * */
	GPtrArray *secrets;  /* char *: non-empty secret values and quoted forms, longest first */
};

static void entry_free(gpointer data)
{
	struct var_entry *e = data;

	g_free(e->name);
	g_free(e->value);
	g_free(e);
}

static gint longest_first(gconstpointer a, gconstpointer b)
{
	gsize la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la == lb ? 0 : la > lb ? -1 : 1;
}

static void rebuild_secrets(struct vars *vars)
{
	guint i;

	g_ptr_array_set_size(vars->secrets, 0);
	for (i = 0; i < vars->entries->len; i++) {
		const struct var_entry *e = vars->entries->pdata[i];
		char *quoted;

		if (!e->secret || !e->value || !*e->value)
			continue;
		g_ptr_array_add(vars->secrets, g_strdup(e->value));
		quoted = vars_shell_quote(e->value);
		if (strcmp(quoted, e->value) != 0)
			g_ptr_array_add(vars->secrets, quoted);
		else
			g_free(quoted);
	}
	g_ptr_array_sort(vars->secrets, longest_first);
}

struct vars *vars_new(const struct suite *suite)
{
	struct vars *vars = g_new0(struct vars, 1);
	guint i;

	vars->suite = suite;
	vars->entries = g_ptr_array_new_with_free_func(entry_free);
	vars->by_name = g_hash_table_new(g_str_hash, g_str_equal);
	vars->secrets = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; suite && suite->vars && i < suite->vars->len; i++) {
		const struct suite_var *v = suite->vars->pdata[i];
		struct var_entry *e;

		if (g_hash_table_contains(vars->by_name, v->name))
			continue;
		e = g_new0(struct var_entry, 1);
		e->name = g_strdup(v->name);
		e->value = g_strdup(v->value);
		e->secret = v->secret;
		e->raw = v->raw;
		g_ptr_array_add(vars->entries, e);
		g_hash_table_insert(vars->by_name, e->name, e);
	}
	rebuild_secrets(vars);
	return vars;
}

void vars_free(struct vars *vars)
{
	if (!vars)
		return;
	g_hash_table_unref(vars->by_name);
	g_ptr_array_unref(vars->entries);
	g_ptr_array_unref(vars->secrets);
	g_free(vars);
}

/* " (did you mean 'x'?)" or "" for an unknown variable name. */
static char *suggest_var(const struct vars *vars, const char *name)
{
	g_autofree const char **names = g_new0(const char *, vars->entries->len + 1);
	const char *near;
	guint i;

	for (i = 0; i < vars->entries->len; i++)
		names[i] = ((const struct var_entry *)vars->entries->pdata[i])->name;
	near = suite_nearest(name, names, vars->entries->len);
	return near ? g_strdup_printf(" (did you mean '%s'?)", near) : g_strdup("");
}

gboolean vars_set(struct vars *vars, const char *name, const char *value, GError **error)
{
	struct var_entry *e = g_hash_table_lookup(vars->by_name, name);

	if (!e) {
		g_autofree char *hint = suggest_var(vars, name);
		g_autofree char *show = suite_show(name);

		g_set_error(error, VARS_ERROR, VARS_ERROR_UNDEFINED,
			    "variable %s is not declared in the suite's 'vars'%s", show, hint);
		return FALSE;
	}
	g_free(e->value);
	e->value = g_strdup(value);
	rebuild_secrets(vars);
	return TRUE;
}

gboolean vars_assign(struct vars *vars, const char *assignment, GError **error)
{
	const char *eq = strchr(assignment, '=');
	g_autofree char *name = NULL;

	if (!eq || eq == assignment) {
		g_autofree char *show = suite_show(assignment);

		g_set_error(error, VARS_ERROR, VARS_ERROR_SYNTAX, "expected NAME=VALUE, not %s", show);
		return FALSE;
	}
	name = g_strndup(assignment, (gsize)(eq - assignment));
	return vars_set(vars, name, eq + 1, error);
}

char *vars_shell_quote(const char *value)
{
	static const char safe[] = "_@%+=:,./-";
	GString *out;
	const char *p;
	gboolean bare = *value != '\0';

	for (p = value; *p && bare; p++)
		if (!g_ascii_isalnum(*p) && !strchr(safe, *p))
			bare = FALSE;
	if (bare)
		return g_strdup(value);
	out = g_string_new("'");
	for (p = value; *p; p++) {
		if (*p == '\'')
			g_string_append(out, "'\\''");
		else
			g_string_append_c(out, *p);
	}
	g_string_append_c(out, '\'');
	return g_string_free(out, FALSE);
}

gboolean vars_ssh_split(const char *ssh, char **user, char **host, guint *port)
{
	const char *at = strchr(ssh, '@'), *h, *hend, *p;
	guint64 n = 22;

	if (!at || at == ssh)
		return FALSE;
	for (p = ssh; p < at; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_.-", *p))
			return FALSE;
	if (*ssh == '-')
		return FALSE;
	h = at + 1;
	if (*h == '[') {
		hend = strchr(h, ']');
		if (!hend || hend == h + 1)
			return FALSE;
		for (p = h + 1; p < hend; p++)
			if (!g_ascii_isxdigit(*p) && *p != ':' && *p != '.')
				return FALSE;
		p = hend + 1;
		h++;
	} else {
		for (p = h; *p && *p != ':'; p++)
			if (!g_ascii_isalnum(*p) && !strchr(".-_", *p))
				return FALSE;
		hend = p;
		if (hend == h || *h == '-')
			return FALSE;
	}
	if (*p == ':') {
		const char *digits = p + 1;

		if (!*digits || strlen(digits) > 5)
			return FALSE;
		for (p = digits; *p; p++)
			if (!g_ascii_isdigit(*p))
				return FALSE;
		n = g_ascii_strtoull(digits, NULL, 10);
		if (n < 1 || n > 65535)
			return FALSE;
	} else if (*p) {
		return FALSE;
	}
	if (user)
		*user = g_strndup(ssh, (gsize)(at - ssh));
	if (host)
		*host = g_strndup(h, (gsize)(hend - h));
	if (port)
		*port = (guint)n;
	return TRUE;
}

/* ---- references ---- */

static gboolean name_start(char c)
{
	return g_ascii_isalpha(c) || c == '_';
}

/* Parses the reference at text[at] (which starts "${"): *len is its whole length. */
static gboolean parse_ref(const char *text, gsize at, gsize *len, GError **error)
{
	const char *s = text + at + 2, *p = s, *close;
	g_autofree char *shown = NULL;

	close = s;
	while (*close && *close != '}' && *close != '\n' && (gsize)(close - s) < 256)
		close++;
	if (*close != '}') {
		gsize n = MIN((gsize)(close - s), (gsize)SHOW_REF_MAX);

		shown = g_strdup_printf("${%.*s", (int)n, s);
		g_set_error(error, VARS_ERROR, VARS_ERROR_SYNTAX, "unterminated reference '%s' (no closing '}')",
			    shown);
		return FALSE;
	}
	if (close == s) {
		g_set_error(error, VARS_ERROR, VARS_ERROR_SYNTAX, "empty reference '${}'");
		return FALSE;
	}
	if (name_start(*p)) {
		while (g_ascii_isalnum(*p) || *p == '_' || *p == '-')
			p++;
		if (*p == '.' && name_start(p[1])) {
			p++;
			while (g_ascii_isalnum(*p) || *p == '_')
				p++;
		}
	}
	if (p != close) {
		g_autofree char *body = g_strndup(s, (gsize)(close - s));
		g_autofree char *show = suite_show(body);

		g_set_error(error, VARS_ERROR, VARS_ERROR_SYNTAX,
			    "malformed reference '${%.*s}' (use ${name}, ${env.NAME} or ${machine.field})",
			    (int)(strlen(show) - 2), show + 1);
		return FALSE;
	}
	*len = (gsize)(close - text) + 1 - at;
	return TRUE;
}

gboolean vars_scan_at(const char *text, vars_ref_fn fn, void *user_data, gsize *bad_offset, GError **error)
{
	gsize i = 0;

	while (text[i]) {
		gsize len;

		if (text[i] == '$' && text[i + 1] == '$' && text[i + 2] == '{') {
			i += 3;
		} else if (text[i] == '$' && text[i + 1] == '{') {
			if (!parse_ref(text, i, &len, error)) {
				if (bad_offset)
					*bad_offset = i;
				return FALSE;
			}
			if (fn) {
				g_autofree char *ref = g_strndup(text + i + 2, len - 3);

				fn(ref, i, user_data);
			}
			i += len;
		} else {
			i++;
		}
	}
	return TRUE;
}

gboolean vars_scan(const char *text, vars_ref_fn fn, void *user_data, GError **error)
{
	GError *local = NULL;
	gsize bad = 0;

	if (vars_scan_at(text, fn, user_data, &bad, &local))
		return TRUE;
	g_set_error(error, local->domain, local->code, "%s at byte %" G_GSIZE_FORMAT, local->message, bad);
	g_error_free(local);
	return FALSE;
}

static char *expand(const struct vars *vars, const char *text, enum vars_mode mode, gboolean machines,
		    GError **error);

static char *machine_field(const struct vars *vars, const char *mname, const char *field, GError **error)
{
	const struct suite_machine *m = vars->suite ? suite_find_machine(vars->suite, mname) : NULL;
	const char *value = NULL;
	g_autofree char *ssh = NULL, *user = NULL, *host = NULL;
	guint port = 0;

	if (!m) {
		g_set_error(error, VARS_ERROR, VARS_ERROR_UNDEFINED, "'${%s.%s}': no machine '%s' in the suite",
			    mname, field, mname);
		return NULL;
	}
	if (strcmp(field, "name") == 0)
		value = m->name;
	else if (strcmp(field, "domain") == 0)
		value = m->domain;
	else if (strcmp(field, "uri") == 0)
		value = m->uri;
	else if (strcmp(field, "ssh") == 0 || strcmp(field, "user") == 0 || strcmp(field, "host") == 0 ||
		 strcmp(field, "port") == 0)
		value = m->ssh;
	else if (strcmp(field, "console") == 0)
		value = m->console;
	else {
		g_set_error(error, VARS_ERROR, VARS_ERROR_UNDEFINED,
			    "'${%s.%s}': machines have no field '%s' (fields: name, domain, uri, ssh, user, host, "
			    "port, console)",
			    mname, field, field);
		return NULL;
	}
	if (!value) {
		const char *from = strcmp(field, "user") == 0 || strcmp(field, "host") == 0 ||
					   strcmp(field, "port") == 0
				   ? "ssh"
				   : field;

		g_set_error(error, VARS_ERROR, VARS_ERROR_UNDEFINED, "'${%s.%s}': machine '%s' has no '%s'", mname,
			    field, mname, from);
		return NULL;
	}
	/* a machine's fields may hold ${var} and ${env.X} references of their own */
	ssh = expand(vars, value, VARS_RAW, FALSE, error);
	if (!ssh)
		return NULL;
	if (strcmp(field, "user") != 0 && strcmp(field, "host") != 0 && strcmp(field, "port") != 0)
		return g_steal_pointer(&ssh);
	if (!vars_ssh_split(ssh, &user, &host, &port)) {
		g_autofree char *show = suite_show(ssh);

		g_set_error(error, VARS_ERROR, VARS_ERROR_SYNTAX,
			    "'${%s.%s}': machine '%s' has ssh %s, not user@host[:port]", mname, field, mname, show);
		return NULL;
	}
	if (strcmp(field, "user") == 0)
		return g_steal_pointer(&user);
	if (strcmp(field, "host") == 0)
		return g_steal_pointer(&host);
	return g_strdup_printf("%u", port);
}

/* The value of one reference (unquoted); *raw says whether it is a raw variable. */
static char *resolve(const struct vars *vars, const char *ref, gboolean machines, gboolean *raw, GError **error)
{
	const char *dot = strchr(ref, '.');
	const struct var_entry *e;

	*raw = FALSE;
	if (dot) {
		g_autofree char *prefix = g_strndup(ref, (gsize)(dot - ref));
		const char *value;

		if (strcmp(prefix, "env") == 0) {
			value = g_getenv(dot + 1);
			if (!value) {
				g_set_error(error, VARS_ERROR, VARS_ERROR_UNDEFINED,
					    "'${%s}': environment variable '%s' is not set", ref, dot + 1);
				return NULL;
			}
			return g_strdup(value);
		}
		if (!machines) {
			g_set_error(error, VARS_ERROR, VARS_ERROR_UNDEFINED,
				    "'${%s}': a machine's fields cannot refer to machine fields", ref);
			return NULL;
		}
		return machine_field(vars, prefix, dot + 1, error);
	}
	e = g_hash_table_lookup(vars->by_name, ref);
	if (!e) {
		g_autofree char *hint = suggest_var(vars, ref);

		g_set_error(error, VARS_ERROR, VARS_ERROR_UNDEFINED, "'${%s}': no variable '%s' in the suite%s", ref,
			    ref, hint);
		return NULL;
	}
	if (!e->value) {
		g_set_error(error, VARS_ERROR, VARS_ERROR_UNSET,
			    "'${%s}': variable '%s' has no value (give it with --var %s=VALUE)", ref, ref, ref);
		return NULL;
	}
	*raw = e->raw;
	return g_strdup(e->value);
}

static char *expand(const struct vars *vars, const char *text, enum vars_mode mode, gboolean machines,
		    GError **error)
{
	GString *out = g_string_new(NULL);
	gsize i = 0;

	while (text[i]) {
		gsize len;

		if (text[i] == '$' && text[i + 1] == '$' && text[i + 2] == '{') {
			g_string_append(out, "${");
			i += 3;
		} else if (text[i] == '$' && text[i + 1] == '{') {
			g_autofree char *ref = NULL, *value = NULL;
			gboolean raw;

			if (!parse_ref(text, i, &len, error)) {
				g_string_free(out, TRUE);
				return NULL;
			}
			ref = g_strndup(text + i + 2, len - 3);
			value = resolve(vars, ref, machines, &raw, error);
			if (!value) {
				g_string_free(out, TRUE);
				return NULL;
			}
			if (mode == VARS_SHELL && !raw) {
				g_autofree char *quoted = vars_shell_quote(value);

				g_string_append(out, quoted);
			} else {
				g_string_append(out, value);
			}
			i += len;
		} else {
			g_string_append_c(out, text[i]);
			i++;
		}
	}
	return g_string_free(out, FALSE);
}

char *vars_expand(const struct vars *vars, const char *text, enum vars_mode mode, GError **error)
{
	return expand(vars, text, mode, TRUE, error);
}

char *vars_mask(const struct vars *vars, const char *text)
{
	GString *out;
	const char *p = text;

	if (vars->secrets->len == 0)
		return g_strdup(text);
	out = g_string_new(NULL);
	while (*p) {
		guint i;
		gboolean hit = FALSE;

		for (i = 0; i < vars->secrets->len; i++) {
			const char *s = vars->secrets->pdata[i];
			gsize n = strlen(s);

			if (strncmp(p, s, n) == 0) {
				g_string_append(out, MASK);
				p += n;
				hit = TRUE;
				break;
			}
		}
		if (!hit)
			g_string_append_c(out, *p++);
	}
	return g_string_free(out, FALSE);
}

const GPtrArray *vars_secret_values(const struct vars *vars)
{
	return vars->secrets;
}

GHashTable *vars_public_table(const struct vars *vars)
{
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	guint i;

	for (i = 0; i < vars->entries->len; i++) {
		const struct var_entry *e = vars->entries->pdata[i];

		if (!e->secret && e->value)
			g_hash_table_insert(table, g_strdup(e->name), g_strdup(e->value));
	}
	return table;
}
