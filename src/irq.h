/* irq.h - /proc/interrupts parser: per-CPU counters per IRQ, and diffs between two samples. */
#ifndef VIRTCON_IRQ_H
#define VIRTCON_IRQ_H

#include <glib.h>

#define IRQ_ERROR (irq_error_quark())
GQuark irq_error_quark(void);
enum irq_error_code {
	IRQ_ERROR_NO_HEADER, /* the first non-empty line is not "CPU0 CPU1 ..." */
	IRQ_ERROR_TOO_BIG,   /* more than IRQ_MAX_SAMPLE bytes */
};

#define IRQ_MAX_CPUS 8192     /* columns accepted in the header */
#define IRQ_MAX_ID_LEN 31     /* longest IRQ id ("LOC", "12345", "IPI0") */
#define IRQ_BAD_LINES_KEPT 8  /* line numbers of the first bad rows are kept */
#define IRQ_MAX_SAMPLE (256u << 20) /* bytes accepted in one sample */
#define IRQ_SPLIT_MIN (1u << 20)    /* a sample this big parses its second half on another thread */

/*
 * One row of /proc/interrupts. The counts are the first numeric tokens after "ID:" (at most
 * n_cpus of them); everything after them is free text, split heuristically (see irq.c) into
 * chip, hwirq, trigger and name. Strings are never NULL ("" when absent) and belong to the
 * table. For a row with fewer counts than CPU columns (x86 "ERR:  0", "MIS:  0") the counts
 * are not per CPU: per_cpu is FALSE and counts[0..n_counts) are global values.
 *
 *   "  0:  31 0 0 0  IO-APIC   2-edge      timer"  -> chip IO-APIC hwirq 2 trigger edge name timer
 *   "  0:  31 0 0 0  IO-APIC-edge      timer"      -> chip IO-APIC trigger edge name timer
 *   " 27:  9 9  GICv3  27 Level     arch_timer"     -> chip GICv3 hwirq 27 trigger Level
 *   "LOC:  5 6  Local timer interrupts"             -> name "Local timer interrupts"
 */
struct irq_row {
	const char *id;      /* "0", "LOC", "IPI0" */
	const guint64 *counts;
	guint n_counts;
	gboolean per_cpu;    /* n_counts == table n_cpus: counts[i] belongs to cpu_ids[i] */
	const char *chip;    /* "IO-APIC", "IR-PCI-MSI", "GICv3", "ITS-MSI", "" */
	const char *hwirq;   /* "2", "327680", "" */
	const char *trigger; /* "edge", "fasteoi", "Level", "Edge", "" */
	const char *name;    /* "timer", "uhci_hcd:usb1, virtio2", "Rescheduling interrupts", "" */
	const char *text;    /* the whole free text after the counts, trimmed */
	guint line;          /* 1-based line in the sample */
};

struct irq_bad_line {
	guint line;
	const char *reason; /* static string: "no ':' after the IRQ id", ... */
};

struct irq_table {
	guint n_cpus;
	guint *cpu_ids;      /* the N of each "CPUN" column, strictly increasing */
	guint n_rows;
	struct irq_row *rows;
	guint n_bad;         /* rows skipped as unparseable */
	guint n_bad_kept;    /* <= IRQ_BAD_LINES_KEPT */
	struct irq_bad_line bad[IRQ_BAD_LINES_KEPT];
	/* private storage, a counts array and a string arena (and the same in half_ for the rows
	 * of a big sample's second half), kept and reused by irq_parse_into() */
	guint64 *counts_;
	gsize counts_cap_;
	char *arena_;
	gsize arena_len_, arena_cap_;
	void *build_;
	guint build_len_, build_cap_, rows_cap_, cpus_cap_;
	struct irq_table *half_; /* scratch for the half of a big sample parsed on another thread */
};

/*
 * Parses one sample (the bytes of /proc/interrupts, need not be NUL-terminated). Bad rows are
 * skipped and counted in n_bad (their line numbers kept in bad[]); only a missing or unusable
 * header is an error. Never crashes on garbage; memory is linear in len.
 */
