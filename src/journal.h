/* journal.h - the append-only, crash-safe JSON Lines session journal: writing and reading back. */
#ifndef VIRTCON_JOURNAL_H
#define VIRTCON_JOURNAL_H

#include <glib.h>

#define JOURNAL_ERROR (journal_error_quark())
GQuark journal_error_quark(void);
enum journal_error_code {
	JOURNAL_ERROR_IO,     /* open, write or fsync failed (message names the path and errno text) */
	JOURNAL_ERROR_FORMAT, /* not a virtcon journal at all (no session record) */
};

/*
 * One JSON object per line, written with a single write(2) each (O_APPEND), so a process killed
 * at any point leaves only whole lines, except at worst a torn last line that readers skip.
 * Every record has "type", "wall" (ISO 8601 UTC with microseconds) and "mono_us" (monotonic
 * microseconds since journal_open(), just before the session record). Step records carry "step"
 * (0-based index).
 * Types: session, step-start, output, input, verdict, note, sample, step-end, session-end.
 * Their other members: session: suite_file suite title n_steps vars{} hostname version pid;
 * step-start: name on kind command; output: stream, and data (UTF-8 text) or data_b64 (the raw
 * bytes, when they are not valid UTF-8); input: what data; verdict: verdict note; note: text;
 * sample: source, data (an object) or data_text, step only when >= 0; step-end: status, exit and
 * reason (each absent when none), duration_us; session-end: result passed failed skipped blocked
 * errors. Output bytes that may begin a secret or a UTF-8 character are held back until the next
 * chunk of the same step and stream, or the step's end.
 * journal_step_end() starts an fdatasync on the journal's own thread (the loop never waits for the
 * disk); journal_session_end() and journal_close() wait for it to finish.
 * Secret values registered with journal_add_secret() are replaced by "********" in every
 * string written, including output split across records.
 */
struct journal;

struct journal *journal_open(const char *path, GError **error);
/* Closes (fsyncs first). Safe with NULL. */
void journal_close(struct journal *journal);
const char *journal_path(const struct journal *journal);
/* The first write error, if any happened (the journal keeps trying to write). */
const GError *journal_error(const struct journal *journal);

void journal_add_secret(struct journal *journal, const char *value);

/* vars: name -> value (not secret ones) or NULL. */
void journal_session_start(struct journal *journal, const char *suite_file, const char *suite_name,
			   const char *title, guint n_steps, GHashTable *vars);
/* kind: "run", "manual", ...; command: the expanded command or instructions (masked). */
void journal_step_start(struct journal *journal, guint step, const char *name, const char *on,
			const char *kind, const char *command);
/* Output bytes as they came (any bytes; invalid UTF-8 is kept losslessly, see journal.c). */
void journal_output(struct journal *journal, guint step, const char *stream, const char *data, gsize len);
/* Operator input: what = "edit" (a changed command), "keys", "command" (n, s, r, a, x ...). */
void journal_input(struct journal *journal, guint step, const char *what, const char *data);
void journal_verdict(struct journal *journal, guint step, const char *verdict, const char *note);
void journal_note(struct journal *journal, guint step, const char *text);
/* A pane sample: source ("interrupts", "migration", ...) and a JSON object text. */
void journal_sample(struct journal *journal, gint step, const char *source, const char *json);
/* status: pass, fail, skip, blocked, error. exit_status < 0: none. reason may be NULL. */
void journal_step_end(struct journal *journal, guint step, const char *status, int exit_status,
		      const char *reason, gint64 duration_us);
void journal_session_end(struct journal *journal, const char *result, guint passed, guint failed,
			 guint skipped, guint blocked, guint errors);

/* A journal read back: what the exports and replay need. */
struct journal_step {
	guint index;
	char *name;
	char *on;
	char *kind;
	char *command;
	char *status;     /* pass fail skip blocked error, or NULL when the step never ended */
	int exit_status;  /* -1: none */
	char *reason;     /* NULL or why (timeout, blocked reason, error) */
	char *wall_start; /* ISO 8601 */
	gint64 start_us;  /* mono_us of step-start */
	gint64 duration_us; /* of a step that never ended: until the last record of the journal */
	GString *output;  /* all output bytes (the tail when over JOURNAL_OUTPUT_KEEP) */
	gboolean output_truncated;
	char *verdict;
	char *verdict_note;
	GPtrArray *notes; /* char * */
	GPtrArray *edits; /* char *: commands as edited by the operator */
	gboolean started; /* FALSE: a placeholder for a step the journal never saw start (name "") */
	guint runs;       /* how many times it was started (a retried step: > 1) */
};
#define JOURNAL_OUTPUT_KEEP (1024 * 1024)

struct journal_log {
	char *path;
	char *suite_file;
	char *suite_name;
	char *title;
	char *hostname;
	char *wall_start;
	char *wall_end;    /* NULL if the session never ended */
	gint64 duration_us;
	gboolean complete; /* a session-end record was found */
	char *result;      /* from session-end, or NULL */
	GPtrArray *steps;  /* struct journal_step *, by index; a step may be run more than once: last wins */
	guint bad_lines;   /* lines that did not parse (a torn last line after a crash) */
	guint n_steps;     /* steps in the suite (session record); steps->len is at least this */
	char *version;     /* virtcon version that wrote the journal */
};
/* Step indexes at or above this are ignored when reading (bounds memory on hostile input). */
#define JOURNAL_MAX_STEPS 10000

/* Reads a journal file. Errors: JOURNAL_ERROR_IO (cannot read), JOURNAL_ERROR_FORMAT (no
 * session record); both messages name the file. Lines that do not parse are counted and skipped. */
struct journal_log *journal_read(const char *path, GError **error);
/* The same from bytes in memory; name is used in messages and as log->path. */
struct journal_log *journal_read_data(const char *data, gsize len, const char *name, GError **error);
void journal_log_free(struct journal_log *log);
/* G_DEFINE_AUTOPTR_CLEANUP_FUNC needs a type name: this typedef exists only for g_autoptr(journal_log). */
typedef struct journal_log journal_log;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(journal_log, journal_log_free)

#endif
