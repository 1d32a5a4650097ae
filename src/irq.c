/* irq.c - /proc/interrupts parser: per-CPU counters per IRQ, and diffs between two samples. */
#include "config.h"

#include <string.h>

#include "irq.h"

/*
 * Parsing strategy. Line 1 (the first non-empty line) holds the CPU columns "CPU0 CPU2 ..." and
 * fixes n_cpus. Each further line is "ID: c0 c1 ... text": the counts are the first (at most
 * n_cpus) whitespace-separated tokens made only of digits; the rest of the line is free text.
 * Counts go into one growing array for the whole table and strings into one arena, so parsing
 * does no allocation per row or per cell (none at all when a table is refilled); no regex.
 *
 * Speed: the kernel prints every count as " %10u", so cell k of a row sits at a fixed offset from
 * the colon. Those cells are read without a loop per byte: four at a time with AVX2 when the CPU
 * has it (fixed_cells_vector), else one at a time in a 64-bit word (fixed_cells), and byte by
 * byte from the first cell that does not fit that layout. All three give the same table (tests
 * and the fuzz target compare them). A sample of IRQ_SPLIT_MIN bytes or more is cut in two at a
 * line end and the second half parsed on another thread (parse_body); its rows keep their
 * strings and counts in the table's half_. A 256-CPU, 2,000-row sample parses in about 0.5 ms.
 *
 * The free text is split heuristically. Rows whose id does not start with a digit (NMI, LOC,
 * IPI0, ERR ...) carry a description only: name = the whole text. For numbered rows the kernel
 * prints "chip [hwirq] [Level|Edge] [-flow] action names", or in old kernels "chip-flow names":
 *   1. tok0 is the chip; when it ends in "-edge", "-level", "-fasteoi", "-simple", "-percpu",
 *      "-eoi" or "-event" it is "chip-flow" (old format) and the suffix is the trigger.
 *   2. otherwise a following "N-word" token is hwirq N with trigger word (x86 "2-edge"), or a
 *      following all-digit token is the hwirq, optionally followed by "Level"/"Edge" (ARM GIC)
 *      and/or a "-word" flow token;
 *   3. everything left is the name (action names, may contain spaces and ", ").
 * A text of a single token is the chip (the kernel always prints the chip; names may be absent).
 * The raw free text is kept in row->text for callers who prefer to match it whole.
 */

G_DEFINE_QUARK(irq-error-quark, irq_error)

/* Row being built: strings as offsets into the arena (it moves while growing). */
struct row_build {
	guint32 id, chip, hwirq, trigger, name, text;
	gsize count_off;
	guint n_counts;
	guint line;
	gboolean half; /* its strings and counts are in the table's half_ (parsed on another thread) */
};

struct parser {
	struct irq_table *table; /* its arena_, build_ and counts_ are filled */
	gsize n_counts;
	gboolean use_vector;
};

static inline gboolean is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static inline gboolean is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Makes room for n more bytes of strings (a row reserves what its strings can take). */
static void arena_reserve(struct irq_table *t, gsize n)
{
	if (t->arena_len_ + n <= t->arena_cap_)
		return;
	t->arena_cap_ = MAX(t->arena_len_ + n, t->arena_cap_ * 2);
	t->arena_ = g_realloc(t->arena_, t->arena_cap_);
}

/* Copies s[0..n) and a NUL into the arena (room reserved); returns its offset. */
static guint32 arena_add(struct parser *ps, const char *s, gsize n)
{
	struct irq_table *t = ps->table;
	guint32 off;

	if (n == 0)
		return 0; /* arena[0] is "" */
	off = (guint32)t->arena_len_;
	memcpy(t->arena_ + off, s, n);
	t->arena_[off + n] = '\0';
	t->arena_len_ += n + 1;
	return off;
}

static void bad_line(struct irq_table *t, guint line, const char *reason)
{
	if (t->n_bad_kept < IRQ_BAD_LINES_KEPT) {
		t->bad[t->n_bad_kept].line = line;
		t->bad[t->n_bad_kept].reason = reason;
		t->n_bad_kept++;
	}
	t->n_bad++;
}

/* Skips blanks quickly: the kernel pads counts to 10 columns, so most bytes are spaces. */
static inline const char *skip_blanks(const char *p, const char *end)
{
	guint64 w;

	while (end - p >= 8) {
		memcpy(&w, p, 8);
		if (w != 0x2020202020202020ULL)
			break;
		p += 8;
	}
	while (p < end && is_space(*p))
		p++;
	return p;
}

