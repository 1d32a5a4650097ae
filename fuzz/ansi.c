/* ansi.c - libFuzzer target: the escape-sequence stripper fed in chunks gives what it gives fed whole. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ansi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the output may hold: no ESC, no C0 control but LF and TAB (and CR and BS with
 * ANSI_LINE_EDITS, a CR never before LF), no DEL, and never more bytes than came in. */
static void check_text(const GString *out, size_t in_len, unsigned flags)
{
	if (out->len > in_len)
		__builtin_trap();
	for (gsize i = 0; i < out->len; i++) {
		unsigned char c = (unsigned char)out->str[i];

		if (c == '\n' || c == '\t' || c >= 0x20)
			continue;
		if ((flags & ANSI_LINE_EDITS) && c == '\b')
			continue;
		if ((flags & ANSI_LINE_EDITS) && c == '\r' && !(i + 1 < out->len && out->str[i + 1] == '\n'))
			continue;
		__builtin_trap();
	}
	if (memchr(out->str, 0x7f, out->len))
		__builtin_trap();
}

/* Layout: byte 0 holds the flags (bit 0) and the seed of the chunk sizes (bits 1-7); the rest is
 * the captured output. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned flags = data[0] & 1 ? ANSI_LINE_EDITS : 0;
	guint32 seed = data[0] >> 1;
	const char *in = (const char *)data + 1;
	size_t len = size - 1, pos = 0;
	gsize whole_len;
	char *whole = ansi_strip(in, len, flags, &whole_len);
	GString *out = g_string_new(NULL);
	struct ansi a;

	ansi_init(&a, flags);
	while (pos < len) {
		/* chunks of 0 to 15 bytes, a different pattern per seed */
		seed = seed * 1103515245u + 12345u;
		size_t n = MIN((size_t)(seed >> 16) % 16, len - pos);

		ansi_feed(&a, in + pos, n, out);
		pos += n;
	}
	ansi_finish(&a, out);
	if (out->len != whole_len || memcmp(out->str, whole, whole_len) != 0)
		__builtin_trap();
	check_text(out, len, flags);
	g_string_free(out, TRUE);
	g_free(whole);
	return 0;
}
