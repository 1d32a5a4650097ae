/* vars.h - variables: ${name} expansion into commands (shell-quoted), environment, machine fields, secrets. */
#ifndef VIRTCON_VARS_H
#define VIRTCON_VARS_H

#include <glib.h>

struct suite;

#define VARS_ERROR (vars_error_quark())
GQuark vars_error_quark(void);
enum vars_error_code {
	VARS_ERROR_SYNTAX,    /* a malformed reference: "${", "${}", "${a b}" */
	VARS_ERROR_UNDEFINED, /* a reference to something that does not exist */
	VARS_ERROR_UNSET,     /* a declared variable with no value (give it with --var) */
};

/*
 * Reference forms:
 *   ${name}           a suite variable (vars:), overridable with --var name=value
 *   ${env.NAME}       the environment; unset is an error at expansion time
 *   ${MACHINE.FIELD}  a machine field: name, domain, uri, ssh, user, host, port, console
 *   $${               a literal "${"
 * A variable declared raw: true is inserted as written; every other value is inserted into
 * shell commands as one safely quoted word (VARS_SHELL) unless the mode is VARS_RAW.
 */
enum vars_mode {
	VARS_SHELL, /* values become single shell words (g_shell_quote style), raw vars excepted */
	VARS_RAW,   /* values inserted as written (file paths, messages, regexes) */
};

struct vars;

/* The variables of a suite (values as declared). */
struct vars *vars_new(const struct suite *suite);
void vars_free(struct vars *vars);

/* Overrides or sets a variable, as --var NAME=VALUE does. An undeclared name is an error. */
gboolean vars_set(struct vars *vars, const char *name, const char *value, GError **error);
/* Parses "NAME=VALUE" and calls vars_set(). */
gboolean vars_assign(struct vars *vars, const char *assignment, GError **error);

/* Expands every reference in text. NULL with an error naming the reference when one fails. */
char *vars_expand(const struct vars *vars, const char *text, enum vars_mode mode, GError **error);

/* Returns a copy of text with every secret value replaced by "********". */
char *vars_mask(const struct vars *vars, const char *text);
/* The secret values currently set (for the journal's masking); owned by vars. Each non-empty
 * secret value is listed, followed by its shell-quoted form when that differs. */
const GPtrArray *vars_secret_values(const struct vars *vars);

/* Scans text for references without expanding: calls fn for each with the reference's text
 * ("name", "env.HOME", "vm1.ssh") and its byte offset in text. Returns FALSE with a
 * VARS_ERROR_SYNTAX error (message includes the offset) on a malformed reference. */
typedef void (*vars_ref_fn)(const char *ref, gsize offset, void *user_data);
gboolean vars_scan(const char *text, vars_ref_fn fn, void *user_data, GError **error);

/* Like vars_scan(), but the error message does not name the offset and a malformed
 * reference's byte offset is stored in *bad_offset (the suite loader turns it into line:col). */
gboolean vars_scan_at(const char *text, vars_ref_fn fn, void *user_data, gsize *bad_offset, GError **error);

/* The machine fields a ${MACHINE.FIELD} reference may name. */
extern const char *const vars_machine_fields[];
#define VARS_MACHINE_FIELD_COUNT 8

/* Quotes value as one shell word: bare when every character is in [A-Za-z0-9_@%+=:,./-],
 * else in single quotes with each ' written as '\''. */
char *vars_shell_quote(const char *value);

/* Splits "user@host[:port]" (host may be "[v6addr]"); port is 22 when absent. FALSE when
 * malformed; out parameters may be NULL. */
gboolean vars_ssh_split(const char *ssh, char **user, char **host, guint *port);

/* The non-secret variables and their values, for the journal's session record (name -> value). */
GHashTable *vars_public_table(const struct vars *vars);

#endif
