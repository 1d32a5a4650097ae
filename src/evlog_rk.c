/* evlog_rk.c - the RK event-log format: "<sec.nsec>, <type>, <cpuid>, <pid>, <arg1>, <arg2>". */
#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "evlog_fmt.h"

/*
 * Written by RK's rk_event_log_get as "%llu.%09llu, %d, %d, %d, %lu, %lu" after a header line
 * "time, type, cpuid, pid, arg1, arg2". Event types:
 *   0 / 1      a vCPU starts / stops: pid = the vCPU's pid, cpuid = the physical CPU
 *   100 / 101  a task in a VM starts / stops: arg1 = the task's pid, pid = its vCPU's pid
 *   102 / 103  the task enters / leaves the global critical section (same fields)
 * Each task's first event is a 101 (the task waiting for its release); everything before the
 * first 101 of the log is ignored, and so is a task's activity before its own first 101, unless
 * options.rk_keep_all. The time of the first 101 is the log's origin: the tasks are released
 * 1 s after it. Other event types are counted as ignored.
 */

#define RK_CACHE 64

struct rk_state {
	gboolean keep_all;
	gboolean started; /* the first 101 was seen */
	struct {
		guint64 key; /* kind << 32 | pid, G_MAXUINT64 when empty */
		guint track;
	} cache[RK_CACHE];  /* in front of evlog_track_ref() */
};

static inline guint track_of(struct evlog *log, struct rk_state *st, enum evlog_track_kind kind,
			     guint32 pid)
{
	guint64 k = (guint64)kind << 32 | pid;
	guint i = (pid ^ (guint)kind * 17u) & (RK_CACHE - 1);

	if (G_LIKELY(st->cache[i].key == k))
		return st->cache[i].track;
	st->cache[i].key = k;
	st->cache[i].track = evlog_track_ref(log, kind, pid, NULL);
	return st->cache[i].track;
}

struct rk_event {
	gint64 t;
	guint64 type;
	gint64 cpuid, pid;
	guint64 arg1, arg2;
};

static inline const char *skip_sp(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const guint64 pow_10[20] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL };

/*
 * The leading digits among the 8 bytes at p (all readable): their count (0..8) and value, with
 * no branch per digit (SWAR). A byte is a digit when (b ^ '0') <= 9; the first non-digit is
 * found from the high bits of (d + 0x76) | d; the digits are shifted to the low-order end and
 * combined pairwise by three multiplications.
 */