static gboolean parse_header(struct irq_table *t, const char *p, const char *end)
{
	t->n_cpus = 0;
	for (;;) {
		guint64 v = 0;
		const char *q;

		p = skip_blanks(p, end);
		if (p >= end)
			break;
		if (end - p < 4 || memcmp(p, "CPU", 3) != 0 || !is_digit(p[3]))
			goto fail;
		for (q = p + 3; q < end && is_digit(*q) && v <= 1000000; q++)
			v = v * 10 + (guint64)(*q - '0');
		if ((q < end && !is_space(*q)) || v > 1000000)
			goto fail;
		if (t->n_cpus > 0 && v <= t->cpu_ids[t->n_cpus - 1])
			goto fail; /* the kernel prints them in increasing order */
		if (t->n_cpus >= IRQ_MAX_CPUS)
			goto fail;
		if (t->n_cpus == t->cpus_cap_) {
			t->cpus_cap_ = t->cpus_cap_ ? t->cpus_cap_ * 2 : 64;
			t->cpu_ids = g_renew(guint, t->cpu_ids, t->cpus_cap_);
		}
		t->cpu_ids[t->n_cpus++] = (guint)v;
		p = q;
	}
	return t->n_cpus > 0;
fail:
	t->n_cpus = 0;
	return FALSE;
}

static const char *next_token(const char *p, const char *end, const char **tok_end)
{
	p = skip_blanks(p, end);
	*tok_end = p;
	while (*tok_end < end && !is_space(**tok_end))
		(*tok_end)++;
	return p;
}

static gboolean is_flow_name(const char *s, gsize n)
{
	switch (n) {
	case 3:
		return memcmp(s, "eoi", 3) == 0;
	case 4:
		return memcmp(s, "edge", 4) == 0;
	case 5:
		return memcmp(s, "level", 5) == 0 || memcmp(s, "event", 5) == 0;
	case 6:
		return memcmp(s, "simple", 6) == 0 || memcmp(s, "percpu", 6) == 0;
	case 7:
		return memcmp(s, "fasteoi", 7) == 0;
	default:
		return FALSE;
	}
}

static gboolean all_digits(const char *s, const char *e)
{
	if (s >= e)
		return FALSE;
	for (; s < e; s++)
		if (!is_digit(*s))
			return FALSE;
	return TRUE;
}

static gboolean all_alpha(const char *s, const char *e)
{
	if (s >= e)
		return FALSE;
	for (; s < e; s++)
		if (!g_ascii_isalpha(*s))
			return FALSE;
	return TRUE;
}

/* Splits the free text [p, end) of a numbered row into chip, hwirq, trigger and name. */
static void split_text(struct parser *ps, struct row_build *rb, const char *p, const char *end)
{
	const char *t0, *e0, *t1, *e1, *dash;

	t0 = next_token(p, end, &e0);
	if (t0 >= end)
		return;
	dash = NULL;
	for (const char *q = t0; q < e0; q++)
		if (*q == '-')
			dash = q;
	if (dash && dash > t0 && is_flow_name(dash + 1, (gsize)(e0 - dash - 1))) {
		rb->chip = arena_add(ps, t0, (gsize)(dash - t0));
		rb->trigger = arena_add(ps, dash + 1, (gsize)(e0 - dash - 1));
		p = e0;
	} else {
		rb->chip = arena_add(ps, t0, (gsize)(e0 - t0));
		p = e0;
		t1 = next_token(p, end, &e1);
		dash = memchr(t1, '-', (gsize)(e1 - t1));
		if (dash && all_digits(t1, dash) && all_alpha(dash + 1, e1)) {
			rb->hwirq = arena_add(ps, t1, (gsize)(dash - t1));
			rb->trigger = arena_add(ps, dash + 1, (gsize)(e1 - dash - 1));
			p = e1;
		} else if (all_digits(t1, e1)) {
			rb->hwirq = arena_add(ps, t1, (gsize)(e1 - t1));
			p = e1;
			t1 = next_token(p, end, &e1);
			if ((e1 - t1 == 5 && (memcmp(t1, "Level", 5) == 0 || memcmp(t1, "level", 5) == 0)) ||
			    (e1 - t1 == 4 && (memcmp(t1, "Edge", 4) == 0 || memcmp(t1, "edge", 4) == 0))) {
				rb->trigger = arena_add(ps, t1, (gsize)(e1 - t1));
				p = e1;
				t1 = next_token(p, end, &e1);
			}
			if (e1 - t1 > 1 && *t1 == '-' && all_alpha(t1 + 1, e1)) {
				if (rb->trigger == 0)
					rb->trigger = arena_add(ps, t1 + 1, (gsize)(e1 - t1 - 1));
				p = e1;
			}
		} else if (e1 - t1 > 1 && *t1 == '-' && all_alpha(t1 + 1, e1)) {
			/* old format with a padded chip: "xen-dyn    -event     xenbus" */
			rb->trigger = arena_add(ps, t1 + 1, (gsize)(e1 - t1 - 1));
			p = e1;
		}
	}
	p = skip_blanks(p, end);
	rb->name = arena_add(ps, p, (gsize)(end - p));
}

static void counts_reserve(struct parser *ps, gsize more)
{
	struct irq_table *t = ps->table;

	if (ps->n_counts + more <= t->counts_cap_)
		return;
	while (ps->n_counts + more > t->counts_cap_)
		t->counts_cap_ = t->counts_cap_ ? t->counts_cap_ * 2 : 1024;
	t->counts_ = g_renew(guint64, t->counts_, t->counts_cap_);
}

