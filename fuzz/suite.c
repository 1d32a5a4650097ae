/* fuzz/suite.c - libFuzzer target: suite_load_data() on arbitrary bytes, then free. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "suite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	struct suite *suite = suite_load_data((const char *)data, size, "fuzz.yaml", &error);

	if (suite) {
		g_assert(error == NULL);
		g_assert(suite->steps->len > 0);
		g_assert(suite->machines->len > 0);
		suite_free(suite);
	} else {
		g_assert(error != NULL && error->message[0] != '\0');
		g_error_free(error);
	}
	return 0;
}
