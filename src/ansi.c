/* ansi.c - strips terminal escape sequences from captured output (expect, exports, text panes). */
#include "config.h"

#include "ansi.h"

enum ansi_state {
	ANSI_GROUND,
	ANSI_ESC,       /* after ESC */
	ANSI_ESC_INTER, /* ESC and intermediates: until a final byte */
	ANSI_CSI,       /* until a final byte 0x40-0x7e */
	ANSI_STRING,    /* OSC, DCS, SOS, PM, APC: until ST (or BEL for an OSC) */
	ANSI_STRING_ESC /* ESC inside a string: ST if a backslash follows */
};

#define CAN 0x18
#define SUB 0x1a
#define ESC 0x1b

void ansi_init(struct ansi *a, unsigned flags)
{
	*a = (struct ansi){ .state = ANSI_GROUND, .flags = (guint8)flags };
}

/* Text is about to go out: a CR held back is a line end of its own unless this is LF. */
static void settle_cr(struct ansi *a, guchar next, GString *out)
{
	if (!a->cr_pending)
		return;
	a->cr_pending = FALSE;
	if (next != '\n')
		g_string_append_c(out, (a->flags & ANSI_LINE_EDITS) ? '\r' : '\n');
}

static void start_string(struct ansi *a, gboolean osc)
{
	a->state = ANSI_STRING;
	a->osc = osc;
	a->string_len = 0;
}

/* A C1 control (0x80-0x9f, from UTF-8): the same anywhere, as on a VT. */
static void c1_control(struct ansi *a, guchar c)
{
	switch (c) {
	case 0x9b: /* CSI */
		a->state = ANSI_CSI;
		break;
	case 0x9d: /* OSC */
		start_string(a, TRUE);
		break;
	case 0x90: /* DCS */
	case 0x98: /* SOS */
	case 0x9e: /* PM */
	case 0x9f: /* APC */
		start_string(a, FALSE);
		break;
	default: /* ST ends a string; the others are dropped (and end one too) */
		a->state = ANSI_GROUND;
		break;
	}
}

/* A byte in the ground state. */
static void ground(struct ansi *a, guchar c, GString *out)
{
	if (c == ESC) {
		a->state = ANSI_ESC;
	} else if (c == '\r') {
		a->cr_pending = TRUE; /* CR CR LF is one line end too */
	} else if (c == 0xc2) {
		a->c2_pending = TRUE;
	} else if (c == '\n' || c == '\t' || (c == '\b' && (a->flags & ANSI_LINE_EDITS)) ||
		   (c >= 0x20 && c != 0x7f)) {
		settle_cr(a, c, out);
		g_string_append_c(out, (char)c);
	}
	/* other C0 controls (CAN and SUB too) and DEL carry no text */
}

/* One byte in any state but the plain-text run ansi_feed() copies at once. */
static void step(struct ansi *a, guchar c, GString *out)
{
	if (a->c2_pending) {
		a->c2_pending = FALSE;
		if (c >= 0x80 && c <= 0x9f) {
			c1_control(a, c);
			return;
		}
		if (a->state == ANSI_GROUND) {
			settle_cr(a, 0xc2, out);
			g_string_append_c(out, (char)0xc2);
		}
		/* in a string, the 0xc2 was part of it; c goes on as usual */
	}
	switch ((enum ansi_state)a->state) {
	case ANSI_GROUND:
		ground(a, c, out);
		return;
	case ANSI_ESC:
	case ANSI_ESC_INTER:
	case ANSI_CSI:
		if (c == 0x7f)
			return; /* ignored inside a sequence */
		if (c == CAN || c == SUB) {
			a->state = ANSI_GROUND;
			return;
		}
		if (c < 0x20 || c >= 0x80) {
			/* cut short: the byte counts on its own (ESC starts a new sequence) */
			a->state = ANSI_GROUND;
			ground(a, c, out);
			return;
		}
		if (a->state == ANSI_CSI) {
			if (c >= 0x40)
				a->state = ANSI_GROUND; /* the final byte */
		} else if (c <= 0x2f) {
			a->state = ANSI_ESC_INTER;
		} else if (a->state == ANSI_ESC_INTER) {
			a->state = ANSI_GROUND;
		} else if (c == '[') {
			a->state = ANSI_CSI;
		} else if (c == ']') {
			start_string(a, TRUE);
		} else if (c == 'P' || c == 'X' || c == '^' || c == '_') {
			start_string(a, FALSE);
		} else {
			a->state = ANSI_GROUND; /* a two-byte sequence: ESC 7, ESC =, ESC \ ... */
		}
		return;
	case ANSI_STRING:
		if (c == ESC) {
			a->state = ANSI_STRING_ESC;
		} else if (c == CAN || c == SUB || (c == 0x07 && a->osc)) {
			a->state = ANSI_GROUND;
		} else if (++a->string_len > ANSI_STRING_MAX) {
			/* no end in sight: a stray introducer, not a string; text again from here */
			a->state = ANSI_GROUND;
			ground(a, c, out);
		} else if (c == 0xc2) {
			a->c2_pending = TRUE;
		}
		return;
	case ANSI_STRING_ESC:
		if (c == '\\') {
			a->state = ANSI_GROUND;
		} else {
			/* the ESC ended the string and starts a sequence of its own */
			a->state = ANSI_ESC;
			step(a, c, out);
		}
		return;
	}
}

static inline gboolean plain(guchar c)
{
	return c >= 0x20 && c != 0x7f && c != 0xc2;
}

void ansi_feed(struct ansi *a, const char *data, gsize len, GString *out)
{
	const guchar *p = (const guchar *)data, *end = p + len;

	while (p < end) {
		if (a->state == ANSI_GROUND && !a->c2_pending && plain(*p)) {
			/* a run of text goes out at once */
			const guchar *run = p;

			while (p < end && plain(*p))
				p++;
			settle_cr(a, *run, out);
			g_string_append_len(out, (const char *)run, p - run);
			continue;
		}
		step(a, *p++, out);
	}
}

void ansi_finish(struct ansi *a, GString *out)
{
	if (a->c2_pending && a->state == ANSI_GROUND) {
		settle_cr(a, 0xc2, out);
		g_string_append_c(out, (char)0xc2);
	}
	settle_cr(a, 0, out);
	ansi_init(a, a->flags);
}

char *ansi_strip(const char *data, gsize len, unsigned flags, gsize *out_len)
{
	struct ansi a;
	GString *out = g_string_sized_new(len);

	ansi_init(&a, flags);
	ansi_feed(&a, data, len, out);
	ansi_finish(&a, out);
	if (out_len)
		*out_len = out->len;
	return g_string_free(out, FALSE);
}
