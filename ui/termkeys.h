/* termkeys.h - a key press as the bytes an xterm sends for it, for a console pane in interactive mode. */
#ifndef VIRTCON_UI_TERMKEYS_H
#define VIRTCON_UI_TERMKEYS_H

#include <glib.h>

#include "vtgrid.h"

#define TERMKEYS_MAX VTGRID_KEY_BYTES_MAX

/* Writes into out the bytes for key (a keys.h key: a code point, or UI_KEY_FN(KEY_...)) as the
 * terminal of grid sends them in the modes its guest set (see vtgrid_key_bytes): characters as
 * UTF-8, Enter as CR (CR LF in newline mode), Backspace as DEL, arrows, Home and End as xterm's
 * escape sequences in normal or application cursor mode, the keypad keys curses knows (KEY_A1 ..
 * KEY_C3, KEY_ENTER) in numeric or application keypad mode, the editing keys, F1-F12. Returns the
 * length, 0 for a key that sends nothing (a resize, the mouse, a curses key without a sequence). */
gsize termkeys_encode(int key, struct vtgrid *grid, char out[TERMKEYS_MAX]);

#endif
