/* export_tool.c - test helper: `export_tool JOURNAL [--junit F] [--tap F] [--markdown F]` (export_main without main's wiring). */
#include "config.h"

#include "export.h"

int main(int argc, char **argv)
{
	return export_main(argc, argv);
}
