/* What one build is asked for: the build command's options, and their defaults. */
#ifndef UKB_BUILDOPTS_H
#define UKB_BUILDOPTS_H

#include "base/strvec.h"

struct build_opts {
	const char *tarball;       /* --tarball PATH */
	const char *version;       /* --version X.Y[.Z] (fetched) */
	const char *git_url;       /* --git URL */
	const char *git_ref;       /* --ref REF */
	unsigned arch;             /* ARCH_* */
	unsigned link;             /* LINK_STATIC (default) or LINK_DYNAMIC */
	const char *out;           /* --out DIR */
	const char *profile;       /* "defconfig" (default) or "minimal" */
	const char *toolchain;     /* toolchain profile name */
	struct strvec fragments;   /* --fragment FILE ... */
	struct strvec kconfig_add; /* --kconfig-add CONFIG_X=v ... */
	int jobs;
	int jobs_explicit;         /* -j given: distcc does not raise it */
	const char *distcc_hosts;  /* --distcc HOSTS: compile through distcc */
	int no_ccache;
	int no_boot;
	int source_only;           /* stop after the source stage */
	int out_in_cache;          /* out is a scratch dir of ours in the cache */
	int no_reuse;              /* configure and make even when the build
				      directory's record matches (reproduce) */
	int boot_timeout;
	/* fetching */
	struct strvec mirrors;
	struct strvec keyrings;
	int no_verify;
	int offline;
	/* where a failed run writes its metadata (results.failed_phase...) */
	const char *failure_record;
};

/*
 * The defaults every caller starts from: x86_64, static, defconfig, a
 * 120 s boot check, -j the online CPUs. build_opts_release frees the lists.
 */
void build_opts_init(struct build_opts *o);
void build_opts_release(struct build_opts *o);

#endif
