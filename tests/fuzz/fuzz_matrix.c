/*
 * matrix_parse: a matrix file through ini_read and the cell expansion.
 * Whatever parses must expand into builds with a known kind, a known
 * arch and profile, absolute fragment paths, and artifact names that
 * stay one path component.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/scope.h"
#include "base/errors.h"
#include "configure/configure.h"
#define FUZZ_CUSTOM_INIT
#include "driver/matrix.h"
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
	struct matrix m;
	int ret;

	matrix_init(&m);
	ret = matrix_parse(&m, "/srv/m.ini", (const char *)data, size);
	if (ret && ret != -UKB_EUSAGE)
		abort();
	if (!ret && !m.nr)
		abort();
	if (!ret && m.out && m.out[0] != '/')
		abort();
	for (size_t i = 0; !ret && i < m.nr; i++) {
		const struct matrix_build *b = &m.b[i];
		char *name = matrix_artifact_name(b, "6.1.1");
		char *label = matrix_source_label(b->kind, b->source);

		if (strcmp(b->kind, "tarball") && strcmp(b->kind, "version") &&
		    strcmp(b->kind, "git"))
			abort();
		if (b->arch != ARCH_X86_64 && b->arch != ARCH_I386)
			abort();
		if (!configure_valid_profile(b->profile))
			abort();
		if (!strcmp(b->kind, "git") != !!b->git_url)
			abort();
		for (size_t k = 0; k < b->fragments.nr; k++)
			if (b->fragments.v[k][0] != '/')
				abort();
		if (strchr(name, '/') || strchr(label, '/') || !*label)
			abort();
		free(name);
		free(label);
	}
	matrix_release(&m);
	return 0;
}