/*
 * Fast path for the kernel's fixed layout ("%*d:" then " %10u" per CPU, or "%*d: " then
 * "%10u "): cell k is a space and a right-aligned 10-wide number, so its last digit is at
 * colon + 11 (k + 1) and the cells can be read independently, 8 bytes at a time (SWAR), with no
 * loop per byte. Returns how many cells fit that layout; the caller goes on byte by byte from
 * there (values of 11 digits or more, other layouts, short rows).
 */
static guint fixed_cells(const char *colon, const char *end, guint n, guint64 *out)
{
	guint k;

	for (k = 0; k < n; k++) {
		const char *f = colon + 11 * k; /* f[1]: separator, f[2..11]: the field */
		guint64 x, d, nd, pre, v;

		if (end - f < 12 || f[1] != ' ')
			break;
		memcpy(&x, f + 4, 8);
		x = GUINT64_FROM_LE(x);
		d = x ^ 0x3030303030303030ULL;
		nd = ((d + 0x7676767676767676ULL) | d) & 0x8080808080808080ULL;
		pre = (nd >> 7) * 0xFF; /* 0xFF in each byte that is not a digit */
		if ((pre & (pre + 1)) || (nd >> 56) || ((x ^ 0x2020202020202020ULL) & pre))
			break; /* not "spaces then digits" ending at the last byte */
		d &= ~pre;
		d = d * 10 + (d >> 8);
		v = (((d & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
		     (((d >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >> 32;
		if (f[2] != ' ' || f[3] != ' ') {
			if (nd)
				break;
			if (f[2] == ' ' && is_digit(f[3]))
				v += (guint64)(f[3] - '0') * 100000000ULL;
			else if (is_digit(f[2]) && is_digit(f[3]))
				v += (guint64)((f[2] - '0') * 10 + (f[3] - '0')) * 100000000ULL;
			else
				break;
		}
		if (end - f > 12 && !is_space(f[12]) && f[12] != '\n')
			break; /* the token goes on ("2-edge", "12345678901"): not this layout */
		out[k] = v;
	}
	return k;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_VECTOR_CELLS 1

/*
 * fixed_cells() two cells at a time with AVX2. Each 128-bit half holds one field and the byte
 * after it: bytes 0-9 the field (f[2..11]), byte 10 the next separator (f[12]), 11-15 ignored.
 * A pair is taken when in both halves bytes 0-9 are spaces then digits, byte 9 a digit and byte
 * 10 a space (so the next cell's separator is checked too; cell 0's is checked first). The
 * digits become the value with two multiply-adds and a pack (1 + 4 + 4 + 1 digits); the first
 * pair that does not fit stops it and fixed_cells() goes on from there.
 */
/* Checks four halves (see below) from their digit and space masks; TRUE when all fit. */
static inline gboolean cells_fit(guint64 dm, guint64 sm)
{
	/* per half: g = the field's non-digits, which must be bytes 0..j-1 (j <= 9: g + 1 a power
	 * of two, byte 9 a digit) and all spaces, and byte 10 a space */
	const guint64 field = 0x03FF03FF03FF03FFull, one = 0x0001000100010001ull;
	const guint64 last = 0x0200020002000200ull, after = 0x0400040004000400ull;
	guint64 g = ~dm & field;

	return !((g & (g + one)) | (g & last) | ((sm & (field | after)) ^ (g | after)));
}

/*
 * fixed_cells() four cells at a time with AVX2. Each 128-bit half of a register holds one
 * field and the byte after it: bytes 0-9 the field (f[2..11]), byte 10 the next separator
 * (f[12]), 11-15 ignored. Cells are taken when every half is spaces then digits with byte 9 a
 * digit and byte 10 a space (so the next cell's separator is checked too; cell 0's is checked
 * first). The digits become the value with multiply-adds: 2, 4 then 8 digits, times 100, plus
 * the last 2. The first cells that do not fit stop it and fixed_cells() goes on from there.
 */
__attribute__((target("avx2"))) static guint fixed_cells_vector(const char *colon, const char *end, guint n,
								 guint64 *out)
{
	const __m256i ch0 = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9);
	const __m256i space = _mm256_set1_epi8(' '), hundred = _mm256_set1_epi64x(100);
	const __m256i w1 = _mm256_setr_epi8(10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 0, 0, 0, 0, 0, 0,
					    10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 0, 0, 0, 0, 0, 0);
	const __m256i w2 = _mm256_setr_epi16(100, 1, 100, 1, 1, 0, 0, 0, 100, 1, 100, 1, 1, 0, 0, 0);
	const __m256i w3 = _mm256_setr_epi16(10000, 1, 1, 0, 10000, 1, 1, 0, 10000, 1, 1, 0, 10000, 1, 1, 0);
	guint k = 0;

	if (end - colon < 2 || colon[1] != ' ')
		return 0;
#define LOAD_PAIR(f) _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)((f) + 2))), \
					     _mm_loadu_si128((const __m128i *)((f) + 13)), 1)
	/* cells k..k+3 read f + 2 .. f + 50 with f = colon + 11 k */
	if ((gsize)(end - colon) < 51)
		return 0;
	n = (guint)MIN((gsize)n, ((gsize)(end - colon) - 51) / 11 + 1);
	for (; k + 4 <= n; k += 4) {
		const char *f = colon + 11 * (gsize)k;
		__m256i x, y, tx, ty, dx, dy, qx, qy, r, val;
		guint64 dm, sm;

		x = LOAD_PAIR(f);
		y = LOAD_PAIR(f + 22);
		tx = _mm256_sub_epi8(x, ch0);
		ty = _mm256_sub_epi8(y, ch0);
		dx = _mm256_cmpeq_epi8(_mm256_min_epu8(tx, nine), tx);
		dy = _mm256_cmpeq_epi8(_mm256_min_epu8(ty, nine), ty);
		dm = (guint32)_mm256_movemask_epi8(dx) | (guint64)(guint32)_mm256_movemask_epi8(dy) << 32;
		sm = (guint32)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, space)) |
		     (guint64)(guint32)_mm256_movemask_epi8(_mm256_cmpeq_epi8(y, space)) << 32;
		if (!cells_fit(dm, sm))
			break;
		/* per half: 4, 4 and 2 digits as 32-bit, then [8, 2] of x and [8, 2] of y */
		qx = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_and_si256(tx, dx), w1), w2);
		qy = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_and_si256(ty, dy), w1), w2);
		r = _mm256_madd_epi16(_mm256_packus_epi32(qx, qy), w3);
		/* 64-bit: low half [k, k+2], high half [k+1, k+3] */
		val = _mm256_add_epi64(_mm256_mul_epu32(r, hundred), _mm256_srli_epi64(r, 32));
		_mm256_storeu_si256((__m256i *)(out + k), _mm256_permute4x64_epi64(val, 0xD8));
	}
