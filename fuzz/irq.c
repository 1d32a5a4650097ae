/* irq.c - libFuzzer target: bytes -> two /proc/interrupts samples -> parse, diff, look-ups -> free. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "irq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
