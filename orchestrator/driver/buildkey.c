#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "driver/buildkey.h"
#include "source/fetch.h"
#include "base/banned.h"

/*
 * Everything the artifact depends on, hashed: source, patches, the merged
 * configuration request, the required set, arch, link, profile, the
 * compiler's version, umlkbuild's version and whether it was booted.
 */
void buildkey_compute(const struct buildkey_in *in, struct manifest *m,
		      char key[SHA256_HEX_LEN + 1])
{
	const struct build_opts *o = in->o;
	const struct toolchain *tc = in->tc;
	const char *cc = manifest_get_str(m, "tools.cc");
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "umlkbuild %s\ntree %s\narch %s\nlink %d\nprofile %s\n"
		    "toolchain %s %s %s %s %s %s\nboot %d\n", UKB_VERSION,
		    in->tree_key, kbuild_arch_name(o->arch), o->link, o->profile,
		    tc->name, tc->cc, tc->hostcc,
		    tc->kcflags ? tc->kcflags : "",
		    tc->hostcflags ? tc->hostcflags : "", cc ? cc : "",
		    !o->no_boot);
	for (size_t i = 0; i < in->requested->nr; i++)
		strbuf_addf(&sb, "%s=%s\n", in->requested->e[i].name,
			    in->requested->e[i].value);
	for (size_t i = 0; i < in->required->syms.nr; i++)
		strbuf_addf(&sb, "required %s=%s\n", in->required->syms.e[i].name,
			    in->required->syms.e[i].value);
	sha256_buf(sb.buf, sb.len, key);
	strbuf_release(&sb);
	manifest_set_str(m, "build.input_key", key);
}

/* Whether out already holds a verified artifact of these very inputs. */
int buildkey_up_to_date(const char *out, const char *key,
			char sha[SHA256_HEX_LEN + 1])
{
	static const char *const names[] = { "vmlinux", "config",
					     "metadata.json" };
	char *meta = path_join(out, "metadata.json");
	char *sums = path_join(out, "SHA256SUMS");
	struct strbuf sb = STRBUF_INIT;
	struct manifest *m = NULL;
	const char *had;
	int fresh = 0;

	if (!path_exists(meta) ||
	    read_input_file(&sb, sums, UKB_INPUT_MAX, NULL))
		goto out;
	m = manifest_try_load(meta);
	had = m ? manifest_get_str(m, "build.input_key") : NULL;
	if (!had || strcmp(had, key))
		goto out;
	fresh = 1;
	for (size_t i = 0; i < ARRAY_SIZE(names) && fresh; i++) {
		char want[SHA256_HEX_LEN + 1], have[SHA256_HEX_LEN + 1];
		char *path = path_join(out, names[i]);

		struct strbuf why = STRBUF_INIT;

		/* a damaged list only means "rebuild": a warning, no error */
		fresh = !sha256sums_lookup(sums, sb.buf, sb.len, names[i],
					   want, &why) &&
			!sha256_file(path, have) && !strcmp(want, have);
		if (why.len)
			warning("%s: building again", why.buf);
		strbuf_release(&why);
		if (fresh && i == 0)
			memcpy(sha, have, sizeof(have));
		free(path);
	}
out:
	manifest_free(m);
	strbuf_release(&sb);
	free(meta);
	free(sums);
	return fresh;
}