#undef LOAD_PAIR
	return k;
}

static gboolean vector_available(void)
{
	return __builtin_cpu_supports("avx2");
}
#else
static guint fixed_cells_vector(const char *colon, const char *end, guint n, guint64 *out)
{
	(void)colon, (void)end, (void)n, (void)out;
	return 0;
}

static gboolean vector_available(void)
{
	return FALSE;
}
#endif

static int vector_state = -1; /* -1: not decided yet */

gboolean irq_vector_available(void)
{
	return vector_available();
}

gboolean irq_set_vector(gboolean on)
{
	gboolean was = vector_state < 0 ? vector_available() : vector_state;

	g_atomic_int_set(&vector_state, on && vector_available());
	return was;
}

static gboolean use_vector_now(void)
{
	int v = g_atomic_int_get(&vector_state);

	if (v < 0) {
		v = vector_available();
		g_atomic_int_set(&vector_state, v);
	}
	return v;
}

/* out = a - b cell by cell, *sum their sum; TRUE when some a < b (then out is to be redone). */
static gboolean plain_deltas(const guint64 *b, const guint64 *a, guint64 *out, guint n, guint64 *sum)
{
	guint64 s = 0, back = 0;

	for (guint j = 0; j < n; j++) {
		out[j] = a[j] - b[j];
		back |= a[j] < b[j];
		s += out[j];
	}
	*sum = s;
	return back != 0;
}

#ifdef HAVE_VECTOR_CELLS
__attribute__((target("avx2"))) static gboolean plain_deltas_vector(const guint64 *b, const guint64 *a,
								    guint64 *out, guint n, guint64 *sum)
{
	const __m256i sign = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
	__m256i s = _mm256_setzero_si256(), back = _mm256_setzero_si256();
	guint64 lanes[4], tail_sum = 0;
	guint j;

	for (j = 0; j + 4 <= n; j += 4) {
		__m256i va = _mm256_loadu_si256((const __m256i *)(a + j));
		__m256i vb = _mm256_loadu_si256((const __m256i *)(b + j));
		__m256i d = _mm256_sub_epi64(va, vb);

		_mm256_storeu_si256((__m256i *)(out + j), d);
		/* unsigned b > a, as signed after flipping the top bits */
		back = _mm256_or_si256(back, _mm256_cmpgt_epi64(_mm256_xor_si256(vb, sign), _mm256_xor_si256(va, sign)));
		s = _mm256_add_epi64(s, d);
	}
	if (j < n && plain_deltas(b + j, a + j, out + j, n - j, &tail_sum))
		return TRUE;
	_mm256_storeu_si256((__m256i *)lanes, s);
	*sum = lanes[0] + lanes[1] + lanes[2] + lanes[3] + tail_sum;
	return !_mm256_testz_si256(back, back);
}
#else
static gboolean plain_deltas_vector(const guint64 *b, const guint64 *a, guint64 *out, guint n, guint64 *sum)
{
	return plain_deltas(b, a, out, n, sum);
}
#endif

static const char *line_end(const char *p, const char *end)
{
	const char *eol = memchr(p, '\n', (gsize)(end - p));
	return eol ? eol : end;
}

