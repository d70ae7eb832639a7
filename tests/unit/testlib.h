/*
 * Helpers shared by the unit tests (linked into every tests/unit/test_*
 * binary). Capture: what the code reports through log.h (error, warning,
 * hint, info, debug, child lines under -v) is kept in memory instead of
 * being printed, through log_set_sink(), so a test asserts on the lines a
 * user would read. Include after <cmocka.h>.
 */
#ifndef UKB_TESTLIB_H
#define UKB_TESTLIB_H

#include <stddef.h>

#include "base/log.h"

/* Start capturing (drops what an earlier capture kept). */
void capture_start(void);
/*
 * The lines captured so far, each as stderr would show it plus "\n"
 * ("error: cannot ...\n"); "" when none. Valid until the next capture
 * call; testlib owns it.
 */
const char *captured(void);
/* How many captured lines have level. */
size_t captured_count(enum log_level level);
/* Stop capturing, print nothing more; returns the text (caller frees). */
char *capture_stop(void);

/*
 * Fail the test unless some captured line matches the POSIX extended
 * regular expression re (matched against the line without its "\n");
 * the failure shows everything captured.
 */
#define assert_logged(re) testlib_assert_logged((re), 1, __FILE__, __LINE__)
/* The same, failing when some line matches. */
#define assert_not_logged(re) testlib_assert_logged((re), 0, __FILE__, __LINE__)
void testlib_assert_logged(const char *re, int want, const char *file,
			   int line);

/* A new private directory under $TMPDIR (caller frees; rmtree() it). */
char *test_tmpdir(const char *name);

#endif
