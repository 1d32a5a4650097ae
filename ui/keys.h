/* keys.h - one int per key press: characters as code points, curses function keys offset above Unicode. */
#ifndef VIRTCON_UI_KEYS_H
#define VIRTCON_UI_KEYS_H

#define UI_KEY_FN(k) (0x200000 | (k)) /* a KEY_* code from curses (KEY_UP ...) */
#define UI_KEY_IS_FN(k) (((k) & 0x200000) != 0)
#define UI_CTRL(c) ((c) & 0x1f)
#define UI_KEY_ESC 0x1b
#define UI_KEY_TAB '\t'

#endif
