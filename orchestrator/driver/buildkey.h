/*
 * The build's input key: everything the artifact depends on, hashed, and
 * whether a published artifact, or the build directory, was built from
 * the very same inputs.
 */
#ifndef UKB_BUILDKEY_H
#define UKB_BUILDKEY_H

#include "base/sha256.h"
#include "compile/toolchain.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"
#include "driver/buildopts.h"

struct manifest;

struct buildkey_in {
	const struct build_opts *o;
	const char *tree_key;              /* the patched tree's key */
	const struct toolchain *tc;
	const struct kc_set *requested;
	const struct kc_required *required;
	int ccache;                        /* CC goes through ccache */
	const char *wrapper;               /* distcc, or NULL */
};

/* Hash the inputs into key and record it as build.input_key in m. */
void buildkey_compute(const struct buildkey_in *in, struct manifest *m,
		      char key[SHA256_HEX_LEN + 1]);
/*
 * The key of what the build directory's .config and vmlinux depend on:
 * the input key's text less the boot check and the required set, plus
 * the compile engine (ccache, distcc), whose change kbuild rebuilds for.
 */
void buildkey_compile(const struct buildkey_in *in, const struct manifest *m,
		      char key[SHA256_HEX_LEN + 1]);
/*
 * The build directory's own record, so that a build of the same inputs
 * into another --out (a matrix, a new artifact) skips configure and
 * compile. fresh: 1 when the record names key and .config and vmlinux
 * still have the sha256 it recorded, else 0. forget: drop the record,
 * before anything changes the directory. stamp: record key after a
 * compile; 0 or -errno.
 */
int buildkey_objdir_fresh(const char *objdir, const char *key);
void buildkey_objdir_forget(const char *objdir);
__attribute__((warn_unused_result))
int buildkey_objdir_stamp(const char *objdir, const char *key);
/*
 * Whether out already holds a verified artifact of the inputs key: its
 * metadata names key and its files match its SHA256SUMS. On 1, sha holds
 * vmlinux's sha256.
 */
int buildkey_up_to_date(const char *out, const char *key,
			char sha[SHA256_HEX_LEN + 1]);

#endif