/* Parses the row at p (end is the end of the sample); returns where the next line starts. */
static const char *parse_row(struct parser *ps, guint line, const char *p, const char *end)
{
	struct irq_table *t = ps->table;
	struct row_build rb = { 0 };
	const char *id, *id_end, *text_end, *eol;
	guint64 *out;
	guint nc;
	gboolean use_vector = ps->use_vector;

	p = skip_blanks(p, end);
	id = p;
	while (p < end && *p != ':' && *p != '\n' && !is_space(*p))
		p++;
	if (p >= end || *p != ':') {
		bad_line(t, line, "no ':' after the IRQ id");
		eol = line_end(p, end);
		return eol < end ? eol + 1 : end;
	}
	id_end = p++;
	if (id_end == id || id_end - id > IRQ_MAX_ID_LEN) {
		bad_line(t, line, "IRQ id empty or too long");
		eol = line_end(p, end);
		return eol < end ? eol + 1 : end;
	}
	counts_reserve(ps, t->n_cpus);
	out = t->counts_ + ps->n_counts;
	nc = use_vector ? fixed_cells_vector(id_end, end, t->n_cpus, out) : 0;
	nc += fixed_cells(id_end + 11 * (gsize)nc, end, t->n_cpus - nc, out + nc);
	p = id_end + 1 + 11 * (gsize)nc;
	while (nc < t->n_cpus) {
		const char *q;
		guint64 v = 0;

		p = skip_blanks(p, end);
		if (p >= end || !is_digit(*p))
			break;
		q = p;
		while (q < end && is_digit(*q)) {
			guint d = (guint)(*q - '0');
			if (v > (G_MAXUINT64 - d) / 10)
				break;
			v = v * 10 + d;
			q++;
		}
		if (q < end && is_digit(*q)) {
			bad_line(t, line, "count out of range");
			eol = line_end(q, end);
			return eol < end ? eol + 1 : end;
		}
		if (q < end && !is_space(*q) && *q != '\n')
			break; /* "2-edge": free text starts here */
		out[nc++] = v;
		p = q;
	}
	p = skip_blanks(p, end);
	eol = line_end(p, end);
	if (nc == 0) {
		bad_line(t, line, "no counts after the IRQ id");
		return eol < end ? eol + 1 : end;
	}
	/* id, text, and the text again split in at most four strings, each with a NUL */
	arena_reserve(t, (gsize)(id_end - id) + 2 * (gsize)(eol - p) + 8);
	rb.id = arena_add(ps, id, (gsize)(id_end - id));
	rb.count_off = ps->n_counts;
	rb.n_counts = nc;
	rb.line = line;
	ps->n_counts += nc;

	text_end = eol;
	while (text_end > p && is_space(text_end[-1]))
		text_end--;
	rb.text = arena_add(ps, p, (gsize)(text_end - p));
	if (is_digit(*id))
		split_text(ps, &rb, p, text_end);
	else
		rb.name = rb.text;
	if (t->build_len_ == t->build_cap_) {
		t->build_cap_ = t->build_cap_ ? t->build_cap_ * 2 : 64;
		t->build_ = g_renew(struct row_build, t->build_, t->build_cap_);
	}
	((struct row_build *)t->build_)[t->build_len_++] = rb;
	return eol < end ? eol + 1 : end;
}

/* Leaves t empty, keeping its storage. */
static void table_clear(struct irq_table *t)
{
	t->n_cpus = 0;
	t->n_rows = 0;
	t->n_bad = 0;
	t->n_bad_kept = 0;
	t->arena_len_ = 0;
	arena_reserve(t, 4096);
	t->arena_[t->arena_len_++] = '\0'; /* offset 0 is "" */
	t->build_len_ = 0;
}

struct irq_table *irq_table_new(void)
{
	struct irq_table *t = g_new0(struct irq_table, 1);

	table_clear(t);
	return t;
}

/* Rows of [p, end) (whole lines), numbered from line + 1; returns the last line's number. */
static guint parse_rows(struct parser *ps, const char *p, const char *end, guint line)
{
	while (p < end) {
		const char *q = skip_blanks(p, end);

		line++;
		if (q >= end || *q == '\n') { /* blank line */
			p = q < end ? q + 1 : end;
			continue;
		}
		p = parse_row(ps, line, p, end);
	}
	return line;
}

static int threads_state = 1;

gboolean irq_set_threads(gboolean on)
{
	gboolean was = g_atomic_int_get(&threads_state);

	g_atomic_int_set(&threads_state, on ? 1 : 0);
	return was;
}

/* The second half of a big sample, parsed on a thread of its own into a scratch table. */
struct half_job {
	struct parser ps;
	const char *p, *end;
};

static gpointer half_thread(gpointer data)
{
	struct half_job *j = data;

	parse_rows(&j->ps, j->p, j->end, 0);
	return NULL;
}

/* Appends the rows of h (parsed from line 1 on) to ps's table, after its line last_line; their
 * strings and counts stay in h (the table keeps it), so nothing big is copied. */
