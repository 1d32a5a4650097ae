/* suite.h - suite files: the in-memory model and the YAML loader that validates with file:line:col. */
#ifndef VIRTCON_SUITE_H
#define VIRTCON_SUITE_H

#include <glib.h>

#define SUITE_ERROR (suite_error_quark())
GQuark suite_error_quark(void);

enum suite_error_code {
	SUITE_ERROR_IO,      /* the file could not be read */
	SUITE_ERROR_INVALID, /* one or more problems; the message lists each as FILE:LINE:COL: text */
};

#define SUITE_MAX_BYTES (8u * 1024u * 1024u) /* larger files are refused */
#define SUITE_MAX_DEPTH 64                   /* deeper nesting is refused */
#define SUITE_MAX_PROBLEMS 50                /* problems listed before "... and N more" */
#define SUITE_DEFAULT_TIMEOUT_MS (300 * 1000)

/* A place in a suite file, 1-based; 0 when unknown. */
struct suite_loc {
	guint line;
	guint col;
};

enum suite_on_failure {
	SUITE_ON_FAILURE_STOP,     /* default: "run all" stops after a failed/errored step */
	SUITE_ON_FAILURE_CONTINUE,
};

/* requires: at suite or step level. Strings may hold ${var} references. */
struct suite_requires {
	GPtrArray *commands; /* char *: must be found on PATH */
	GPtrArray *files;    /* char *: must exist */
	GPtrArray *modules;  /* char *: must be loaded (/proc/modules) */
	char *libvirt;       /* NULL or a constraint: ">= 0.9.8", "9.0", "< 10" */
	GPtrArray *machines; /* char *: machine names that must be reachable */
	const char *default_uri; /* not from the file: the URI of domain machines without uri: (NULL: libvirt's default) */
	struct suite_loc loc;
};

/* machines: where steps run. "host" (local) always exists, even when not declared. */
struct suite_machine {
	char *name;
	gboolean local;  /* runs on this machine (host target, a pty) */
	char *domain;    /* libvirt domain name, or NULL */
	char *uri;       /* libvirt URI for this machine's domain, or NULL for the default */
	char *ssh;       /* "user@host[:port]", or NULL */
	char *identity;  /* SSH identity file, or NULL */
	char *password;  /* SSH password (should be a ${secret} reference), or NULL */
	char *known_hosts; /* known-hosts: the SSH known_hosts file, or NULL for ~/.ssh/known_hosts */
	char *console;   /* console device name ("serial0"), or NULL */
	gboolean agent;  /* run: steps go through qemu-guest-agent (needs a domain) */
	struct suite_loc loc;
};

/* vars: NAME: VALUE, or NAME: { value: V, secret: true, raw: true, description: D }. */
struct suite_var {
	char *name;
	char *value;      /* NULL: must be given with --var */
	char *description;
	gboolean secret;  /* never written to the journal or exports */
	gboolean raw;     /* substituted as written, not shell-quoted */
	struct suite_loc loc;
};

/* panes: "- console: vm1" or "- interrupts: { on: vm1, match: REGEX }". */
struct suite_pane {
	char *kind;       /* console, output, journal, migration, interrupts, timeline */
	char *target;     /* the scalar form's value, or the "on" option, or NULL */
	GHashTable *opts; /* char * -> char *: the mapping form's scalar options */
	struct suite_loc loc;
};

enum suite_step_kind {
	SUITE_STEP_RUN,    /* run: a command on the step's machine */
	SUITE_STEP_MANUAL, /* manual: instructions; the operator gives the verdict */
	SUITE_STEP_SEND,   /* send: text to the machine's console, then expect: match in order */
	SUITE_STEP_ACTION, /* action: a libvirt action on the machine's domain, options in with: */
	SUITE_STEP_WAIT,   /* wait: until a domain state, a migration status or console output */
};
#define SUITE_STEP_KIND_COUNT (SUITE_STEP_WAIT + 1)

/* expect: what decides pass or fail. */
struct suite_expect {
	gboolean has_exit;   /* TRUE: exit status must equal exit_status (run steps default to 0) */
	int exit_status;
	GPtrArray *match;    /* char *: GRegex patterns the output must match (all of them) */
	GPtrArray *no_match; /* char *: patterns the output must not match (none of them) */
	gboolean timeout;    /* TRUE: the step is expected to hit its timeout (then it passes) */
	struct suite_loc loc;
};

