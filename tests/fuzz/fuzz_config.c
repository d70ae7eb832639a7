/*
 * settings_parse: INI text through libinih. Whatever parses must hold only
 * mirrors the URL policy allows and absolute paths. The same bytes, as a
 * file, through the bounded reader config files are read with: all of
 * them within the limit, none and -EFBIG past it.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/strbuf.h"
#include "source/http.h"
#include "source/settings.h"
#define FUZZ_CUSTOM_INIT
#include "fuzz.h"

/* an unlinked temporary file, opened again through /proc */
static char file[64];
static int fd = -1;

static void check_reader(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	size_t max = size ? data[0] % (size + 2) : 0;

	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	strbuf_addstr(&sb, "x");
	if (size <= max) {
		if (read_input_file(&sb, file, max, NULL) ||
		    sb.len != size + 1 || memcmp(sb.buf + 1, data, size))
			abort();
	} else if (read_input_file(&sb, file, max, NULL) != -EFBIG ||
		   sb.len != 1) {
		abort();
	}
	strbuf_release(&sb);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	setenv("HOME", "/home/fuzz", 1);
	{
		char tmpl[] = "/tmp/fuzz_config.XXXXXX";

		fd = mkstemp(tmpl);
		if (fd < 0)
			abort();
		unlink(tmpl);
		snprintf(file, sizeof(file), "/proc/self/fd/%d", fd);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ukb_settings c;
	int ret;

	check_reader(data, size);
	settings_init(&c);
	ret = settings_parse(&c, "/etc/umlkbuild.ini", (const char *)data, size);
	if (ret && ret != -UKB_EUSAGE)
		abort();
	for (size_t i = 0; !ret && i < c.mirrors.nr; i++)
		if (!*c.mirrors.v[i] || fetch_url_refused(c.mirrors.v[i]))
			abort();
	for (size_t i = 0; !ret && i < c.keyrings.nr; i++)
		if (c.keyrings.v[i][0] != '/')
			abort();
	if (!ret && c.cache_dir && c.cache_dir[0] != '/')
		abort();
	settings_release(&c);
	return 0;
}
