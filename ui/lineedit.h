/* lineedit.h - a one-line text editor's model: buffer, cursor, editing keys, horizontal scroll. */
#ifndef VIRTCON_UI_LINEEDIT_H
#define VIRTCON_UI_LINEEDIT_H

#include <glib.h>

#define LINEEDIT_MAX_CHARS 8192

struct lineedit;

struct lineedit *lineedit_new(const char *initial);
void lineedit_free(struct lineedit *le);
void lineedit_set(struct lineedit *le, const char *text); /* cursor at the end */
char *lineedit_text(const struct lineedit *le);           /* UTF-8, free it */
guint lineedit_cursor(const struct lineedit *le);         /* in characters */
guint lineedit_length(const struct lineedit *le);

void lineedit_insert(struct lineedit *le, gunichar c); /* ignored beyond LINEEDIT_MAX_CHARS */
void lineedit_backspace(struct lineedit *le);
void lineedit_delete(struct lineedit *le);
void lineedit_left(struct lineedit *le);
void lineedit_right(struct lineedit *le);
void lineedit_home(struct lineedit *le);
void lineedit_end(struct lineedit *le);
void lineedit_kill_to_end(struct lineedit *le);   /* ^K */
void lineedit_kill_to_start(struct lineedit *le); /* ^U */
void lineedit_kill_word(struct lineedit *le);     /* ^W: the word before the cursor */
void lineedit_word_left(struct lineedit *le);
void lineedit_word_right(struct lineedit *le);

/* What to show in width cells: the visible part of the text as UTF-8 (newlines and other
 * controls shown as nl_glyph) and the cursor's cell column within it. Keeps the cursor in
 * view, scrolling by a third of the width. Free the result. */
char *lineedit_view(struct lineedit *le, int width, const char *nl_glyph, int *cursor_col);

#endif