/* check: { interrupts: {...} }: measured between the step's start and its end. */
struct suite_check_interrupts {
	char *on;      /* machine whose /proc/interrupts is sampled */
	char *irq;     /* regex on the IRQ's name (or its number) */
	int cpu;       /* the CPU that must move; -1: any */
	char *delta;   /* constraint on that CPU's delta: ">= 1", "== 0", "> 10"; default ">= 1" */
	gboolean only; /* no other CPU's counter of the matched IRQs may move */
	struct suite_loc loc;
};

/* check: { timeline: {...} }: limits computed from an event log when the step ends. */
struct suite_check_timeline {
	char *file;              /* the event log (may hold ${vars}) */
	char *format;            /* "rk", "trace-cmd", "csv"; NULL: detect */
	char *task;              /* a pid or a task name */
	gint64 max_response_ns;  /* -1: not checked */
	gint64 max_blocking_ns;  /* -1: not checked */
	gint64 max_cs_ns;        /* longest critical section; -1: not checked */
	gint64 period_ns;        /* the task's period, for response times; -1: unknown */
	struct suite_loc loc;
};

struct suite_step {
	guint index;                   /* 0-based position */
	char *name;
	char *on;                      /* machine name; "host" by default */
	enum suite_step_kind kind;
	char *run;                     /* SUITE_STEP_RUN: the command (with ${var} references) */
	char *manual;                  /* SUITE_STEP_MANUAL: instructions for the operator */
	char *send;                    /* SUITE_STEP_SEND: the text (escapes as YAML wrote them) */
	char *action;                  /* SUITE_STEP_ACTION: the action's name */
	GHashTable *with;              /* SUITE_STEP_ACTION: options, char * -> char * (never NULL) */
	char *wait_state;              /* SUITE_STEP_WAIT: a domain state ("running", "shut off") */
	char *wait_migration;          /* SUITE_STEP_WAIT: a migration status ("completed") */
	char *wait_console;            /* SUITE_STEP_WAIT: a pattern the console must print */
	gboolean force;                /* send / wait console: take the console over from another client */
	struct suite_loc kind_loc;     /* where the step's action key (run, send, action ...) is */
	struct suite_check_interrupts *check_interrupts; /* NULL: none */
	struct suite_check_timeline *check_timeline;     /* NULL: none */
	struct suite_expect expect;
	gint64 timeout_ms;             /* 0: the suite's default */
	enum suite_on_failure on_failure;
	struct suite_requires *requires; /* NULL when the step has none */
	struct suite_loc loc;          /* where the step's mapping starts */
};

struct suite {
	char *file;        /* path as given, used in messages */
	char *name;        /* suite: identifier */
	char *title;
	char *description;
	struct suite_requires *requires; /* NULL when none */
	GPtrArray *machines; /* struct suite_machine *, "host" first */
	GPtrArray *vars;     /* struct suite_var *, in file order */
	GPtrArray *panes;    /* struct suite_pane * */
	GPtrArray *steps;    /* struct suite_step * */
	gint64 timeout_ms;   /* default step timeout (suite key "timeout"), SUITE_DEFAULT_TIMEOUT_MS if unset */
};

/* Loads and validates a suite file. On failure returns NULL and sets SUITE_ERROR_IO or
 * SUITE_ERROR_INVALID whose message lists every problem found, one per line. */
struct suite *suite_load_file(const char *path, GError **error);
/* The same from memory; name is used in messages in place of a path. */
struct suite *suite_load_data(const char *data, gsize len, const char *name, GError **error);
void suite_free(struct suite *suite);

const struct suite_machine *suite_find_machine(const struct suite *suite, const char *name);
const struct suite_var *suite_find_var(const struct suite *suite, const char *name);
const char *suite_step_kind_name(enum suite_step_kind kind);

/* "300ms", "30s", "2m", "1h", "1.5s" or a plain number of seconds; -1 when invalid. */
gint64 suite_parse_duration_ms(const char *text);

#endif
