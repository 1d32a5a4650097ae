/* virtcon.c - main: the console, and the headless commands run, check and export. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "export.h"
#include "listcmd.h"
#include "virt.h"
#include "runner.h"
#include "watchcmd.h"
#include "timelinecmd.h"
#include "pane_timeline.h"

static const char usage_text[] =
	"Usage:\n"
	"  virtcon [-c URI] [SUITE]          open the console (on SUITE, ready to run)\n"
	"  virtcon run SUITE [OPTION...]     run a suite headless (see virtcon run --help)\n"
	"  virtcon check SUITE...            check suite files; problems as FILE:LINE:COL: message\n"
	"  virtcon export JOURNAL [OPTION...] export a session journal (JUnit, TAP, Markdown)\n"
	"  virtcon list vms [-c URI] [--json] list the VMs of a libvirt connection\n"
	"  virtcon list suites [--json]      list the suites found\n"
	"  virtcon watch interrupts (--on MACHINE --suite SUITE | --file PATH...) [OPTION...]\n"
	"                                    per-CPU interrupt deltas, one line per sample\n"
	"  virtcon timeline FILE [--summary [--json]] an event log's timeline, or its figures\n"
	"  virtcon --version | --help\n"
	"\n"
	"SUITE is a suite file, or a suite name found in ./suites, ~/.config/virtcon/suites or\n"
	"the installed suites. See virtcon(1) and virtcon-suite(5).\n";

static int console_main(int argc, char **argv);

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	g_set_prgname("virtcon");
	virt_log_setup();

	if (argc > 1) {
		const char *cmd = argv[1];

		if (g_str_equal(cmd, "run"))
			return runner_run_main(argc - 1, argv + 1);
		if (g_str_equal(cmd, "check"))
			return runner_check_main(argc - 1, argv + 1);
		if (g_str_equal(cmd, "list"))
			return list_main(argc - 1, argv + 1);
		if (g_str_equal(cmd, "watch"))
			return watch_main(argc - 1, argv + 1);
		if (g_str_equal(cmd, "export"))
			return export_main(argc - 1, argv + 1);
		if (g_str_equal(cmd, "timeline"))
			return timelinecmd_main(argc - 1, argv + 1, ui_timeline_main);
		if (g_str_equal(cmd, "--version") || g_str_equal(cmd, "-V")) {
			printf("virtcon %s\n", PACKAGE_VERSION);
			return 0;
		}
		if (g_str_equal(cmd, "--help") || g_str_equal(cmd, "-h") || g_str_equal(cmd, "help")) {
			fputs(usage_text, stdout);
			return 0;
		}
	}
	return console_main(argc, argv);
}

#include "ui.h"

static int console_main(int argc, char **argv)
{
	return ui_main(argc, argv);
}
