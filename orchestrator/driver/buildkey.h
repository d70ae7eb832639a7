/*
 * The build's input key: everything the artifact depends on, hashed, and
 * whether a published artifact was built from the very same inputs.
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
};

/* Hash the inputs into key and record it as build.input_key in m. */
void buildkey_compute(const struct buildkey_in *in, struct manifest *m,
		      char key[SHA256_HEX_LEN + 1]);
/*
 * Whether out already holds a verified artifact of the inputs key: its
 * metadata names key and its files match its SHA256SUMS. On 1, sha holds
 * vmlinux's sha256.
 */
int buildkey_up_to_date(const char *out, const char *key,
			char sha[SHA256_HEX_LEN + 1]);

#endif
