/* watchcmd.h - `virtcon watch interrupts`: per-IRQ per-CPU deltas of a machine or of snapshots. */
#ifndef VIRTCON_WATCHCMD_H
#define VIRTCON_WATCHCMD_H

/* argv[0] is "watch". Exit status: 0 done, 1 a sample failed, 2 usage. */
int watch_main(int argc, char **argv);

#endif
