/*
 * Progress on a terminal only (git's progress.c): nothing is shown until a
 * short delay has passed, lines are redrawn with '\r', and nothing at all
 * when stderr is not a terminal or with -q.
 */
#ifndef UKB_PROGRESS_H
#define UKB_PROGRESS_H

#include <stdint.h>

struct progress;

/* total 0 means unknown; bytes selects byte units with rate and ETA. */
struct progress *progress_start(const char *title, uint64_t total, int bytes);
void progress_update(struct progress *p, uint64_t done);
/* Print the final state (when anything was shown) and free. NULL is fine. */
void progress_stop(struct progress **p);

#endif
