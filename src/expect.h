/* expect.h - send/expect matching over a byte stream (console, host pty, SSH shell), like expect(1). */
#ifndef VIRTCON_EXPECT_H
#define VIRTCON_EXPECT_H

#include <glib.h>

/*
 * A buffer of what a session printed and nobody consumed yet. expect_wait() looks for a
 * pattern in it; a match consumes the buffer up to the end of the match, as expect(1) does, so
 * the next expect sees only what came after. Terminal noise is removed before matching (ansi.h):
 * escape sequences (busybox's ESC[6n after each prompt), controls but LF and TAB; CR LF is LF and
 * a lone CR too (each version of a redrawn line is a line of its own; a CR at the end of the
 * buffer waits for the next byte). The buffer is capped (EXPECT_KEEP: the oldest bytes are
 * dropped, and a pattern can't see them).
 */
#define EXPECT_KEEP (1024 * 1024)

struct expect;

struct expect *expect_new(void);
void expect_free(struct expect *ex);
/* Adds bytes from the session. */
void expect_feed(struct expect *ex, const char *data, gsize len);
/* Drops everything buffered (a step that wants only new output). */
void expect_clear(struct expect *ex);
/* Searches the unconsumed text for re. On a match returns TRUE, sets *matched (may be NULL) to
 * the matched text, and consumes up to the match's end. */
gboolean expect_match(struct expect *ex, const GRegex *re, char **matched);
/* The unconsumed text, cleaned (for "expected X, last output was ..." messages). */
const char *expect_text(const struct expect *ex);
/* The last n lines of the unconsumed text (newly allocated). */
char *expect_tail(const struct expect *ex, guint n);

#endif
