/* ccache's statistics for a store, read around the compile. */
#ifndef UKB_CCACHE_H
#define UKB_CCACHE_H

/*
 * ccache's counters (hits, misses) for the store dir, from
 * `ccache --print-stats`; both -1 when dir is NULL or ccache fails.
 */
void ccache_counts(const char *dir, long long *hits, long long *misses);

#endif