static void merge_half(struct parser *ps, struct irq_table *h, guint last_line)
{
	struct irq_table *t = ps->table;

	if (t->build_len_ + h->build_len_ > t->build_cap_) {
		t->build_cap_ = MAX(t->build_len_ + h->build_len_, t->build_cap_ * 2);
		t->build_ = g_renew(struct row_build, t->build_, t->build_cap_);
	}
	for (guint i = 0; i < h->build_len_; i++) {
		struct row_build rb = ((const struct row_build *)h->build_)[i];

		rb.half = TRUE;
		rb.line += last_line;
		((struct row_build *)t->build_)[t->build_len_++] = rb;
	}
	for (guint i = 0; i < h->n_bad_kept && t->n_bad_kept < IRQ_BAD_LINES_KEPT; i++) {
		t->bad[t->n_bad_kept].line = h->bad[i].line + last_line;
		t->bad[t->n_bad_kept++].reason = h->bad[i].reason;
	}
	t->n_bad += h->n_bad;
}

/*
 * The rows after the header, line numbers from line + 1: a sample of IRQ_SPLIT_MIN bytes or more
 * is cut in two at a line end and its second half parsed on another thread (the rows do not
 * depend on each other), then appended: the same table, in about half the time on two cores.
 */
static void parse_body(struct parser *ps, const char *p, const char *end, guint line)
{
	struct irq_table *t = ps->table;
	const char *mid = NULL;
	struct half_job j;
	GThread *thread;

	if ((gsize)(end - p) >= IRQ_SPLIT_MIN && g_atomic_int_get(&threads_state))
		mid = memchr(p + (end - p) / 2, '\n', (gsize)(end - (p + (end - p) / 2)));
	if (!mid || ++mid >= end) {
		parse_rows(ps, p, end, line);
		return;
	}
	if (!t->half_)
		t->half_ = irq_table_new();
	table_clear(t->half_);
	t->half_->n_cpus = t->n_cpus;
	j = (struct half_job){ .ps = { .table = t->half_, .use_vector = ps->use_vector }, .p = mid, .end = end };
	counts_reserve(&j.ps, (gsize)(end - mid) / 11 + t->n_cpus);
	thread = g_thread_try_new("irq-parse", half_thread, &j, NULL);
	if (!thread) {
		parse_rows(ps, p, end, line);
		return;
	}
	line = parse_rows(ps, p, mid, line);
	g_thread_join(thread);
	merge_half(ps, t->half_, line);
}

gboolean irq_parse_into(struct irq_table *t, const char *data, gsize len, GError **error)
{
	struct parser ps = { .table = t, .use_vector = use_vector_now() };
	const char *p = data, *end = data + len;
	const char *base;
	guint line = 0;
	gboolean have_header = FALSE;

	table_clear(t);
	if (len > IRQ_MAX_SAMPLE) {
		g_set_error(error, IRQ_ERROR, IRQ_ERROR_TOO_BIG,
			    "interrupts sample of %" G_GSIZE_FORMAT " bytes is larger than the "
			    "%u bytes accepted", len, (guint)IRQ_MAX_SAMPLE);
		return FALSE;
	}
	/* the header: the first line that is not blank */
	while (p < end && !have_header) {
		const char *eol, *q;

		line++;
		q = skip_blanks(p, end);
		if (q >= end || *q == '\n') {
			p = q < end ? q + 1 : end;
			continue;
		}
		eol = line_end(p, end);
		if (!parse_header(t, p, eol)) {
			g_set_error(error, IRQ_ERROR, IRQ_ERROR_NO_HEADER,
				    "interrupts sample, line %u: expected the header of CPU columns "
				    "(\"CPU0 CPU1 ...\")", line);
			table_clear(t);
			return FALSE;
		}
		have_header = TRUE;
		p = eol < end ? eol + 1 : end;
	}
	if (!have_header) {
		g_set_error(error, IRQ_ERROR, IRQ_ERROR_NO_HEADER,
			    "interrupts sample is empty: expected the header of CPU columns");
		table_clear(t);
		return FALSE;
	}
	/* about one count per 11 bytes: reserve once rather than grow */
	counts_reserve(&ps, (gsize)(end - p) / 11 + t->n_cpus);
	parse_body(&ps, p, end, line);

	/* Offsets become pointers now that the arenas and counts no longer move. */
	t->n_rows = t->build_len_;
	if (t->n_rows > t->rows_cap_) {
		t->rows_cap_ = MAX(t->n_rows, t->rows_cap_ * 2);
		t->rows = g_renew(struct irq_row, t->rows, t->rows_cap_);
	}
	for (guint i = 0; i < t->n_rows; i++) {
		const struct row_build *rb = &((const struct row_build *)t->build_)[i];
		struct irq_row *r = &t->rows[i];

		base = rb->half ? t->half_->arena_ : t->arena_;
		r->id = base + rb->id;
		r->chip = base + rb->chip;
		r->hwirq = base + rb->hwirq;
		r->trigger = base + rb->trigger;
		r->name = base + rb->name;
		r->text = base + rb->text;
		r->counts = (rb->half ? t->half_->counts_ : t->counts_) + rb->count_off;
		r->n_counts = rb->n_counts;
		r->per_cpu = rb->n_counts == t->n_cpus;
		r->line = rb->line;
	}
	return TRUE;
}

