/*
 * The boot console: the input split into lines, each copied into a buffer
 * of exactly its length (no NUL) and fed to bootlog_parse_line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootlog.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct boot_result r = { 0 };

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len;
		char *line;

		if (!eol)
			eol = end;
		len = (size_t)(eol - p);
		line = malloc(len ? len : 1);
		if (!line)
			abort();
		memcpy(line, p, len);
		(void)bootlog_parse_line(line, len, &r);
		free(line);
		p = eol + 1;
	}
	if (r.nr_failed > r.nr || (r.passed && !r.saw_result))
		abort();
	for (size_t i = 0; i < r.nr; i++)
		if (!r.checks[i].status || !r.checks[i].name ||
		    !r.checks[i].detail)
			abort();
	boot_result_release(&r);
	return 0;
}
