/* vars_link_stub.c - TEMPORARY: lets test_requires link until src/vars.c is in libvirtcon.a; delete then. */
#include "config.h"

#include "vars.h"

/* requires.c calls vars_expand() only when given a struct vars, which test_requires never does
 * (there is no vars_new() to make one yet). Reaching this is a bug in the test. */
char *vars_expand(const struct vars *vars, const char *text, enum vars_mode mode, GError **error)
{
	(void)vars;
	(void)text;
	(void)mode;
	(void)error;
	g_error("vars_link_stub: vars_expand() called; link the real src/vars.c");
	return NULL;
}
