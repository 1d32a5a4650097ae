/* evlog.c - event logs as per-track span arrays, a time index for timelines, and summaries. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evlog_fmt.h"

/*
 * Storage. A track keeps its closed spans as three parallel arrays: start (int64 ns), aux
 * (uint32) and cum, the prefix sums of durations (cum[i] = sum of the durations of spans
 * 0..i-1, so a span's duration is cum[i+1] - cum[i]): 20 bytes per span, i.e. about 10 bytes
 * per begin/end event. Spans are appended in file order; when one starts before the previous
 * one the track is marked unsorted and sorted again (by start, durations carried along) before
 * the next query.
 *
 * Index. Coverage of a cell [a, b) is cum[j] - cum[i] minus the parts of the first and last
 * span outside the cell, where i and j come from two binary searches on start: O(log n) per
 * cell whatever the number of spans in it. The aux range (e.g. on which physical CPUs a vCPU
 * ran during the cell) comes from a min/max pyramid: level 0 summarises blocks of 8 spans,
 * level k blocks of 8 * 2^k; a range query reads at most 7 spans at each end and two entries
 * per level. The pyramid costs 2 bytes per span and is extended lazily as spans are appended.
 */

#define PYR_SHIFT 3
#define PYR_LEVELS 48
#define ISSUES_MAX (3 * EVLOG_ISSUES_KEPT)

G_DEFINE_QUARK(evlog-error-quark, evlog_error)

struct mm {
	guint32 min, max;
};

struct track {
	enum evlog_track_kind kind;
	guint32 key;
	char *name;
	gint64 *start;
	guint32 *aux;
	guint64 *cum; /* n + 1 entries; unsigned: wraps rather than overflows on absurd input */
	gsize n, cap;
	gboolean open, ever, unsorted;
	gint64 open_start;
	guint32 open_aux;
	guint8 user;
	struct mm *lvl[PYR_LEVELS];
	gsize lvl_n[PYR_LEVELS], lvl_cap[PYR_LEVELS];
};

struct evlog {
	const struct evlog_format *fmt;
	void *fmt_state;
	struct evlog_options options;
	char *csv_begin, *csv_end; /* owned copies for options.csv */
	struct track *tracks;
	guint n_tracks, cap_tracks;
	/* open addressing: (kind << 32 | key) -> track index + 1 */
	guint64 *hkeys;
	guint32 *hvals;
	guint hbits;
	GByteArray *pending;
	gboolean skipping; /* inside a line longer than EVLOG_MAX_LINE */
	gint64 t_last;
	struct evlog_stats stats;
	struct evlog_issue issues[ISSUES_MAX];
	guint n_issues;
	guint issues_per_kind[3];
};

static const struct evlog_format *const formats[] = { &evlog_format_rk, &evlog_format_trace_cmd,
						      &evlog_format_csv };

const char *evlog_track_kind_name(enum evlog_track_kind kind)
{
	static const char *const names[] = { "vcpu", "task", "cs", "thread", "runnable", "csv" };
	return (guint)kind < G_N_ELEMENTS(names) ? names[kind] : "?";
}

void evlog_options_init(struct evlog_options *o)
{
	memset(o, 0, sizeof(*o));
	o->csv.sep = ',';
	o->csv.track_col = 0;
	o->csv.time_col = 1;
	o->csv.state_col = 2;
	o->csv.begin_col = -1;
	o->csv.end_col = -1;
	o->csv.aux_col = -1;
	o->csv.begin_value = "begin";
	o->csv.end_value = "end";
	o->csv.time_unit_ns = 1e9;
}

static const struct evlog_format *format_by_name(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
		if (strcmp(formats[i]->name, name) == 0)
			return formats[i];
	return NULL;
}

static gboolean set_format(struct evlog *log, const struct evlog_format *fmt, GError **error)
{
	if (fmt->check && !fmt->check(&log->options, error))
		return FALSE;
	log->fmt = fmt;
	log->fmt_state = fmt->state_new ? fmt->state_new(&log->options) : NULL;
	return TRUE;
}

struct evlog *evlog_new(const struct evlog_options *options, GError **error)
{
	struct evlog *log = g_new0(struct evlog, 1);

