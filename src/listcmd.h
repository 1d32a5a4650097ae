/* listcmd.h - `virtcon list vms|suites [--json]`. */
#ifndef VIRTCON_LISTCMD_H
#define VIRTCON_LISTCMD_H

/* argv[0] is "list". Returns the exit status: 0 listed, 1 a connection or suite failed, 2 usage. */
int list_main(int argc, char **argv);

#endif
