/* check.h - a step's check: (interrupts moved between its start and its end, timeline limits). */
#ifndef VIRTCON_CHECK_H
#define VIRTCON_CHECK_H

#include <glib.h>

#include "irq.h"

struct run;
struct suite_step;
struct suite_check_interrupts;

/* TRUE when the step has a check: the engine then calls check_begin() and check_end(). */
gboolean check_wanted(const struct suite_step *step);

/*
 * The check of the running step of run. check_begin() takes the "before" samples and calls
 * ready(run) once they are in (at once when none is needed), so the measured window starts
 * exactly before the kind does; when a sample cannot be taken it ends the step as ERROR.
 * check_end() is called when the step is about to PASS: it takes the "after" samples,
 * evaluates, writes what moved to the step's output and a "sample" record to the journal, and
 * ends the step with run_step_end() (PASS, or FAIL with the reason). It returns TRUE when it
 * took over (or is still at it), FALSE once the check has decided (let the step end).
 * check_free() cancels what is in flight; no callback touches the run afterwards.
 */
struct check *check_new(struct run *run);
void check_begin(struct check *check, void (*ready)(struct run *run));
gboolean check_end(struct check *check, int exit_status, const char *reason);
void check_free(struct check *check);

/* delta: ">= 1", "== 0", "> 10", "< 5", "<= 2", "!= 0"; a plain "N" means ">= N". */
enum check_op { CHECK_GE, CHECK_GT, CHECK_LE, CHECK_LT, CHECK_EQ, CHECK_NE };
gboolean check_parse_delta(const char *text, enum check_op *op, guint64 *value);

/*
 * Evaluates check: { interrupts } on a diff (pure: the engine and the tests call it). irq is
 * the expanded pattern. report gets the table of what moved among the matched IRQs (or says
 * nothing moved). *ok tells the result; on failure *reason says why, e.g. "interrupt
 * virtio6-virtqueues moved on CPU 0 (+3), expected only CPU 3". FALSE with error when the
 * check cannot be evaluated (bad pattern or delta).
 */
gboolean check_interrupts_eval(const struct suite_check_interrupts *spec, const char *irq, const char *machine,
			       const struct irq_diff *diff, GString *report, gboolean *ok, char **reason,
			       GError **error);

#endif
