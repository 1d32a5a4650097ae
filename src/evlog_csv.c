/* evlog_csv.c - generic CSV event logs with a caller-given column mapping (struct evlog_csv_map). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "evlog_fmt.h"

#define CSV_MAX_COLS 64

struct csv_state {
	struct evlog_csv_map map;
	GHashTable *keys; /* track name -> key + 1 */
	gboolean seen_line;
};

struct field {
	const char *s;
	gsize n;
};

static gboolean csv_check(const struct evlog_options *o, GError **error)
{
	const struct evlog_csv_map *m = &o->csv;
	gboolean by_state = m->time_col >= 0 && m->state_col >= 0;
	gboolean by_span = m->begin_col >= 0 && m->end_col >= 0;
	const char *why = NULL;

	if (m->track_col < 0)
		why = "no track column";
	else if (!by_state && !by_span)
		why = "give either time and state columns or begin and end columns";
	else if (MAX(MAX(m->track_col, m->time_col), MAX(MAX(m->state_col, m->begin_col),
							  MAX(m->end_col, m->aux_col))) >= CSV_MAX_COLS)
		why = "a column number is 64 or more";
	else if (!(m->time_unit_ns > 0) || !isfinite(m->time_unit_ns))
		why = "the time unit must be a positive number of nanoseconds";
	else if (m->sep == '\n' || m->sep == '\0')
		why = "the separator cannot be a newline or NUL";
	if (why) {
		g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_OPTIONS, "CSV column mapping: %s", why);
		return FALSE;
	}
	return TRUE;
}

static void *csv_state_new(const struct evlog_options *o)
{
	struct csv_state *st = g_new0(struct csv_state, 1);

	st->map = o->csv;
	st->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return st;
}

static void csv_state_free(void *state)
{
	struct csv_state *st = state;

	g_hash_table_destroy(st->keys);
	g_free(st);
}

static int csv_probe(const char *data, gsize len)
{
	return 0; /* a CSV log is always named, with its mapping */
}

static struct field trim(const char *s, gsize n)
{
	struct field f;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	f.s = s;
	f.n = n;
	return f;
}

static gboolean parse_time(const struct csv_state *st, struct field f, gint64 *ns)
{
	char buf[64];
	char *endp;
	double v;
	const char *p = f.s;

	if (f.n == 0 || f.n >= sizeof(buf))
		return FALSE;
	if (st->map.time_unit_ns == 1e9 && evlog_parse_seconds(&p, f.s + f.n, ns) && p == f.s + f.n)
		return TRUE;
	memcpy(buf, f.s, f.n);
	buf[f.n] = '\0';
	v = g_ascii_strtod(buf, &endp);
	if (endp != buf + f.n || !isfinite(v))
		return FALSE;
	v *= st->map.time_unit_ns;
	if (!(v > -4e18 && v < 4e18))
		return FALSE;
	*ns = (gint64)v;
	return TRUE;
}

static gboolean same(struct field f, const char *s)
{
	return strlen(s) == f.n && g_ascii_strncasecmp(f.s, s, f.n) == 0;
}

static guint track_of(struct evlog *log, struct csv_state *st, struct field f)
{
	g_autofree char *name = g_strndup(f.s, f.n);
	gpointer v = g_hash_table_lookup(st->keys, name);
	guint32 key;

	if (v) {
		key = GPOINTER_TO_UINT(v) - 1;
	} else {
		key = g_hash_table_size(st->keys);
		g_hash_table_insert(st->keys, g_strdup(name), GUINT_TO_POINTER(key + 1));
	}
	return evlog_track_ref(log, EVLOG_TRACK_CSV, key, name);
}

static gboolean csv_parse_line(struct evlog *log, void *state, const char *line, gsize len,
			       guint64 line_no, const char **why)
{
	struct csv_state *st = state;
	const struct evlog_csv_map *m = &st->map;
	struct field fields[CSV_MAX_COLS];
	const char *p = line, *end = line + len;
	guint n = 0;
	gboolean first = !st->seen_line;
	guint32 aux = 0;
	guint tr;

	st->seen_line = TRUE;
	while (n < CSV_MAX_COLS) {
		const char *sep = memchr(p, m->sep, (gsize)(end - p));
		const char *fe = sep ? sep : end;
		fields[n++] = trim(p, (gsize)(fe - p));
		if (!sep)
			break;
		p = sep + 1;
	}
#define COL(c) ((c) >= 0 && (guint)(c) < n)
	if (!COL(m->track_col) || fields[m->track_col].n == 0) {
		*why = "no track name in its column";
		return FALSE;
	}
	if (COL(m->aux_col)) {
		const char *q = fields[m->aux_col].s;
		guint64 v;
		if (evlog_parse_u64(&q, q + fields[m->aux_col].n, &v) && v <= G_MAXUINT32)
			aux = (guint32)v;
	}
	if (m->time_col >= 0 && m->state_col >= 0) {
		gint64 t;
		struct field sf;
		if (!COL(m->time_col) || !COL(m->state_col)) {
			*why = "fewer columns than the mapping needs";
			return FALSE;
		}
		if (!parse_time(st, fields[m->time_col], &t)) {
			if (first)
				return TRUE; /* a header line */
			*why = "time is not a number";
			return FALSE;
		}
		sf = fields[m->state_col];
		if (same(sf, m->begin_value)) {
			tr = track_of(log, st, fields[m->track_col]);
			evlog_emit_begin(log, tr, t, aux, line_no);
		} else if (same(sf, m->end_value)) {
			tr = track_of(log, st, fields[m->track_col]);
			evlog_emit_end(log, tr, t, line_no);
		} else {
			*why = "state is neither the begin nor the end value";
			return FALSE;
		}
		return TRUE;
	}
	{
		gint64 b, e;
		if (!COL(m->begin_col) || !COL(m->end_col)) {
			*why = "fewer columns than the mapping needs";
			return FALSE;
		}
		if (!parse_time(st, fields[m->begin_col], &b) || !parse_time(st, fields[m->end_col], &e)) {
			if (first)
				return TRUE;
			*why = "begin or end time is not a number";
			return FALSE;
		}
		tr = track_of(log, st, fields[m->track_col]);
		evlog_emit_span(log, tr, b, e, aux, line_no);
	}
#undef COL
	return TRUE;
}

const struct evlog_format evlog_format_csv = {
	.name = "csv",
	.probe = csv_probe,
	.check = csv_check,
	.state_new = csv_state_new,
	.state_free = csv_state_free,
	.parse_line = csv_parse_line,
};
