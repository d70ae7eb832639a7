/* The build's first "error: " line from its diagnostics (with the line
 * kbuild quotes under it), or NULL; caller frees. */
char *matrix_first_error(const char *text);

/*
 * `umlkbuild matrix FILE.ini`: many builds from one INI file (read with
 * ini_read), run in forked children through build_run, reported in
 * OUT/matrix.{json,md,html}. docs/matrix.md documents the file:
 *
 *   [matrix]
 *   out = DIR          ; artifacts: DIR/linux-VER-um-ARCH[-PROFILE][-SUFFIX]
 *   jobs = 2           ; the -j budget, shared by the builds running at once
 *   parallel = 1       ; builds at once (each gets jobs / parallel)
 *   [cell NAME]
 *   tarball = PATH ... | version = X.Y.Z ... | git = URL + ref = REF ...
 *   arch = x86_64 i386
 *   profile = minimal defconfig
 *   fragment = FILE    ; repeatable
 *
 * A cell expands into sources x arches x profiles builds. matrix.c reads
 * the file; matrixrun.c runs the builds and writes the report (report.h).
 */
#ifndef UKB_MATRIX_H
#define UKB_MATRIX_H

#include <stddef.h>

#include "base/strvec.h"

/* One expanded build: a source x an arch x a profile of one cell. */
struct matrix_build {
	char *cell;               /* the section's NAME */
	unsigned line;            /* the section's line in the file */
	const char *kind;         /* "tarball", "version" or "git" */
	char *source;             /* path, version, or git ref */
	char *git_url;            /* git sources only */
	unsigned arch;            /* ARCH_* */
	char *profile;
	char *toolchain;          /* NULL: the matrix's, then the default */
	char *suffix;             /* NULL or a word for the artifact name */
	struct strvec fragments;  /* absolute paths */
	struct strvec kconfig_add;
};

struct matrix {
	char *file;               /* the INI file's name, for messages */
	char *out;                /* absolute; NULL when unset */
	int jobs;                 /* 0: unset */
	int parallel;             /* 0: unset */
	int no_boot, no_ccache;
	int boot_timeout;         /* 0: unset */
	char *toolchain;
	char *distcc;             /* DISTCC_HOSTS for every build, or NULL */
	struct matrix_build *b;
	size_t nr, alloc;
};

void matrix_init(struct matrix *m);
void matrix_release(struct matrix *m);

/*
 * Parse len bytes of a matrix file and expand its cells into m->b. name
 * is the file's path, used in messages and to resolve relative paths.
 * Pure (no file is opened). Returns 0 or -UKB_EUSAGE with the first
 * problem reported as "name:LINE: problem". Fuzzed.
 */
int matrix_parse(struct matrix *m, const char *name, const char *buf,
		 size_t len);
/* Read and parse path, then check the fragments it names are readable. */
int matrix_load(struct matrix *m, const char *path);

/* A file-name-safe label for a build's source (a tarball's base name,
 * a version, a ref); caller frees. */
char *matrix_source_label(const char *kind, const char *source);
/* "linux-VER-um-ARCH[-PROFILE][-SUFFIX]" (profile dropped for defconfig). */
char *matrix_artifact_name(const struct matrix_build *b, const char *version);

/* The build's first "error: " line from its diagnostics (with the line
 * kbuild quotes under it), or NULL; caller frees. */
char *matrix_first_error(const char *text);
struct manifest;
/*
 * The failing phase of a child: its metadata's results.failed_phase
 * (kmod, strip and config count as "verify"), else its exit code's class.
 * meta may be NULL. Returns a static string.
 */
const char *matrix_child_phase(int exit_code, const struct manifest *meta);

/*
 * `umlkbuild matrix [OPTIONS] FILE.ini`: run every build, keep going past
 * failures, write the reports. Returns 0 when every build passed,
 * -UKB_EBUILD when one failed, -UKB_EUSAGE for a bad file, -UKB_EHOST
 * when the out dir cannot be written, -UKB_EINTR when interrupted.
 */
/* What the command line says; zero/NULL: the file's [matrix] or the default. */
struct matrix_args {
	const char *file;         /* FILE.ini */
	const char *out;
	const char *config_file;
	const char *toolchain;
	int jobs, parallel;
	int no_boot, no_ccache, offline, json;
};

/*
 * Build every cell of a->file, keep going past failures, write the
 * reports; returns 0, -UKB_EBUILD when a build failed, or another error.
 */
int matrix_run_file(const struct matrix_args *a);

#endif
