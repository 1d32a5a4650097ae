/* console-latency.c - keystroke round trip through a console: vconsole on the testbed vs a peer on QEMU's serial socket. */
#include "config.h"
int main(void)
{
	return 0;
}