struct irq_table *irq_parse(const char *data, gsize len, GError **error)
{
	struct irq_table *t = irq_table_new();

	if (!irq_parse_into(t, data, len, error)) {
		irq_table_free(t);
		return NULL;
	}
	return t;
}

void irq_table_free(struct irq_table *table)
{
	if (!table)
		return;
	g_free(table->cpu_ids);
	g_free(table->rows);
	g_free(table->counts_);
	g_free(table->arena_);
	g_free(table->build_);
	irq_table_free(table->half_);
	g_free(table);
}

int irq_table_find(const struct irq_table *table, const char *id)
{
	for (guint i = 0; i < table->n_rows; i++)
		if (strcmp(table->rows[i].id, id) == 0)
			return (int)i;
	return -1;
}

int irq_table_cpu_column(const struct irq_table *table, guint cpu)
{
	guint lo = 0, hi = table->n_cpus;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		if (table->cpu_ids[mid] < cpu)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < table->n_cpus && table->cpu_ids[lo] == cpu ? (int)lo : -1;
}

guint64 irq_row_total(const struct irq_row *row)
{
	guint64 s = 0;

	for (guint i = 0; i < row->n_counts; i++)
		s += row->counts[i];
	return s;
}

/* Delta of one cell; sets flags for a counter that went backwards. */
static inline guint64 cell_delta(guint64 b, guint64 a, guint8 *flags, guint *n_resets)
{
	if (G_LIKELY(a >= b))
		return a - b;
	(*n_resets)++;
	if (b <= G_MAXUINT32 && b >= 0xC0000000ULL && a < 0x40000000ULL) {
		*flags |= IRQ_CELL_WRAP;
		return a + (G_MAXUINT32 - b) + 1;
	}
	*flags |= IRQ_CELL_RESET;
	return a;
}

/* Grows *p (of *cap elements of size) to hold n. */
static void reserve(void **p, gsize *cap, gsize n, gsize size)
{
	if (n <= *cap)
		return;
	*cap = MAX(n, *cap * 2);
	*p = g_realloc_n(*p, *cap, size);
}

struct irq_diff *irq_diff(const struct irq_table *before, const struct irq_table *after,
			  double interval_s)
{
	struct irq_diff *d = g_new0(struct irq_diff, 1);

	irq_diff_into(d, before, after, interval_s);
	return d;
}

