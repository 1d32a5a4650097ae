/* irq.c - libFuzzer target: bytes -> two /proc/interrupts samples -> parse (vector and portable paths, new and
 * reused tables, which must agree), diff, look-ups -> free. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "irq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Traps unless a and b (both may be NULL) hold the same rows. */
static void same_tables(const struct irq_table *a, const struct irq_table *b)
{
	if (!a || !b) {
		if (a != b && (a ? a->n_cpus : b->n_cpus) != 0)
			__builtin_trap();
		return;
	}
	if (a->n_rows != b->n_rows || a->n_cpus != b->n_cpus || a->n_bad != b->n_bad)
		__builtin_trap();
	for (guint r = 0; r < a->n_rows; r++) {
		const struct irq_row *x = &a->rows[r], *y = &b->rows[r];
		if (x->n_counts != y->n_counts || x->line != y->line || strcmp(x->id, y->id) != 0 ||
		    memcmp(x->counts, y->counts, x->n_counts * sizeof(guint64)) != 0 ||
		    strcmp(x->text, y->text) != 0 || strcmp(x->name, y->name) != 0 ||
		    strcmp(x->chip, y->chip) != 0 || strcmp(x->hwirq, y->hwirq) != 0 ||
		    strcmp(x->trigger, y->trigger) != 0)
			__builtin_trap();
	}
}

/* The input is "BEFORE\x01AFTER" (or one sample diffed with itself). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *sep = memchr(s, '\001', size);
	gsize la = sep ? (gsize)(sep - s) : size;
	const char *b = sep ? sep + 1 : s;
	gsize lb = sep ? size - la - 1 : size;
	struct irq_table *ta = irq_parse(s, la, NULL);
	struct irq_table *tb = irq_parse(b, lb, NULL);
	struct irq_table *reused = irq_table_new();
	gboolean was = irq_set_vector(FALSE);

	/* the portable path into one reused table gives what the default path gave */
	if (irq_parse_into(reused, s, la, NULL))
		same_tables(ta, reused);
	else if (ta)
		__builtin_trap();
	if (irq_parse_into(reused, b, lb, NULL))
		same_tables(tb, reused);
	else if (tb)
		__builtin_trap();
	irq_set_vector(was);
	irq_table_free(reused);

	if (ta && tb) {
		struct irq_diff *d = irq_diff(ta, tb, 1.5);
		guint64 sum = 0, delta;
		guint8 flags;

		for (guint r = 0; r < d->n_rows; r++) {
			const struct irq_row *row = &tb->rows[d->rows[r].after_row];
			sum += d->rows[r].total + irq_row_total(row);
			for (guint c = 0; c < d->rows[r].n_cells; c++)
				sum += (guint64)irq_diff_rate(d, r, c);
			if (irq_diff_get(d, row->id, row->per_cpu && tb->n_cpus ? tb->cpu_ids[0] : 0,
					 &delta, &flags))
				sum += delta + flags;
			sum += strlen(row->name) + strlen(row->chip) + strlen(row->hwirq) +
			       strlen(row->trigger) + strlen(row->text);
			if (irq_table_find(tb, row->id) < 0)
				__builtin_trap();
		}
		for (guint r = 0; r < d->n_removed; r++)
			if (irq_table_find(tb, ta->rows[d->removed[r]].id) >= 0)
				__builtin_trap();
		for (guint c = 0; c < tb->n_cpus; c++)
			if (irq_table_cpu_column(tb, tb->cpu_ids[c]) != (int)c)
				__builtin_trap();
		(void)sum;
		irq_diff_free(d);
	}
	irq_table_free(ta);
	irq_table_free(tb);
	return 0;
}