struct irq_table *irq_parse(const char *data, gsize len, GError **error);
/*
 * The same into an existing table (from irq_parse() or irq_table_new()), reusing its memory: a
 * monitor that samples every second allocates nothing once the sizes settle. Pointers into the
 * table's previous contents become invalid. On error the table is left empty (no CPUs, no rows)
 * and FALSE is returned.
 */
gboolean irq_parse_into(struct irq_table *table, const char *data, gsize len, GError **error);
struct irq_table *irq_table_new(void);
void irq_table_free(struct irq_table *table);

/*
 * Whether rows in the kernel's fixed layout are read with the CPU's vector instructions (AVX2
 * on x86-64, chosen at run time); the portable path gives the same tables. For the tests and
 * the benchmark: irq_set_vector(FALSE) forces the portable path, returns the previous setting.
 */
gboolean irq_vector_available(void);
gboolean irq_set_vector(gboolean on);
/* Whether a sample of IRQ_SPLIT_MIN bytes or more is parsed on two threads (the same table);
 * irq_set_threads(FALSE) parses on the caller's only. Returns the previous setting. */
gboolean irq_set_threads(gboolean on);

/* Row index of IRQ id, or -1. O(n_rows). */
int irq_table_find(const struct irq_table *table, const char *id);
/* Column index of CPU number cpu, or -1. O(log n_cpus). */
int irq_table_cpu_column(const struct irq_table *table, guint cpu);
/* Sum of the row's counts. */
guint64 irq_row_total(const struct irq_row *row);

/* What is known about one cell of a diff. */
enum irq_cell_flags {
	IRQ_CELL_NEW = 1 << 0,   /* no before value (new IRQ row or CPU column): delta is 0 */
	IRQ_CELL_RESET = 1 << 1, /* after < before: counter restarted; delta is the after value */
	IRQ_CELL_WRAP = 1 << 2,  /* after < before and before near 2^32: delta assumes a 32-bit wrap */
};

struct irq_diff_row {
	guint after_row;  /* index into after->rows */
	int before_row;   /* index into before->rows, -1 when the IRQ is new */
	guint n_cells;    /* == the after row's n_counts */
	guint64 *deltas;  /* per cell, in the after row's column order (after->cpu_ids when per_cpu) */
	guint8 *flags;    /* per cell, enum irq_cell_flags */
	guint64 total;    /* sum of deltas */
};

struct irq_diff {
	const struct irq_table *before, *after; /* borrowed: keep both alive while using the diff */
	double interval_s;   /* as given; <= 0 means unknown (rates are 0) */
	guint n_rows;
	struct irq_diff_row *rows; /* one per after row, same order */
	guint n_removed;     /* before rows whose id is absent from after */
	guint *removed;      /* their indices in before->rows */
	guint n_resets;      /* cells flagged RESET or WRAP */
	guint n_new_cpus;    /* after CPU columns absent before (hot-plug) */
	guint n_gone_cpus;   /* before CPU columns absent after (hot-unplug) */
	/* private: one array of deltas and one of flags for all rows, and scratch, kept and reused
	 * by irq_diff_into() */
	guint64 *deltas_;
	guint8 *flags_;
	gsize cells_cap_;
	guint rows_cap_, removed_cap_;
	guint8 *used_;
	guint used_cap_;
	int *col_map_;
	guint col_map_cap_;
};

/*
 * Per IRQ (matched by id) per CPU (matched by CPU number) deltas from before to after.
 * Rows with per_cpu FALSE are matched cell by cell by position. interval_s is the time between
 * the samples, used by irq_diff_rate().
 */
struct irq_diff *irq_diff(const struct irq_table *before, const struct irq_table *after,
			  double interval_s);
/* The same into an existing diff (from irq_diff()), reusing its memory. */
void irq_diff_into(struct irq_diff *diff, const struct irq_table *before, const struct irq_table *after,
		   double interval_s);
void irq_diff_free(struct irq_diff *diff);
/* Interrupts per second in cell col of diff row r (0 when the interval is unknown). */
double irq_diff_rate(const struct irq_diff *diff, guint r, guint col);
/* Delta of IRQ id on CPU cpu; FALSE when either is absent from the after sample. */
gboolean irq_diff_get(const struct irq_diff *diff, const char *id, guint cpu, guint64 *delta,
		      guint8 *flags);

#endif
