/* evlog.c - libFuzzer target: bytes -> an event log (any format, fed in pieces) -> index, queries, summary -> free. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "evlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Byte 0 picks the format and options, byte 1 the size of the pieces the rest is appended in
 * (so partial lines are exercised); then queries over the log's time range and a summary.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { NULL, "rk", "trace-cmd", "csv" };
	struct evlog_options o;
	struct evlog *log;
	const struct evlog_stats *st;
	struct evlog_cell cells[64];
	gsize piece, off;
	guint8 mode;

	if (size < 2)
		return 0;
	mode = data[0];
	piece = 1 + data[1] * 37u;
	data += 2;
	size -= 2;
	evlog_options_init(&o);
	o.format = formats[mode & 3];
	o.rk_keep_all = (mode >> 2) & 1;
	if ((mode >> 3) & 1) {
		o.csv.time_col = o.csv.state_col = -1;
		o.csv.begin_col = 1;
		o.csv.end_col = 2;
		o.csv.aux_col = 3;
		o.csv.sep = ';';
		o.csv.time_unit_ns = 1e3;
	}
	log = evlog_new(&o, NULL);
	if (!log)
		return 0;
	for (off = 0; off < size; off += piece)
		if (!evlog_append(log, (const char *)data + off, MIN(piece, size - off), NULL))
			goto out;
	if (!evlog_flush(log, NULL))
		goto out;
	st = evlog_get_stats(log);
	for (guint t = 0; t < evlog_n_tracks(log); t++) {
		struct evlog_track_info info;
		struct evlog_span prev = { G_MININT64, G_MININT64, 0 }, sp;
		gint64 t0 = st->t_min, t1 = st->t_max;

		if (!evlog_track_get_info(log, t, &info))
			__builtin_trap();
		if (t1 <= t0) {
			t0 = 0;
			t1 = 1000;
		}
		if (evlog_query(log, t, t0, t1, 1 + (guint)(mode % 64), cells)) {
			for (guint c = 0; c < 1 + (guint)(mode % 64); c++)
				if (!(cells[c].coverage >= 0.0f && cells[c].coverage <= 1.0f))
					__builtin_trap();
		}
		evlog_query(log, t, t0 - 7, t0 + 3, 64, cells);
		for (gsize i = 0; i < info.n_spans && i < 1000; i++) {
			if (!evlog_get_span(log, t, i, &sp) || sp.end < sp.start || sp.start < prev.start)
				__builtin_trap();
			prev = sp;
		}
	}
	{
		struct evlog_task_param params[2] = { { 1, 1000, 1 }, { 2, 3, 2 } };
		struct evlog_summary_options so = { (mode & 16) ? 0 : -1, params, 2 };
		struct evlog_summary *s = evlog_summary(log, &so);
		evlog_summary_free(s);
	}
	for (guint i = 0; i < evlog_n_issues(log); i++)
		if (!evlog_get_issue(log, i)->reason)
			__builtin_trap();
out:
	evlog_free(log);
	return 0;
}