	if (options)
		log->options = *options;
	else
		evlog_options_init(&log->options);
	log->csv_begin = g_strdup(log->options.csv.begin_value ? log->options.csv.begin_value : "begin");
	log->csv_end = g_strdup(log->options.csv.end_value ? log->options.csv.end_value : "end");
	log->options.csv.begin_value = log->csv_begin;
	log->options.csv.end_value = log->csv_end;
	log->options.format = NULL;
	log->hbits = 6;
	log->hkeys = g_new0(guint64, 1u << log->hbits);
	log->hvals = g_new0(guint32, 1u << log->hbits);
	log->pending = g_byte_array_new();
	log->t_last = G_MININT64;
	log->stats.t_min = G_MAXINT64;
	log->stats.t_max = G_MININT64;
	log->stats.t_origin = -1;
	if (options && options->format) {
		const struct evlog_format *fmt = format_by_name(options->format);
		if (!fmt) {
			g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_FORMAT,
				    "unknown event-log format '%s' (known: rk, trace-cmd, csv)",
				    options->format);
			evlog_free(log);
			return NULL;
		}
		if (!set_format(log, fmt, error)) {
			evlog_free(log);
			return NULL;
		}
	}
	return log;
}

void evlog_free(struct evlog *log)
{
	if (!log)
		return;
	for (guint i = 0; i < log->n_tracks; i++) {
		struct track *t = &log->tracks[i];
		g_free(t->name);
		g_free(t->start);
		g_free(t->aux);
		g_free(t->cum);
		for (int l = 0; l < PYR_LEVELS; l++)
			g_free(t->lvl[l]);
	}
	if (log->fmt && log->fmt->state_free)
		log->fmt->state_free(log->fmt_state);
	g_free(log->tracks);
	g_free(log->hkeys);
	g_free(log->hvals);
	g_byte_array_free(log->pending, TRUE);
	g_free(log->csv_begin);
	g_free(log->csv_end);
	g_free(log);
}

const char *evlog_format_name(const struct evlog *log)
{
	return log->fmt ? log->fmt->name : NULL;
}

static void issue(struct evlog *log, enum evlog_issue_kind kind, guint64 line, const char *reason)
{
	if (log->issues_per_kind[kind] >= EVLOG_ISSUES_KEPT || log->n_issues >= ISSUES_MAX)
		return;
	log->issues_per_kind[kind]++;
	log->issues[log->n_issues].kind = kind;
	log->issues[log->n_issues].line = line;
	log->issues[log->n_issues].reason = reason;
	log->n_issues++;
}

guint evlog_n_issues(const struct evlog *log)
{
	return log->n_issues;
}

const struct evlog_issue *evlog_get_issue(const struct evlog *log, guint i)
{
	return i < log->n_issues ? &log->issues[i] : NULL;
}

/* ---- tracks ---- */

