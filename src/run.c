/* run.c - the run state machine: step queue, operator commands, expectations, timeouts, verdicts. */
#include "config.h"

#include "run.h"

const char *step_status_name(enum step_status status)
{
	static const char *const names[STEP_STATUS_COUNT] = {
		"pending", "running", "pass", "fail", "skip", "blocked", "error",
	};
	return (unsigned)status < STEP_STATUS_COUNT ? names[status] : "unknown";
}
