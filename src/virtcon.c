/* virtcon.c - main: the console, and the headless commands run, check and export. */
#include "config.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("virtcon %s\n", PACKAGE_VERSION);
	return 0;
}