static inline guint hslot(guint64 k, guint bits)
{
	return (guint)((k * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static void hash_grow(struct evlog *log)
{
	guint bits = log->hbits + 1, mask = (1u << bits) - 1;
	guint64 *keys = g_new0(guint64, 1u << bits);
	guint32 *vals = g_new0(guint32, 1u << bits);

	for (guint i = 0; i < (1u << log->hbits); i++) {
		guint s;
		if (!log->hvals[i])
			continue;
		for (s = hslot(log->hkeys[i], bits); vals[s]; s = (s + 1) & mask)
			;
		keys[s] = log->hkeys[i];
		vals[s] = log->hvals[i];
	}
	g_free(log->hkeys);
	g_free(log->hvals);
	log->hkeys = keys;
	log->hvals = vals;
	log->hbits = bits;
}

static int track_lookup(const struct evlog *log, guint64 k)
{
	guint mask = (1u << log->hbits) - 1;

	for (guint s = hslot(k, log->hbits); log->hvals[s]; s = (s + 1) & mask)
		if (log->hkeys[s] == k)
			return (int)log->hvals[s] - 1;
	return -1;
}

guint evlog_track_ref(struct evlog *log, enum evlog_track_kind kind, guint32 key, const char *name)
{
	guint64 k = (guint64)kind << 32 | key;
	int found = track_lookup(log, k);
	struct track *t;
	guint mask, s;

	if (G_LIKELY(found >= 0))
		return (guint)found;
	if ((log->n_tracks + 1) * 2 > (1u << log->hbits))
		hash_grow(log);
	if (log->n_tracks == log->cap_tracks) {
		log->cap_tracks = log->cap_tracks ? log->cap_tracks * 2 : 16;
		log->tracks = g_renew(struct track, log->tracks, log->cap_tracks);
	}
	t = &log->tracks[log->n_tracks];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->key = key;
	t->name = name ? g_strdup(name) : g_strdup_printf("%s %u", evlog_track_kind_name(kind), key);
	t->cum = g_new0(guint64, 1);
	mask = (1u << log->hbits) - 1;
	for (s = hslot(k, log->hbits); log->hvals[s]; s = (s + 1) & mask)
		;
	log->hkeys[s] = k;
	log->hvals[s] = log->n_tracks + 1;
	return log->n_tracks++;
}

guint8 *evlog_track_user(struct evlog *log, guint track)
{
	return &log->tracks[track].user;
}

guint evlog_n_tracks(const struct evlog *log)
{
	return log->n_tracks;
}

int evlog_find_track(const struct evlog *log, enum evlog_track_kind kind, guint32 key)
{
	return track_lookup(log, (guint64)kind << 32 | key);
}

gboolean evlog_track_get_info(const struct evlog *log, guint track, struct evlog_track_info *info)
{
	const struct track *t;

	if (track >= log->n_tracks)
		return FALSE;
	t = &log->tracks[track];
	info->kind = t->kind;
	info->key = t->key;
	info->name = t->name;
	info->n_spans = t->n;
	info->open = t->open;
	info->open_start = t->open_start;
	info->open_aux = t->open_aux;
	return TRUE;
}

static void add_span(struct evlog *log, struct track *t, gint64 start, gint64 end, guint32 aux)
{
	if (G_UNLIKELY(t->n == t->cap)) {
		gsize cap = t->cap < 16 ? 16 : t->cap + t->cap / 2;
		t->start = g_renew(gint64, t->start, cap);
		t->aux = g_renew(guint32, t->aux, cap);
		t->cum = g_renew(guint64, t->cum, cap + 1);
		t->cap = cap;
	}
	if (t->n > 0 && start < t->start[t->n - 1])
		t->unsorted = TRUE;
	t->start[t->n] = start;
	t->aux[t->n] = aux;
	t->cum[t->n + 1] = t->cum[t->n] + (guint64)(end - start);
	t->n++;
	log->stats.spans++;
}

/* ---- events ---- */

static inline void note_time(struct evlog *log, gint64 t, guint64 line_no)
{
	log->stats.events++;
	if (G_UNLIKELY(t < log->t_last)) {
		log->stats.out_of_order++;
		issue(log, EVLOG_ISSUE_OUT_OF_ORDER, line_no, "time earlier than the event before");
	} else {
		log->t_last = t;
	}
	if (t < log->stats.t_min)
		log->stats.t_min = t;
	if (t > log->stats.t_max)
		log->stats.t_max = t;
}

void evlog_emit_begin(struct evlog *log, guint track, gint64 t, guint32 aux, guint64 line_no)
{
	struct track *tr = &log->tracks[track];

	note_time(log, t, line_no);
	if (tr->open) {
		log->stats.unpaired++;
		issue(log, EVLOG_ISSUE_UNPAIRED, line_no, "begin while a span is open (closed here)");
		if (t >= tr->open_start)
			add_span(log, tr, tr->open_start, t, tr->open_aux);
	}
	tr->open = TRUE;
	tr->ever = TRUE;
	tr->open_start = t;
	tr->open_aux = aux;
}

void evlog_emit_begin_if_closed(struct evlog *log, guint track, gint64 t, guint32 aux,
				guint64 line_no)
{
	if (log->tracks[track].open) {
		note_time(log, t, line_no);
		return;
	}
	evlog_emit_begin(log, track, t, aux, line_no);
}

void evlog_emit_end(struct evlog *log, guint track, gint64 t, guint64 line_no)
{
	struct track *tr = &log->tracks[track];

	note_time(log, t, line_no);
	if (!tr->open) {
		/* an end before any begin is the log starting in the middle of a span */
		if (tr->ever) {
			log->stats.unpaired++;
			issue(log, EVLOG_ISSUE_UNPAIRED, line_no, "end with no span open");
		}
		return;
	}
	tr->open = FALSE;
	if (t < tr->open_start) {
		log->stats.unpaired++;
		issue(log, EVLOG_ISSUE_UNPAIRED, line_no, "end before its begin (span dropped)");
		return;
	}
	add_span(log, tr, tr->open_start, t, tr->open_aux);
}

void evlog_emit_span(struct evlog *log, guint track, gint64 start, gint64 end, guint32 aux,
		     guint64 line_no)
{
	struct track *tr = &log->tracks[track];

	note_time(log, start, line_no);
	if (end > log->stats.t_max)
		log->stats.t_max = end;
	tr->ever = TRUE;
	if (end < start) {
		log->stats.unpaired++;
		issue(log, EVLOG_ISSUE_UNPAIRED, line_no, "span ends before it begins (dropped)");
		return;
	}
	add_span(log, tr, start, end, aux);
}

void evlog_emit_ignored(struct evlog *log)
{
	log->stats.events++;
	log->stats.ignored++;
}

void evlog_set_origin(struct evlog *log, gint64 t)
{
	log->stats.t_origin = t;
}

gint64 evlog_get_origin(const struct evlog *log)
{
	return log->stats.t_origin;
}

/* ---- parsing helpers ---- */

gboolean evlog_parse_u64(const char **pp, const char *end, guint64 *v)
{
	const char *p = *pp;
	guint64 x = 0;

	if (p >= end || *p < '0' || *p > '9')
		return FALSE;
	while (p < end && *p >= '0' && *p <= '9') {
		guint d = (guint)(*p - '0');
		if (x > (G_MAXUINT64 - d) / 10)
			return FALSE;
		x = x * 10 + d;
		p++;
	}
	*v = x;
	*pp = p;
	return TRUE;
}

gboolean evlog_parse_seconds(const char **pp, const char *end, gint64 *ns)
{
	const char *p = *pp;
	guint64 sec, frac = 0;
	int digits = 0;

	if (!evlog_parse_u64(&p, end, &sec) || sec >= EVLOG_MAX_SECONDS)
		return FALSE;
	if (p < end && *p == '.') {
		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			if (digits < 9) {
				frac = frac * 10 + (guint64)(*p - '0');
				digits++;
			}
			p++;
		}
		for (; digits < 9; digits++)
			frac *= 10;
	}
	*ns = (gint64)(sec * 1000000000ULL + frac);
	*pp = p;
	return TRUE;
}

/* ---- lines ---- */

static void process_line(struct evlog *log, const char *s, gsize n)
{
	const char *why = NULL;

	log->stats.lines++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n == 0)
		return;
	if (!log->fmt->parse_line(log, log->fmt_state, s, n, log->stats.lines, &why)) {
		log->stats.malformed++;
		issue(log, EVLOG_ISSUE_MALFORMED, log->stats.lines, why ? why : "malformed line");
	}
}

static void line_too_long(struct evlog *log)
{
	log->stats.lines++;
	log->stats.malformed++;
	issue(log, EVLOG_ISSUE_MALFORMED, log->stats.lines, "line longer than 64 KiB");
}

static void process(struct evlog *log, const char *data, gsize len)
{
	const char *p = data, *end = data + len, *nl;

	if (log->pending->len > 0 || log->skipping) {
		nl = memchr(p, '\n', len);
		if (!nl) {
			if (!log->skipping && log->pending->len + len <= EVLOG_MAX_LINE) {
				g_byte_array_append(log->pending, (const guint8 *)p, (guint)len);
			} else {
				log->skipping = TRUE;
				g_byte_array_set_size(log->pending, 0);
			}
			return;
		}
		if (log->skipping) {
			line_too_long(log);
			log->skipping = FALSE;
		} else if (log->pending->len + (gsize)(nl - p) > EVLOG_MAX_LINE) {
			line_too_long(log);
		} else {
			g_byte_array_append(log->pending, (const guint8 *)p, (guint)(nl - p));
			process_line(log, (const char *)log->pending->data, log->pending->len);
		}
		g_byte_array_set_size(log->pending, 0);
		p = nl + 1;
	}
	while (p < end) {
		if (log->fmt->parse_fast) {
			const char *q = log->fmt->parse_fast(log, log->fmt_state, p, end,
							     log->stats.lines + 1);
			if (q) {
				log->stats.lines++;
				p = q;
				continue;
			}
		}
		nl = memchr(p, '\n', (gsize)(end - p));
		if (!nl)
			break;
		if (G_LIKELY(nl - p <= EVLOG_MAX_LINE))
			process_line(log, p, (gsize)(nl - p));
		else
			line_too_long(log);
		p = nl + 1;
	}
	if (p < end) {
		if ((gsize)(end - p) > EVLOG_MAX_LINE)
			log->skipping = TRUE;
		else
			g_byte_array_append(log->pending, (const guint8 *)p, (guint)(end - p));
	}
}

/* Recognises the format from what is pending; TRUE when it is known or needs more data. */
static gboolean probe(struct evlog *log, gboolean final, GError **error)
{
	const struct evlog_format *best = NULL;
	int best_score = 0;
	GByteArray *buf;

	if (!final && !memchr(log->pending->data, '\n', log->pending->len) &&
	    log->pending->len < EVLOG_MAX_LINE)
		return TRUE;
	for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
		int score = formats[i]->probe((const char *)log->pending->data, log->pending->len);
		if (score > best_score) {
			best_score = score;
			best = formats[i];
		}
	}
	if (!best || best_score < 50) {
		g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_FORMAT,
			    "cannot tell the format of the event log from its first lines: "
			    "name it (rk, trace-cmd or csv)");
		g_byte_array_set_size(log->pending, 0);
		return FALSE;
	}
	if (!set_format(log, best, error))
		return FALSE;
	buf = log->pending;
	log->pending = g_byte_array_new();
	process(log, (const char *)buf->data, buf->len);
	g_byte_array_free(buf, TRUE);
	return TRUE;
}

