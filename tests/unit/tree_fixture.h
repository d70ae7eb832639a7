/*
 * Writing a small source tree for the unit tests of ktree and explain:
 * a file at top/rel, with its directories. Header-only, as each test
 * program is built from one .c file.
 */
#ifndef UKB_TEST_TREE_FIXTURE_H
#define UKB_TEST_TREE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"

/* 0 or -errno */
static inline int tree_write(const char *top, const char *rel,
			     const char *text)
{
	char *path = path_join(top, rel);
	char *slash = strrchr(path, '/');
	int ret;

	*slash = '\0';
	ret = mkdir_p(path, 0755);
	*slash = '/';
	if (!ret)
		ret = write_file_atomic(path, text, strlen(text), 0644);
	free(path);
	return ret;
}

#endif
