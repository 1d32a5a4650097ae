/* termkeys.h - a key press as the bytes an xterm sends for it, for a console pane in interactive mode. */
#ifndef VIRTCON_UI_TERMKEYS_H
#define VIRTCON_UI_TERMKEYS_H

#include <glib.h>

#define TERMKEYS_MAX 8

/* Writes into out the bytes for key (a keys.h key: a code point, or UI_KEY_FN(KEY_...)):
 * characters as UTF-8, Enter as CR, Backspace as DEL, arrows and the editing keys as xterm's
 * escape sequences (normal cursor mode), F1-F12. Returns the length, 0 for a key that sends
 * nothing (a resize, the mouse, a curses key without a sequence). */
gsize termkeys_encode(int key, char out[TERMKEYS_MAX]);

#endif