gboolean evlog_append(struct evlog *log, const char *data, gsize len, GError **error)
{
	log->stats.bytes += len;
	if (!log->fmt) {
		gsize room = 4 * EVLOG_MAX_LINE - MIN(log->pending->len, 4 * EVLOG_MAX_LINE);
		gsize take = MIN(len, room);
		g_byte_array_append(log->pending, (const guint8 *)data, (guint)take);
		if (!probe(log, log->pending->len >= 4 * EVLOG_MAX_LINE, error))
			return FALSE;
		if (!log->fmt)
			return TRUE;
		data += take;
		len -= take;
	}
	process(log, data, len);
	return TRUE;
}

gboolean evlog_flush(struct evlog *log, GError **error)
{
	if (!log->fmt) {
		if (log->pending->len == 0)
			return TRUE;
		if (!probe(log, TRUE, error))
			return FALSE;
	}
	if (log->skipping) {
		line_too_long(log);
		log->skipping = FALSE;
	} else if (log->pending->len > 0) {
		GByteArray *buf = log->pending;
		log->pending = g_byte_array_new();
		process_line(log, (const char *)buf->data, buf->len);
		g_byte_array_free(buf, TRUE);
	}
	return TRUE;
}

gboolean evlog_load_file(struct evlog *log, const char *path, GError **error)
{
	struct stat st;
	void *map;
	gboolean ok;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_IO, "%s: %s", path, g_strerror(e));
		if (fd >= 0)
			close(fd);
		return FALSE;
	}
	if (st.st_size == 0) {
		close(fd);
		return evlog_flush(log, error);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		int e = errno;
		g_set_error(error, EVLOG_ERROR, EVLOG_ERROR_IO, "%s: cannot map it: %s", path,
			    g_strerror(e));
		close(fd);
		return FALSE;
	}
	close(fd);
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	madvise(map, (size_t)st.st_size, MADV_WILLNEED);
	ok = evlog_append(log, map, (gsize)st.st_size, error) && evlog_flush(log, error);
	if (!ok)
		g_prefix_error(error, "%s: ", path);
	munmap(map, (size_t)st.st_size);
	return ok;
}

