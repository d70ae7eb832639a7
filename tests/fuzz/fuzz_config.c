/*
 * config_parse: INI text through libinih. Whatever parses must hold only
 * mirrors the URL policy allows and absolute paths.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "errors.h"
#include "fetch.h"
#define FUZZ_CUSTOM_INIT
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	setenv("HOME", "/home/fuzz", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ukb_config c;
	int ret;

	config_init(&c);
	ret = config_parse(&c, "/etc/umlkbuild.ini", (const char *)data, size);
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
	config_release(&c);
	return 0;
}