void irq_diff_into(struct irq_diff *d, const struct irq_table *before, const struct irq_table *after,
		   double interval_s)
{
	g_autoptr(GHashTable) by_id = NULL;
	gsize total = 0, off = 0, cap;
	gboolean same_cpus, use_vector = use_vector_now();
	int *col_map;   /* after column -> before column or -1 */
	guint8 *used;
	guint i, j;

	d->before = before;
	d->after = after;
	d->interval_s = interval_s;
	d->n_rows = after->n_rows;
	d->n_removed = d->n_resets = d->n_new_cpus = d->n_gone_cpus = 0;
	cap = d->rows_cap_;
	reserve((void **)&d->rows, &cap, MAX(d->n_rows, 1), sizeof(struct irq_diff_row));
	d->rows_cap_ = (guint)cap;
	memset(d->rows, 0, sizeof(struct irq_diff_row) * d->n_rows);
	for (i = 0; i < after->n_rows; i++)
		total += after->rows[i].n_counts;
	if (MAX(total, 1) > d->cells_cap_) {
		d->cells_cap_ = MAX(total, d->cells_cap_ * 2);
		d->deltas_ = g_renew(guint64, d->deltas_, d->cells_cap_);
		d->flags_ = g_renew(guint8, d->flags_, d->cells_cap_);
	}
	memset(d->flags_, 0, total);

	/* CPU columns: both id lists are strictly increasing, so merge them. */
	cap = d->col_map_cap_;
	reserve((void **)&d->col_map_, &cap, MAX(after->n_cpus, 1), sizeof(int));
	d->col_map_cap_ = (guint)cap;
	col_map = d->col_map_;
	for (i = 0, j = 0; i < after->n_cpus; i++) {
		while (j < before->n_cpus && before->cpu_ids[j] < after->cpu_ids[i]) {
			j++;
			d->n_gone_cpus++;
		}
		if (j < before->n_cpus && before->cpu_ids[j] == after->cpu_ids[i]) {
			col_map[i] = (int)j++;
		} else {
			col_map[i] = -1;
			d->n_new_cpus++;
		}
	}
	d->n_gone_cpus += before->n_cpus - j;
	same_cpus = d->n_gone_cpus == 0 && d->n_new_cpus == 0;

	cap = d->used_cap_;
	reserve((void **)&d->used_, &cap, MAX(before->n_rows, 1), 1);
	d->used_cap_ = (guint)cap;
	used = d->used_;
	memset(used, 0, before->n_rows);
	for (i = 0; i < after->n_rows; i++) {
		const struct irq_row *ar = &after->rows[i];
		const struct irq_row *br = NULL;
		struct irq_diff_row *dr = &d->rows[i];
		int bi = -1;

		/* Fast path: the same id at the same position (the usual case). */
		if (i < before->n_rows && strcmp(before->rows[i].id, ar->id) == 0) {
			bi = (int)i;
		} else {
			if (!by_id) {
				by_id = g_hash_table_new(g_str_hash, g_str_equal);
				for (j = before->n_rows; j-- > 0;)
					g_hash_table_insert(by_id, (gpointer)before->rows[j].id,
							    GUINT_TO_POINTER(j + 1));
			}
			bi = (int)GPOINTER_TO_UINT(g_hash_table_lookup(by_id, ar->id)) - 1;
		}
		if (bi >= 0) {
			br = &before->rows[bi];
			used[bi] = 1;
		}
		dr->after_row = i;
		dr->before_row = bi;
		dr->n_cells = ar->n_counts;
		dr->deltas = d->deltas_ + off;
		dr->flags = d->flags_ + off;
		off += ar->n_counts;
		if (!br) {
			for (j = 0; j < ar->n_counts; j++) {
				dr->deltas[j] = 0;
				dr->flags[j] = IRQ_CELL_NEW;
			}
			continue;
		}
		if (same_cpus && ar->per_cpu && br->per_cpu) {
			/* the usual case: same columns, no counter went back (checked after) */
			const guint64 *bv = br->counts, *av = ar->counts;
			gboolean back = use_vector ? plain_deltas_vector(bv, av, dr->deltas, ar->n_counts, &dr->total)
						   : plain_deltas(bv, av, dr->deltas, ar->n_counts, &dr->total);
			if (back) {
				dr->total = 0;
				for (j = 0; j < ar->n_counts; j++) {
					dr->deltas[j] = cell_delta(bv[j], av[j], &dr->flags[j], &d->n_resets);
					dr->total += dr->deltas[j];
				}
			}
		} else if (ar->per_cpu && br->per_cpu) {
			for (j = 0; j < ar->n_counts; j++) {
				int bc = col_map[j];
				if (bc < 0 || (guint)bc >= br->n_counts) {
					dr->deltas[j] = 0;
					dr->flags[j] = IRQ_CELL_NEW;
				} else {
					dr->deltas[j] = cell_delta(br->counts[bc], ar->counts[j],
								   &dr->flags[j], &d->n_resets);
				}
				dr->total += dr->deltas[j];
			}
		} else {
			for (j = 0; j < ar->n_counts; j++) {
				if (j >= br->n_counts || ar->per_cpu != br->per_cpu) {
					dr->deltas[j] = 0;
					dr->flags[j] = IRQ_CELL_NEW;
				} else {
					dr->deltas[j] = cell_delta(br->counts[j], ar->counts[j],
								   &dr->flags[j], &d->n_resets);
				}
				dr->total += dr->deltas[j];
			}
		}
	}
	/* Removed: ids absent from after (a duplicate id left unmatched in before is not). */
	{
		g_autoptr(GHashTable) after_ids = NULL;
		for (j = 0; j < before->n_rows; j++) {
			if (used[j])
				continue;
			if (!after_ids) {
				after_ids = g_hash_table_new(g_str_hash, g_str_equal);
				for (i = 0; i < after->n_rows; i++)
					g_hash_table_add(after_ids, (gpointer)after->rows[i].id);
			}
			if (!g_hash_table_contains(after_ids, before->rows[j].id))
				used[j] = 2;
		}
	}
	for (j = 0; j < before->n_rows; j++)
		if (used[j] == 2)
			d->n_removed++;
	cap = d->removed_cap_;
	reserve((void **)&d->removed, &cap, MAX(d->n_removed, 1), sizeof(guint));
	d->removed_cap_ = (guint)cap;
	for (j = 0, i = 0; j < before->n_rows; j++)
		if (used[j] == 2)
			d->removed[i++] = j;
}

void irq_diff_free(struct irq_diff *diff)
{
	if (!diff)
		return;
	g_free(diff->rows);
	g_free(diff->removed);
	g_free(diff->deltas_);
	g_free(diff->flags_);
	g_free(diff->used_);
	g_free(diff->col_map_);
	g_free(diff);
}

double irq_diff_rate(const struct irq_diff *diff, guint r, guint col)
{
	if (r >= diff->n_rows || col >= diff->rows[r].n_cells || diff->interval_s <= 0)
		return 0.0;
	return (double)diff->rows[r].deltas[col] / diff->interval_s;
}

gboolean irq_diff_get(const struct irq_diff *diff, const char *id, guint cpu, guint64 *delta,
		      guint8 *flags)
{
	int r = irq_table_find(diff->after, id);
	int c;
	const struct irq_diff_row *dr;

	if (r < 0)
		return FALSE;
	dr = &diff->rows[r];
	if (diff->after->rows[r].per_cpu)
		c = irq_table_cpu_column(diff->after, cpu);
	else
		c = cpu < dr->n_cells ? (int)cpu : -1;
	if (c < 0)
		return FALSE;
	if (delta)
		*delta = dr->deltas[c];
	if (flags)
		*flags = dr->flags[c];
	return TRUE;
}
