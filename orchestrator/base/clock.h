/* The monotonic clock, for timeouts, progress and durations. */
#ifndef UKB_CLOCK_H
#define UKB_CLOCK_H

/* Milliseconds on CLOCK_MONOTONIC (from an arbitrary start). */
long long clock_ms(void);

#endif
