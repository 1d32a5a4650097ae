/* irqmon.h - samples a machine's /proc/interrupts (a local file or a guest's, through its agent). */
#ifndef VIRTCON_IRQMON_H
#define VIRTCON_IRQMON_H

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>

#include "irq.h"

#define IRQMON_MAX_BYTES (16u << 20) /* a /proc/interrupts larger than this is refused */
#define IRQMON_AGENT_WAIT_MS 20000   /* for a guest agent not connected yet (after a start, a migration) */

/* One sample: the parsed table and when it was taken (g_get_monotonic_time()). */
struct irqmon_sample {
	struct irq_table *table;
	gint64 mono_us;
	GBytes *raw; /* the bytes it was parsed from */
};
void irqmon_sample_free(struct irqmon_sample *sample);
/* Seconds between two samples (> 0), for irq_diff(). */
double irqmon_interval_s(const struct irqmon_sample *before, const struct irqmon_sample *after);

struct irqmon;
struct suite_machine;

/* A local file (NULL: /proc/interrupts): read on a worker. Every sample of a monitor is parsed
 * into the table of the one before the previous (the tables are reused). */
struct irqmon *irqmon_new_local(const char *path);
/* A guest's /proc/interrupts through qemu-guest-agent on conn (referenced while the monitor
 * lives); domain is the libvirt domain name. No network needed in the guest. */
struct irqmon *irqmon_new_agent(virConnectPtr conn, const char *domain);
/* A machine's over SSH (`cat /proc/interrupts`, no pty) on a connection of the monitor's own,
 * made from options (copied); the connection lives on the thread-default main loop. machine
 * names it in messages. */
struct ssh_options;
struct irqmon *irqmon_new_ssh(const struct ssh_options *options, const char *machine);
/* A guest's through its serial console: IRQMON_CONSOLE_COMMAND typed into the shell there (one
 * must be logged in), on a console stream of the monitor's own, opened at the first sample (conn
 * referenced). machine names it in messages. */
struct irqmon *irqmon_new_console(virConnectPtr conn, const char *domain, const char *machine);
/*
 * Typing it into a console: the command (^U clears a half-typed line; the quotes keep the
 * markers in the echo of the command line from matching), the pattern of its answer in the
 * text the console shows (group 1: the file), and how long to wait for it.
 */
#define IRQMON_CONSOLE_COMMAND "\025echo VCIRQ''BEGIN; cat /proc/interrupts; echo VCIRQ''END\n"
#define IRQMON_CONSOLE_PATTERN "(?ms)^VCIRQBEGIN\n(.*?)^VCIRQEND$"
#define IRQMON_CONSOLE_TIMEOUT_S 30
const GRegex *irqmon_console_regex(void);
/* The sample in matched (a whole match of that pattern, escapes stripped), parsed into reuse
 * (taken; NULL: a new table); NULL and an error when the table does not parse. */
struct irqmon_sample *irqmon_console_sample(const char *matched, struct irq_table *reuse, GError **error);
/*
 * The monitor of a suite machine, the first way that applies: local machines read the file,
 * agent machines (agent: true, with a domain, expanded by the caller) use conn, SSH machines
 * their ssh:, identity:, password: and known-hosts: expanded with vars (files relative to
 * base_dir, the suite's directory: sshtarget.h), machines with only a domain type into its
 * console (conn, domain). NULL and an error naming the machine when what the way needs is
 * missing or does not resolve.
 */
struct vars;
struct irqmon *irqmon_new_for_machine(const struct suite_machine *machine, const char *domain, virConnectPtr conn,
				      struct vars *vars, const char *base_dir, GError **error);
/* Frees it; a sample in flight is cancelled (its callback still comes, with G_IO_ERROR_CANCELLED). */
void irqmon_free(struct irqmon *mon);
/* "vm1 (agent)" / "/proc/interrupts": for messages. */
const char *irqmon_describe(const struct irqmon *mon);

/* One sample, taken on a worker; the callback comes on the caller's thread-default context. */
void irqmon_sample_async(struct irqmon *mon, GCancellable *cancellable, GAsyncReadyCallback callback,
			 gpointer user_data);
struct irqmon_sample *irqmon_sample_finish(GAsyncResult *result, GError **error);
/* The same, blocking (for the command line and tests). */
struct irqmon_sample *irqmon_sample_now(struct irqmon *mon, GError **error);

/*
 * Sampling every interval_ms (the first at once): fn gets each sample with the previous one
 * and their diff (prev and diff NULL for the first), or an error (then sampling goes on).
 * Samples never overlap: a slow source is sampled less often. Stops with irqmon_unwatch() or
 * irqmon_free(); fn is never called after either.
 */
typedef void (*irqmon_fn)(struct irqmon *mon, const struct irqmon_sample *prev, const struct irqmon_sample *cur,
			  const struct irq_diff *diff, const GError *error, void *user_data);
void irqmon_watch(struct irqmon *mon, guint interval_ms, irqmon_fn fn, void *user_data);
void irqmon_unwatch(struct irqmon *mon);

/* A row is selected by re (NULL: all) when re matches its name, or matches its whole id. */
gboolean irqmon_row_matches(const struct irq_row *row, const GRegex *re);
/*
 * What moved, one line per IRQ with a non-zero delta among the selected rows:
 *   "  45 virtio6-virtqueues  CPU0 +3 CPU3 +1" (with rates: "CPU0 +3 (1.5/s)").
 * Appends nothing when nothing moved; returns the number of lines appended.
 */
guint irqmon_format_moved(const struct irq_diff *diff, const GRegex *re, gboolean rates, GString *out);
/* The same as a JSON object text: {"interval_s":N,"moved":[{"irq":"45","name":"...",
 * "total":4,"cpus":{"0":3,"3":1}}...],"resets":N}. */
char *irqmon_diff_json(const struct irq_diff *diff, const GRegex *re);
/* The members of that object, added to an object b has open. */
void irqmon_diff_build(const struct irq_diff *diff, const GRegex *re, JsonBuilder *b);
/* The text of b's finished root. */
char *irqmon_builder_text(JsonBuilder *b);

#endif
