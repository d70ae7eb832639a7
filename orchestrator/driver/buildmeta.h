/*
 * What the build driver records in metadata.json besides the stages'
 * own results: the inputs, the host and its tools, the source, each
 * phase's status and duration, the boot check and the run's totals.
 */
#ifndef UKB_BUILDMETA_H
#define UKB_BUILDMETA_H

#include <time.h>

#include "base/strvec.h"
#include "boot/boot.h"
#include "compile/toolchain.h"
#include "driver/buildopts.h"
#include "source/source.h"

struct manifest;

/* Seconds since t0 (CLOCK_MONOTONIC). */
double buildmeta_since(const struct timespec *t0);
/* results.phases.PHASE, and results.failed_phase when ret is non-zero. */
void buildmeta_phase(struct manifest *m, const char *phase,
		     const struct timespec *t0, int ret);
/* The options, the toolchain, the host and its tools' versions. */
void buildmeta_inputs(struct manifest *m, const struct build_opts *o,
		      const struct toolchain *tc);
/* Where the source came from, how it was verified, its patches. */
void buildmeta_source(struct manifest *m, const struct source *s,
		      const char *ver);
/*
 * The fragments used (the names configure_fragments gave), each with its
 * sha256 and, for a user's one, its text; the --kconfig-add lines.
 * Returns 0 or -UKB_EUSAGE (a fragment became unreadable; message printed).
 */
int buildmeta_fragments(struct manifest *m, const struct build_opts *o,
			const struct strvec *used);
/* The boot check's result r (ret: boot_run's return). */
void buildmeta_boot(struct manifest *m, const struct boot_result *r, int ret);
/* A passed run: its status, duration since t_run and umlkbuild's peak RSS. */
void buildmeta_passed(struct manifest *m, const struct timespec *t_run);

#endif