/* ---- index ---- */

struct sort_item {
	gint64 start, dur;
	guint32 aux;
};

static int cmp_item(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void track_sort(struct track *t)
{
	struct sort_item *items = g_new(struct sort_item, t->n ? t->n : 1);

	for (gsize i = 0; i < t->n; i++) {
		items[i].start = t->start[i];
		items[i].dur = (gint64)(t->cum[i + 1] - t->cum[i]);
		items[i].aux = t->aux[i];
	}
	qsort(items, t->n, sizeof(*items), cmp_item);
	for (gsize i = 0; i < t->n; i++) {
		t->start[i] = items[i].start;
		t->aux[i] = items[i].aux;
		t->cum[i + 1] = t->cum[i] + (guint64)items[i].dur;
	}
	g_free(items);
	t->unsorted = FALSE;
	for (int l = 0; l < PYR_LEVELS; l++)
		t->lvl_n[l] = 0;
}

static void lvl_push(struct track *t, int l, struct mm v)
{
	if (t->lvl_n[l] == t->lvl_cap[l]) {
		t->lvl_cap[l] = t->lvl_cap[l] < 16 ? 16 : t->lvl_cap[l] + t->lvl_cap[l] / 2;
		t->lvl[l] = g_renew(struct mm, t->lvl[l], t->lvl_cap[l]);
	}
	t->lvl[l][t->lvl_n[l]++] = v;
}

static void track_index(struct track *t)
{
	gsize blocks;

	if (t->unsorted)
		track_sort(t);
	blocks = t->n >> PYR_SHIFT;
	while (t->lvl_n[0] < blocks) {
		gsize b = t->lvl_n[0];
		struct mm v = { G_MAXUINT32, 0 };
		for (gsize i = b << PYR_SHIFT; i < (b + 1) << PYR_SHIFT; i++) {
			v.min = MIN(v.min, t->aux[i]);
			v.max = MAX(v.max, t->aux[i]);
		}
		lvl_push(t, 0, v);
		/* carry upwards while a level has completed a pair */
		for (int l = 0; l + 1 < PYR_LEVELS && (t->lvl_n[l] & 1) == 0 &&
				t->lvl_n[l + 1] < t->lvl_n[l] / 2; l++) {
			const struct mm *a = &t->lvl[l][t->lvl_n[l] - 2];
			struct mm up = { MIN(a[0].min, a[1].min), MAX(a[0].max, a[1].max) };
			lvl_push(t, l + 1, up);
		}
	}
}

void evlog_index(struct evlog *log)
{
	for (guint i = 0; i < log->n_tracks; i++)
		track_index(&log->tracks[i]);
}

static inline gint64 span_end(const struct track *t, gsize i)
{
	return t->start[i] + (gint64)(t->cum[i + 1] - t->cum[i]);
}

/* First span with start >= x. */
static gsize lower_bound(const struct track *t, gint64 x)
{
	gsize lo = 0, hi = t->n;

	while (lo < hi) {
		gsize mid = lo + (hi - lo) / 2;
		if (t->start[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static inline void mm_add(struct mm *r, guint32 lo, guint32 hi)
{
	if (lo < r->min)
		r->min = lo;
	if (hi > r->max)
		r->max = hi;
}

static struct mm aux_range(const struct track *t, gsize i, gsize j)
{
	struct mm r = { G_MAXUINT32, 0 };
	gsize lo, hi;
	int l = 0;

	while (i < j && (i & ((1u << PYR_SHIFT) - 1))) {
		mm_add(&r, t->aux[i], t->aux[i]);
		i++;
	}
	while (j > i && (j & ((1u << PYR_SHIFT) - 1))) {
		j--;
		mm_add(&r, t->aux[j], t->aux[j]);
	}
	lo = i >> PYR_SHIFT;
	hi = j >> PYR_SHIFT;
	while (lo < hi && l < PYR_LEVELS) {
		if (lo & 1) {
			mm_add(&r, t->lvl[l][lo].min, t->lvl[l][lo].max);
			lo++;
		}
		if (hi & 1) {
			hi--;
			mm_add(&r, t->lvl[l][hi].min, t->lvl[l][hi].max);
		}
		lo >>= 1;
		hi >>= 1;
		l++;
	}
	return r;
}

gboolean evlog_get_span(struct evlog *log, guint track, gsize i, struct evlog_span *span)
{
	struct track *t;

	if (track >= log->n_tracks)
		return FALSE;
	t = &log->tracks[track];
	if (i >= t->n)
		return FALSE;
	if (t->unsorted)
		track_index(t);
	span->start = t->start[i];
	span->end = span_end(t, i);
	span->aux = t->aux[i];
	return TRUE;
}

gboolean evlog_query(struct evlog *log, guint track, gint64 t0, gint64 t1, guint n_cells,
		     struct evlog_cell *out)
{
	struct track *t;
	guint64 width, q, r;

	if (track >= log->n_tracks || t1 <= t0 || n_cells == 0 || n_cells > EVLOG_MAX_CELLS)
		return FALSE;
	t = &log->tracks[track];
	track_index(t);
	width = (guint64)t1 - (guint64)t0;
	q = width / n_cells;
	r = width % n_cells;
	for (guint c = 0; c < n_cells; c++) {
		gint64 a = t0 + (gint64)(q * c + r * c / n_cells);
		gint64 b = c + 1 == n_cells ? t1 : t0 + (gint64)(q * (c + 1) + r * (c + 1) / n_cells);
		struct evlog_cell *cell = &out[c];
		gsize i, j;
		gint64 covered = 0;
		struct mm range = { G_MAXUINT32, 0 };
		guint32 n = 0;

		if (b <= a)
			b = a + 1;
		i = lower_bound(t, a);
		if (i > 0 && span_end(t, i - 1) > a)
			i--;
		j = lower_bound(t, b);
		if (i < j) {
			covered = (gint64)(t->cum[j] - t->cum[i]);
			if (t->start[i] < a)
				covered -= a - t->start[i];
			if (span_end(t, j - 1) > b)
				covered -= span_end(t, j - 1) - b;
			range = aux_range(t, i, j);
			n = (guint32)MIN(j - i, (gsize)G_MAXUINT32);
		}
		if (t->open && t->open_start < b && log->stats.t_max > a) {
			gint64 s = MAX(t->open_start, a), e = MIN(log->stats.t_max, b);
			if (e > s)
				covered += e - s;
			mm_add(&range, t->open_aux, t->open_aux);
			n++;
		}
		cell->coverage = covered <= 0 ? 0.0f : covered >= b - a ? 1.0f
					  : (float)((double)covered / (double)(b - a));
		cell->n_spans = n;
		cell->aux_min = range.min;
		cell->aux_max = range.max;
	}
	return TRUE;
}

const struct evlog_stats *evlog_get_stats(struct evlog *log)
{
	gsize held = sizeof(*log) + log->cap_tracks * sizeof(struct track) +
		     ((gsize)1 << log->hbits) * (sizeof(guint64) + sizeof(guint32)) + log->pending->len;

	for (guint i = 0; i < log->n_tracks; i++) {
		const struct track *t = &log->tracks[i];
		held += t->cap * (sizeof(gint64) + sizeof(guint64) + sizeof(guint32)) + sizeof(guint64);
		for (int l = 0; l < PYR_LEVELS; l++)
			held += t->lvl_cap[l] * sizeof(struct mm);
	}
	log->stats.bytes_held = held;
	return &log->stats;
}

/* ---- summaries ---- */

/* Time in [a, b) covered by the spans of track t (open one included, running to t_max). */
static gint64 overlap(const struct evlog *log, const struct track *t, gint64 a, gint64 b)
{
	gint64 sum = 0;
	gsize i;

	if (b <= a)
		return 0;
	i = lower_bound(t, a);
	if (i > 0)
		i--;
	for (; i < t->n && t->start[i] < b; i++) {
		gint64 s = MAX(t->start[i], a), e = MIN(span_end(t, i), b);
		if (e > s)
			sum += e - s;
	}
	if (t->open) {
		gint64 s = MAX(t->open_start, a), e = MIN(log->stats.t_max, b);
		if (e > s)
			sum += e - s;
	}
	return sum;
}

static const struct evlog_task_param *task_param(const struct evlog_summary_options *o, guint32 pid)
{
	for (guint i = 0; o && i < o->n_tasks; i++)
		if (o->tasks[i].pid == pid)
			return &o->tasks[i];
	return NULL;
}

#define EVLOG_MAX_JOBS (1u << 20)

static void task_jobs(const struct evlog *log, const struct track *t, gint64 release0,
		      struct evlog_task_summary *ts)
{
	GArray *jobs = g_array_new(FALSE, FALSE, sizeof(struct evlog_job));
	gint64 P = ts->period_ns;

	for (gint64 r = release0; r <= log->stats.t_max && jobs->len < EVLOG_MAX_JOBS; r += P) {
		struct evlog_job job = { r, -1, -1 };
		gint64 rn = r > G_MAXINT64 - P ? G_MAXINT64 : r + P;
		gsize i = lower_bound(t, r), j = lower_bound(t, rn);

		if (t->open && t->open_start >= r && t->open_start < rn) {
			/* still running at the end of the log: not finished */
		} else if (j > i) {
			job.finish_ns = span_end(t, j - 1);
			job.response_ns = job.finish_ns - r;
			if (job.response_ns > ts->response_max_ns)
				ts->response_max_ns = job.response_ns;
			if (job.response_ns > P)
				ts->n_missed++;
		}
		g_array_append_val(jobs, job);
		if (r > G_MAXINT64 - P)
			break;
	}
	ts->n_jobs = jobs->len;
	ts->jobs = (struct evlog_job *)g_array_free(jobs, FALSE);
}

/*
 * Blocking: for each critical section of task T entered at a, take the gap during which T was
 * suspended just before: [end of the run span before the one containing a, start of the run
 * span containing a] (or [end of the last run span, a] when a is in no run span). The blocking
 * time is the part of that gap during which a task of another VM (or, VMs unknown, any other
 * task) held the critical section.
 */
static void task_blocking(const struct evlog *log, const struct track *run, const struct track *cs,
			  guint32 vm, const struct evlog_summary_options *o,
			  struct evlog_task_summary *ts)
{
	for (gsize c = 0; c < cs->n; c++) {
		gint64 a = cs->start[c], gs, ge, blocked = 0;
		gsize k = a < G_MAXINT64 ? lower_bound(run, a + 1) : run->n; /* closed spans starting <= a */

		if (run->open && run->open_start <= a && k == run->n) {
			/* a is in the open run span, which comes after every closed one */
			if (run->n == 0)
				continue;
			gs = span_end(run, run->n - 1);
			ge = run->open_start;
		} else {
			if (k == 0)
				continue;
			k--;
			if (span_end(run, k) >= a) {
				if (k == 0)
					continue;
				gs = span_end(run, k - 1);
				ge = run->start[k];
			} else {
				gs = span_end(run, k);
				ge = a;
			}
		}
		if (ge <= gs)
			continue;
		for (guint i = 0; i < log->n_tracks; i++) {
			const struct track *other = &log->tracks[i];
			const struct evlog_task_param *op;
			if (other->kind != EVLOG_TRACK_CS || other == cs)
				continue;
			op = task_param(o, other->key);
			if (vm != 0 && op && op->vm == vm)
				continue;
			blocked += overlap(log, other, gs, ge);
		}
		blocked = MIN(blocked, ge - gs);
		if (blocked > 0) {
			ts->n_blocked++;
			ts->blocking_total_ns += blocked;
			ts->blocking_max_ns = MAX(ts->blocking_max_ns, blocked);
		}
	}
}

struct evlog_summary *evlog_summary(struct evlog *log, const struct evlog_summary_options *o)
{
	struct evlog_summary *s = g_new0(struct evlog_summary, 1);
	gint64 offset = o && o->release_offset_ns >= 0 ? o->release_offset_ns : 1000000000LL;
	guint n_tasks = 0;

	evlog_index(log);
	s->origin_ns = log->stats.t_origin;
	s->release_ns = s->origin_ns >= 0 ? s->origin_ns + offset : -1;
	s->n_tracks = log->n_tracks;
	s->tracks = g_new0(struct evlog_track_summary, log->n_tracks ? log->n_tracks : 1);
	for (guint i = 0; i < log->n_tracks; i++) {
		const struct track *t = &log->tracks[i];
		struct evlog_track_summary *ts = &s->tracks[i];
		ts->track = i;
		ts->n_spans = t->n;
		ts->total_ns = (gint64)t->cum[t->n];
		ts->open = t->open;
		for (gsize k = 0; k < t->n; k++)
			ts->max_ns = MAX(ts->max_ns, (gint64)(t->cum[k + 1] - t->cum[k]));
		if (t->kind == EVLOG_TRACK_TASK)
			n_tasks++;
	}
	s->tasks = g_new0(struct evlog_task_summary, n_tasks ? n_tasks : 1);
	for (guint i = 0; i < log->n_tracks; i++) {
		const struct track *t = &log->tracks[i];
		const struct evlog_task_param *p;
		struct evlog_task_summary *ts;
		int csi;

		if (t->kind != EVLOG_TRACK_TASK)
			continue;
		ts = &s->tasks[s->n_tasks++];
		p = task_param(o, t->key);
		ts->pid = t->key;
		ts->period_ns = p ? p->period_ns : 0;
		ts->response_max_ns = -1;
		if (ts->period_ns > 0 && s->release_ns >= 0)
			task_jobs(log, t, s->release_ns, ts);
		csi = evlog_find_track(log, EVLOG_TRACK_CS, t->key);
		if (csi >= 0) {
			const struct track *cs = &log->tracks[csi];
			ts->n_cs = cs->n;
			ts->cs_total_ns = (gint64)cs->cum[cs->n];
			ts->cs_max_ns = s->tracks[csi].max_ns;
			task_blocking(log, t, cs, p ? p->vm : 0, o, ts);
		}
	}
	return s;
}

void evlog_summary_free(struct evlog_summary *summary)
{
	if (!summary)
		return;
	for (guint i = 0; i < summary->n_tasks; i++)
		g_free(summary->tasks[i].jobs);
	g_free(summary->tasks);
	g_free(summary->tracks);
	g_free(summary);
}
