/* run.h - the run state machine: step queue, operator commands, expectations, timeouts, verdicts. */
#ifndef VIRTCON_RUN_H
#define VIRTCON_RUN_H

#include <glib.h>

struct suite;
struct vars;
struct journal;
struct conhub;

enum step_status {
	STEP_PENDING,
	STEP_RUNNING,
	STEP_PASS,
	STEP_FAIL,
	STEP_SKIP,
	STEP_BLOCKED, /* a requires: was not met (reason says which) */
	STEP_ERROR,   /* virtcon could not do the step (spawn failed, machine unusable ...) */
};
#define STEP_STATUS_COUNT (STEP_ERROR + 1)
const char *step_status_name(enum step_status status);
gboolean step_status_done(enum step_status status); /* pass fail skip blocked error */

/* What the console and the headless runner can read about each step. Owned by the run. */
struct run_step {
	enum step_status status;
	int exit_status;          /* -1 when none */
	char *reason;             /* why: "timed out after 5s", "exit status 1, expected 0", ... */
	char *command;            /* the expanded command that ran (masked), or NULL */
	char *edited;             /* operator's edited command for the next run, or NULL */
	char *note;               /* verdict or skip note, or NULL */
	gint64 start_us, end_us;  /* g_get_monotonic_time(); 0 when not yet */
	gboolean breakpoint;      /* "run all" stops before this step */
	gboolean waiting_verdict; /* a manual step waiting for run_verdict() */
	GString *output;          /* the last run's output (capped: the tail is kept) */
	guint runs;               /* how many times it was started */
	char *key_machine;        /* blocked on this machine's unknown SSH host key when it is not the
				   * step's own (a check's), else NULL */
};
#define RUN_OUTPUT_KEEP (256 * 1024)

struct run;

/* Callbacks from the engine to a front end; every one optional, all on the loop thread. */
struct run_ops {
	void (*step_changed)(struct run *run, guint step, void *user_data);
	void (*output)(struct run *run, guint step, const char *data, gsize len, void *user_data);
	/* The run went idle: nothing running and nothing queued (after a step or "run all"). */
	void (*idle)(struct run *run, void *user_data);
	void (*message)(struct run *run, const char *text, void *user_data);
	/* Bytes from a machine's serial console (a console session the run opened). */
	void (*console)(struct run *run, const char *machine, const char *data, gsize len, void *user_data);
};

struct run_options {
	gboolean headless;         /* manual steps without a given verdict are skipped */
	GHashTable *verdicts;      /* step name or 1-based number (char *) -> "pass"/"fail"/"skip" */
	guint kill_grace_ms;       /* SIGTERM -> SIGKILL delay; 0: 2000 */
	guint pty_cols, pty_rows;  /* 0: 80x24 */
	const char *uri;           /* libvirt URI for machines without uri: (NULL: resolve as virsh does) */
	const char *base_dir;      /* where relative file: paths of actions are taken from (NULL: the suite's directory) */
	struct conhub *hub;        /* console sessions shared with the front end's panes (NULL: the run's own) */
};

/* Loads a suite file and checks what the loader leaves to the step kinds (action names and
 * options): every front end loads suites this way. Problems as FILE:LINE:COL: message lines. */
struct suite *run_load_suite(const char *path, GError **error);
gboolean run_check_suite(const struct suite *suite, GError **error);

/* The run takes no ownership of suite, vars or journal (journal may be NULL). */
struct run *run_new(const struct suite *suite, struct vars *vars, struct journal *journal,
		    const struct run_options *options, const struct run_ops *ops, void *user_data);
void run_free(struct run *run);

const struct suite *run_suite(const struct run *run);
guint run_n_steps(const struct run *run);
const struct run_step *run_get_step(const struct run *run, guint step);
gboolean run_busy(const struct run *run);      /* a step is running */
gint run_current(const struct run *run);       /* the running step, or -1 */
gint run_next_pending(const struct run *run);  /* the first pending step, or -1 */
gboolean run_all_active(const struct run *run);
void run_counts(const struct run *run, guint counts[STEP_STATUS_COUNT]);

/* Operator commands. Each returns FALSE with a message in error when it does not apply
 * ("a step is already running", "step 3 is not a manual step"). Each is journaled. */
gboolean run_start_step(struct run *run, guint step, GError **error); /* run (or re-run) one step */
gboolean run_next(struct run *run, GError **error);                  /* run the next pending step */
gboolean run_all(struct run *run, GError **error);   /* run pending steps until done, breakpoint or stop */
gboolean run_skip(struct run *run, guint step, const char *note, GError **error);
gboolean run_retry(struct run *run, guint step, GError **error);     /* reset to pending and run */
gboolean run_abort(struct run *run, GError **error);                 /* kill the running step; stop "run all" */
gboolean run_verdict(struct run *run, guint step, enum step_status verdict, const char *note, GError **error);
gboolean run_note(struct run *run, guint step, const char *note, GError **error);
gboolean run_edit(struct run *run, guint step, const char *command, GError **error);
void run_toggle_breakpoint(struct run *run, guint step);

/* Accepting an SSH machine's unknown host key, as the operator would with ssh-keyscan after
 * comparing fingerprints: run_host_key_scan() fetches the key of step's machine and calls fn
 * on the loop with its fingerprint (or an error) and the known_hosts file it would go into;
 * run_host_key_accept() then appends it (journaled as operator input). */
typedef void (*run_host_key_fn)(struct run *run, guint step, const char *fingerprint, const char *host, guint port,
				const char *file, const GError *error, void *user_data);
gboolean run_host_key_scan(struct run *run, guint step, run_host_key_fn fn, void *user_data, GError **error);
gboolean run_host_key_accept(struct run *run, guint step, GError **error);

/* Ends the session in the journal (session-end record with counts). Idempotent. */
void run_finish(struct run *run);

#endif
