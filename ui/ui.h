/* ui.h - the ncurses console: the one entry point the binary calls. */
#ifndef VIRTCON_UI_H
#define VIRTCON_UI_H

/* `virtcon [-c URI] [SUITE]`: runs the console until the operator quits; returns the exit status. */
int ui_main(int argc, char **argv);

#endif
