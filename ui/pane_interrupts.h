/* pane_interrupts.h - the interrupts pane: per-IRQ per-CPU deltas since the step started, and rates. */
#ifndef VIRTCON_UI_PANE_INTERRUPTS_H
#define VIRTCON_UI_PANE_INTERRUPTS_H

#include "pane.h"

extern const struct pane_ops pane_interrupts_ops;

/*
 * The front end samples the machine (irqmon_watch) and gives each whole /proc/interrupts
 * sample to the pane: pane_feed() takes one whole sample per call, timed on arrival;
 * pane_interrupts_sample() says when it was taken. pane_clear() (a step starts) makes the
 * latest sample the base the deltas are counted from.
 */
void pane_interrupts_sample(struct pane *pane, const char *data, gsize len, gint64 mono_us);
/*
 * The pane samples mon itself (and frees it with the pane) every interval_ms; changed(user_data)
 * is called after each sample so the front end redraws. The front end makes mon for the pane's
 * machine: irqmon_new_for_machine() (a local machine, or an agent machine on its connection).
 */
struct irqmon;
void pane_interrupts_watch(struct pane *pane, struct irqmon *mon, guint interval_ms, void (*changed)(void *user_data),
			   void *user_data);
/* The sampling failed: the message is shown until the next sample. */
void pane_interrupts_error(struct pane *pane, const char *message);
/* Only IRQs whose name (or whole number) matches (the suite's "match:"); NULL: all. FALSE
 * with error for a bad pattern (then all are shown and the error too). */
gboolean pane_interrupts_set_match(struct pane *pane, const char *regex, GError **error);
/*
 * The table as drawn, as text (for tests and for copying): a header line, then one line per
 * IRQ: "  52 virtio6-virtqueues   CPU deltas... total rate", changed cells marked with '*'
 * after the number.
 */
void pane_interrupts_text(struct pane *pane, GString *out);

#endif
