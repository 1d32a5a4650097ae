/* console.h - the console's context, shared by the ui files (not by the engine). */
#ifndef VIRTCON_UI_CONSOLE_H
#define VIRTCON_UI_CONSOLE_H

#include <gio/gio.h>
#include <glib.h>

#include "draw.h"
#include "layout.h"
#include "listview.h"
#include "pane.h"
#include "run.h"

struct suite;
struct vars;
struct virt;
struct conhub;
struct journal;
struct lineedit;

enum focus {
	FOCUS_SUITES,
	FOCUS_VMS,
	FOCUS_STEPS,
	FOCUS_PANE, /* + pane index */
};

enum prompt_kind {
	PROMPT_NONE,
	PROMPT_CONFIRM, /* y or n */
	PROMPT_CHOICE,  /* one of choices */
	PROMPT_LINE,    /* a line of text */
};

struct console;
struct prompt;
/* p: the prompt as it was (the console's is already closed, so done may open another);
 * answer: the key chosen (y, a choice, Enter for a line) or 0 when cancelled; text: the line. */
typedef void (*prompt_done_fn)(struct console *c, const struct prompt *p, int answer, const char *text);

struct prompt {
	enum prompt_kind kind;
	char *label;
	const char *choices;   /* PROMPT_CHOICE: the keys that answer */
	struct lineedit *edit; /* PROMPT_LINE */
	prompt_done_fn done;
	int step;              /* what it is about */
	int verdict;
	int index;
};

/* What the console remembers of each step, to turn step_changed calls into journal lines. */
struct step_seen {
	enum step_status status;
	guint runs;
	gboolean waiting;
	gboolean breakpoint;
	gboolean edited;
};

struct console {
	GMainLoop *loop;
	struct draw draw;
	char *uri;           /* -c URI, or NULL: "local host" */
	char **var_args;     /* --var NAME=VALUE */

	/* the suites list: catalog_list() plus a suite given by path */
	GPtrArray *suite_paths;
	GPtrArray *suite_names;
	struct listview suites_lv;
	int open_index;      /* the open suite's row, or -1 */

	/* the open suite; the run and its journal are made at the first command */
	struct suite *suite;
	char *suite_path;
	char *load_error;    /* why the selected suite could not be opened */
	struct vars *vars;
	struct journal *journal;
	char *journal_path;
	GPtrArray *journals; /* every journal this console wrote, printed on exit */
	struct run *run;
	struct step_seen *seen;
	struct listview steps_lv;
	int output_step;     /* whose output the output pane shows, or -1 */

	/* libvirt: the VMs list's connection, others for machines with their own uri:, and the
	 * console streams shared by the panes and the runs */
	struct virt *virt;
	GHashTable *other_virts; /* uri -> struct virt * */
	struct conhub *hub;
	struct listview vms_lv;
	guint stats_ms;          /* the stats interval asked for now (0: none) */
	gboolean vms_quiet;      /* the stats polls stopped changing anything: paused */
	int vms_same;            /* polls in a row that changed nothing shown */
	char *vms_shown;         /* what the VMs list showed, to tell */
	char *vms_states;        /* the domains and their states, to tell the panes of changes */
	char *other_states;      /* the same for the other connections (any of them) */
	GCancellable *actions_cancel;

	struct pane *panes[LAYOUT_MAX_PANES];
	int n_panes;
	int focus;           /* enum focus, FOCUS_PANE + i for pane i */
	int zoomed;          /* -1 or a pane */

	struct prompt prompt;
	gboolean help;
	int help_top;
	char *message;
	gboolean message_error;
	char *exports;       /* the last export's paths, for the status line */

	struct layout layout;
	gboolean cursor_want;   /* a pane in interactive mode shows its cursor there */
	int cursor_y, cursor_x;
	gboolean dirty;
	guint redraw_id;
	guint tick_id;       /* while a step runs: its duration moves */
	gboolean quitting;
	gboolean quit_pending;  /* quit once the aborted step has ended */
	guint quit_grace_id;
	gboolean interrupted;   /* quit by a signal, or with a step running: exit status 130 */
	guint stdin_id;         /* the keyboard's source; 0 once the terminal went away */
	char *quit_why;         /* printed on stderr after the screen is restored, or NULL */
};

/* console.c */
void console_dirty(struct console *c);
void console_message(struct console *c, gboolean error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Opens a prompt on the hint line; set c->prompt.step (and such) after it. */
void console_prompt(struct console *c, enum prompt_kind kind, const char *label, const char *initial,
		    prompt_done_fn done);
int console_selected_step(const struct console *c);
const struct run_step *console_step(const struct console *c, guint i);
void console_quit(struct console *c);

/* session.c: suites, the run and its journal */
void session_load_catalog(struct console *c, const char *given_path);
gboolean session_open(struct console *c, guint index);
void session_close(struct console *c);
gboolean session_ensure_run(struct console *c);
void session_show_output(struct console *c, int step, gboolean force);
void session_export(struct console *c);
void session_journal_line(struct console *c, const char *mark, int step, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
struct pane *session_pane(struct console *c, const char *kind);
void session_counts_text(const struct console *c, GString *out);

/* vms.c: the VMs list, its actions, and the libvirt side of the panes */
void vms_start(struct console *c);
void vms_stop(struct console *c);
void view_vms_draw(struct console *c, WINDOW *w, struct rect r);
int view_vms_width(const struct console *c);
int vms_rows_wanted(const struct console *c);
gboolean vms_key(struct console *c, int key);
/* Turns the stats poll on or off as the list is shown (after every draw). */
void vms_sync_stats(struct console *c);
/* The status line's connection part: "URI (how it was chosen)", connecting, lost. */
char *vms_status_text(const struct console *c);
/* The connection for a URI (NULL: the console's own), made on first use. */
struct virt *vms_virt_for(struct console *c, const char *uri);
/* Opens a pane of kind on target (at most LAYOUT_MAX_PANES); NULL with a message when not. */
struct pane *session_add_pane(struct console *c, const char *kind, const char *target);
void session_close_pane(struct console *c, int index);

/* views.c: the lists, the step details, the status and hint lines */
void view_suites_draw(struct console *c, WINDOW *w, struct rect r);
int view_suites_width(const struct console *c); /* the width the suites list would like */
void view_steps_draw(struct console *c, WINDOW *w, struct rect r);
void view_details_draw(struct console *c, WINDOW *w, struct rect r);
void view_status_draw(struct console *c, WINDOW *w, struct rect r);
void view_hints_draw(struct console *c, WINDOW *w, struct rect r);
char *view_duration(gint64 us);

/* help.c: the keys, for the overlay and the hint line */
void help_draw(struct console *c, WINDOW *w, int rows, int cols);
gboolean help_key(struct console *c, int key);

#endif