static inline __attribute__((always_inline)) int swar_digits(const char *p, guint64 *v)
{
	guint64 x, d, m;
	int n;

	memcpy(&x, p, 8);
	x = GUINT64_FROM_LE(x);
	d = x ^ 0x3030303030303030ULL;
	m = ((d + 0x7676767676767676ULL) | d) & 0x8080808080808080ULL;
	n = m ? __builtin_ctzll(m) >> 3 : 8;
	if (n == 0) {
		*v = 0;
		return 0;
	}
	d <<= 8 * (8 - n);
	d = d * 10 + (d >> 8);
	d = (((d & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
	     (((d >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >> 32;
	*v = d;
	return n;
}

/* Up to 19 decimal digits; *ndigits gets their count. The hot path of the whole format. */
static inline gboolean num_n(const char **pp, const char *end, guint64 *v, int *ndigits)
{
	const char *p = *pp;
	guint64 x = 0, part = 0;
	int total = 0, n;
	unsigned d;

	while (end - p >= 8 && total < 16) {
		n = swar_digits(p, &part);
		x = x * pow_10[n] + part;
		total += n;
		p += n;
		if (n < 8)
			goto done;
	}
	while (p < end && (d = (unsigned)(*p - '0')) <= 9) {
		if (total >= 19)
			return FALSE;
		x = x * 10 + d;
		total++;
		p++;
	}
done:
	if (total == 0 || (p < end && (unsigned)(*p - '0') <= 9))
		return FALSE;
	*v = x;
	*ndigits = total;
	*pp = p;
	return TRUE;
}

static inline gboolean num(const char **pp, const char *end, guint64 *v)
{
	int n;
	return num_n(pp, end, v, &n);
}

static inline gboolean comma(const char **p, const char *end)
{
	const char *q = *p;

	if (G_LIKELY(end - q > 2 && q[0] == ',' && q[1] == ' ' && q[2] != ' ')) {
		*p = q + 2;
		return TRUE;
	}
	q = skip_sp(q, end);
	if (q >= end || *q != ',')
		return FALSE;
	*p = skip_sp(q + 1, end);
	return TRUE;
}

static inline gboolean parse_int(const char **p, const char *end, gint64 *v)
{
	gboolean neg = FALSE;
	guint64 u;

	if (*p < end && **p == '-') {
		neg = TRUE;
		(*p)++;
	}
	if (!num(p, end, &u) || u > G_MAXINT32 + 1ULL)
		return FALSE;
	*v = neg ? -(gint64)u : (gint64)u;
	return TRUE;
}

static inline gboolean seconds(const char **pp, const char *end, gint64 *ns)
{
	const char *p = *pp;
	guint64 sec, frac = 0;
	int n;

	if (!num(&p, end, &sec) || sec >= EVLOG_MAX_SECONDS)
		return FALSE;
	if (p < end && *p == '.') {
		const char *f = ++p;
		if (num_n(&p, end, &frac, &n) && n <= 9) {
			frac *= pow_10[9 - n];
		} else {
			/* no decimals, or more than nine: keep the nanoseconds */
			p = f;
			frac = 0;
			for (n = 0; p < end && (unsigned)(*p - '0') <= 9; p++, n++)
				if (n < 9)
					frac = frac * 10 + (guint64)(*p - '0');
			frac *= pow_10[9 - MIN(n, 9)];
		}
	}
	*ns = (gint64)(sec * 1000000000ULL + frac);
	*pp = p;
	return TRUE;
}

/* The six fields from p; *pp is left after arg2. */
static inline gboolean rk_fields_at(const char **pp, const char *end, struct rk_event *ev)
{
	const char *p = skip_sp(*pp, end);
	gboolean ok = seconds(&p, end, &ev->t) && comma(&p, end) && num(&p, end, &ev->type) &&
		      comma(&p, end) && parse_int(&p, end, &ev->cpuid) && comma(&p, end) &&
		      parse_int(&p, end, &ev->pid) && comma(&p, end) && num(&p, end, &ev->arg1) &&
		      comma(&p, end) && num(&p, end, &ev->arg2);
	*pp = p;
	return ok;
}

static gboolean rk_fields(const char *line, gsize len, struct rk_event *ev)
{
	const char *p = line, *end = line + len;

	return rk_fields_at(&p, end, ev) && skip_sp(p, end) == end;
}

static gboolean is_header(const char *line, gsize len)
{
	return len >= 5 && g_ascii_strncasecmp(line, "time,", 5) == 0;
}

static int rk_probe(const char *data, gsize len)
{
	const char *p = data, *end = data + len;
	int good = 0, bad = 0;

	while (p < end && good + bad < 8) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize n = (gsize)((nl ? nl : end) - p);
		struct rk_event ev;

		if (!nl && good + bad > 0)
			break; /* a partial last line says nothing */

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (is_header(p, n) && memmem(p, n, "type", 4))
			return 100;
		if (n > 0) {
			if (rk_fields(p, n, &ev))
				good++;
			else
				bad++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return good > 0 && bad <= good / 4 ? 90 : 0;
}

static void *rk_state_new(const struct evlog_options *options)
{
	struct rk_state *st = g_new0(struct rk_state, 1);

	st->keep_all = options->rk_keep_all;
	for (guint i = 0; i < RK_CACHE; i++)
		st->cache[i].key = G_MAXUINT64;
	return st;
}

/* Applies one parsed event; FALSE (with nothing done) when it cannot be used. */
static inline __attribute__((always_inline)) gboolean rk_apply(struct evlog *log, struct rk_state *st, const struct rk_event ev_,
				guint64 line_no, const char **why)
{
	const struct rk_event *ev = &ev_;
	guint track;
	guint8 *armed;

	switch (ev->type) {
	case 0:
	case 1:
		if (!st->started && !st->keep_all) {
			evlog_emit_ignored(log);
			return TRUE;
		}
		track = track_of(log, st, EVLOG_TRACK_VCPU, (guint32)ev->pid);
		if (ev->type == 0)
			evlog_emit_begin(log, track, ev->t, (guint32)ev->cpuid, line_no);
		else
			evlog_emit_end(log, track, ev->t, line_no);
		return TRUE;
	case 100:
	case 101:
	case 102:
	case 103:
		break;
	default:
		evlog_emit_ignored(log);
		return TRUE;
	}
	if (ev->arg1 > G_MAXUINT32) {
		*why = "task pid (arg1) out of range";
		return FALSE;
	}
	track = track_of(log, st, EVLOG_TRACK_TASK, (guint32)ev->arg1);
	armed = evlog_track_user(log, track);
	if (G_UNLIKELY(!*armed)) {
		if (ev->type == 101) {
			*armed = 1;
			if (!st->started) {
				st->started = TRUE;
				evlog_set_origin(log, ev->t);
			}
		}
		if (!st->keep_all) {
			/* before the task's first 101, or that 101: it waits for its release */
			evlog_emit_ignored(log);
			return TRUE;
		}
	}
	switch (ev->type) {
	case 100:
		evlog_emit_begin(log, track, ev->t, (guint32)ev->pid, line_no);
		break;
	case 101:
		evlog_emit_end(log, track, ev->t, line_no);
		break;
	case 102:
		track = track_of(log, st, EVLOG_TRACK_CS, (guint32)ev->arg1);
		evlog_emit_begin(log, track, ev->t, (guint32)ev->pid, line_no);
		break;
	default:
		track = track_of(log, st, EVLOG_TRACK_CS, (guint32)ev->arg1);
		evlog_emit_end(log, track, ev->t, line_no);
		break;
	}
	return TRUE;
}

static gboolean rk_parse_line(struct evlog *log, void *state, const char *line, gsize len,
			      guint64 line_no, const char **why)
{
	struct rk_event ev;

	if (G_UNLIKELY(!rk_fields(line, len, &ev))) {
		if (line_no <= 1 && is_header(line, len))
			return TRUE;
		*why = "not \"<sec.nsec>, <type>, <cpuid>, <pid>, <arg1>, <arg2>\"";
		return FALSE;
	}
	return rk_apply(log, state, ev, line_no, why);
}

#ifdef __SSE2__
/*
 * The usual line with SSE2: one pass over 64 bytes finds the five commas, the dot and the
 * newline, so every field's start and length are known at once and the six numbers are
 * converted independently (SWAR, eight digits per step) instead of one after the other.
 */
static inline __attribute__((always_inline)) gboolean digits_n(const char *s, int n, guint64 *v)
{
	guint64 x, d, m, keep;

	if (n < 1 || n > 8)
		return FALSE;
	memcpy(&x, s, 8);
	x = GUINT64_FROM_LE(x);
	d = x ^ 0x3030303030303030ULL;
	m = ((d + 0x7676767676767676ULL) | d) & 0x8080808080808080ULL;
	keep = n == 8 ? G_MAXUINT64 : (1ULL << (8 * n)) - 1;
	if (m & keep)
		return FALSE;
	d <<= 8 * (8 - n);
	d = d * 10 + (d >> 8);
	*v = (((d & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
	      (((d >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >> 32;
	return TRUE;
}

static inline __attribute__((always_inline)) guint64 byte_mask64(const __m128i c[4], char ch)
{
	__m128i k = _mm_set1_epi8(ch);
	return (guint64)(guint16)_mm_movemask_epi8(_mm_cmpeq_epi8(c[0], k)) |
	       (guint64)(guint16)_mm_movemask_epi8(_mm_cmpeq_epi8(c[1], k)) << 16 |
	       (guint64)(guint16)_mm_movemask_epi8(_mm_cmpeq_epi8(c[2], k)) << 32 |
	       (guint64)(guint16)_mm_movemask_epi8(_mm_cmpeq_epi8(c[3], k)) << 48;
}

static gboolean rk_fields_sse(const char *p, int *len, struct rk_event *ev)
{
	__m128i c[4];
	guint64 cm, sec, lo, frac, f0, f1, f2, f3, f4;
	int pos[5], il, fl, n;

	for (int i = 0; i < 4; i++)
		c[i] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
	/* the first five commas (a malformed line may lend some of the next line's: the checks
	 * below then fail on the newline between) */
	cm = byte_mask64(c, ',');
	for (int i = 0; i < 5; i++) {
		if (!cm)
			return FALSE;
		pos[i] = __builtin_ctzll(cm);
		cm &= cm - 1;
	}
	if (pos[4] > 54 || p[pos[0] + 1] != ' ' || p[pos[1] + 1] != ' ' || p[pos[2] + 1] != ' ' ||
	    p[pos[3] + 1] != ' ' || p[pos[4] + 1] != ' ')
		return FALSE;
	/* seconds: up to 16 digits, a dot, 1 to 9 decimals */
	il = swar_digits(p, &sec);
	if (il == 8) {
		n = swar_digits(p + 8, &lo);
		if (n == 8)
			return FALSE;
		sec = sec * pow_10[n] + lo;
		il += n;
	}
	fl = pos[0] - il - 1;
	if (il == 0 || p[il] != '.' || fl < 1 || fl > 9)
		return FALSE;
	if (fl == 9) {
		if (!digits_n(p + il + 1, 8, &frac) || (unsigned)(p[il + 9] - '0') > 9)
			return FALSE;
		frac = frac * 10 + (guint64)(p[il + 9] - '0');
	} else {
		if (!digits_n(p + il + 1, fl, &frac))
			return FALSE;
		frac *= pow_10[9 - fl];
	}
#define FIELD(i, out) digits_n(p + pos[i] + 2, pos[(i) + 1] - pos[i] - 2, out)
	if (!FIELD(0, &f0) || !FIELD(1, &f1) || !FIELD(2, &f2) || !FIELD(3, &f3) ||
	    sec >= EVLOG_MAX_SECONDS)
		return FALSE;
#undef FIELD
	/* arg2 runs to the newline */
	n = swar_digits(p + pos[4] + 2, &f4);
	if (n == 0 || n == 8 || p[pos[4] + 2 + n] != '\n')
		return FALSE;
	ev->t = (gint64)(sec * 1000000000ULL + frac);
	ev->type = f0;
	ev->cpuid = (gint64)f1;
	ev->pid = (gint64)f2;
	ev->arg1 = f3;
	ev->arg2 = f4;
	*len = pos[4] + 2 + n;
	return TRUE;
}
#endif

/* The usual line, parsed straight from the buffer (no separate search for its end). */
static const char *rk_parse_fast(struct evlog *log, void *state, const char *p, const char *end,
				 guint64 line_no)
{
	struct rk_event ev;
	const char *why = NULL;

#ifdef __SSE2__
	int len;
	if (G_LIKELY(end - p >= 64) && rk_fields_sse(p, &len, &ev)) {
		rk_apply(log, state, ev, line_no, &why);
		return p + len + 1;
	}
#endif
	if (!rk_fields_at(&p, end, &ev) || p >= end || *p != '\n' || ev.arg1 > G_MAXUINT32)
		return NULL;
	rk_apply(log, state, ev, line_no, &why);
	return p + 1;
}

const struct evlog_format evlog_format_rk = {
	.name = "rk",
	.probe = rk_probe,
	.state_new = rk_state_new,
	.state_free = g_free,
	.parse_line = rk_parse_line,
	.parse_fast = rk_parse_fast,
};
