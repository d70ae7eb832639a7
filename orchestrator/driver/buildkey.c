#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
 * The inputs, described one per line. All of them (full) for the input
 * key; without the boot check and the required set, which only verify the
 * result, for the build directory's key. The full text is what it has
 * always been, so that artifacts published earlier stay up to date.
 */
static void describe(const struct buildkey_in *in, const char *cc, int full,
		     struct strbuf *sb)
{
	const struct build_opts *o = in->o;
	const struct toolchain *tc = in->tc;

	strbuf_addf(sb, "umlkbuild %s\ntree %s\narch %s\nlink %d\nprofile %s\n"
		    "toolchain %s %s %s %s %s %s\n", UKB_VERSION,
		    in->tree_key, kbuild_arch_name(o->arch), o->link, o->profile,
		    tc->name, tc->cc, tc->hostcc,
		    tc->kcflags ? tc->kcflags : "",
		    tc->hostcflags ? tc->hostcflags : "", cc ? cc : "");
	if (full)
		strbuf_addf(sb, "boot %d\n", !o->no_boot);
	else
		/* kbuild rebuilds all when CC's command changes: so do we */
		strbuf_addf(sb, "engine ccache=%d wrapper=%s\n", in->ccache,
			    in->wrapper ? in->wrapper : "");
	for (size_t i = 0; i < in->requested->nr; i++)
		strbuf_addf(sb, "%s=%s\n", in->requested->e[i].name,
			    in->requested->e[i].value);
	for (size_t i = 0; full && i < in->required->syms.nr; i++)
		strbuf_addf(sb, "required %s=%s\n", in->required->syms.e[i].name,
			    in->required->syms.e[i].value);
}

/*
 * Everything the artifact depends on, hashed: source, patches, the merged
 * configuration request, the required set, arch, link, profile, the
 * compiler's version, umlkbuild's version and whether it was booted.
 */
void buildkey_compute(const struct buildkey_in *in, struct manifest *m,
		      char key[SHA256_HEX_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;

	describe(in, manifest_get_str(m, "tools.cc"), 1, &sb);
	sha256_buf(sb.buf, sb.len, key);
	strbuf_release(&sb);
	manifest_set_str(m, "build.input_key", key);
}

void buildkey_compile(const struct buildkey_in *in, const struct manifest *m,
		      char key[SHA256_HEX_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;

	describe(in, manifest_get_str(m, "tools.cc"), 0, &sb);
	sha256_buf(sb.buf, sb.len, key);
	strbuf_release(&sb);
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

/* The build directory's record: the compile key, then .config's and vmlinux's sha256. */
#define OBJDIR_STAMP ".ukb-compiled"
#define OBJDIR_STAMP_MAX 512

static int objdir_hashes(const char *objdir, char cfg[SHA256_HEX_LEN + 1],
			 char vml[SHA256_HEX_LEN + 1])
{
	char *c = path_join(objdir, ".config");
	char *v = path_join(objdir, "vmlinux");
	int ret = sha256_file(c, cfg);

	if (!ret)
		ret = sha256_file(v, vml);
	free(c);
	free(v);
	return ret;
}

int buildkey_objdir_fresh(const char *objdir, const char *key)
{
	char *path = path_join(objdir, OBJDIR_STAMP);
	struct strbuf sb = STRBUF_INIT;
	char cfg[SHA256_HEX_LEN + 1], vml[SHA256_HEX_LEN + 1];
	char *want = NULL;
	int fresh = 0;

	if (!read_input_file(&sb, path, OBJDIR_STAMP_MAX, NULL) &&
	    !objdir_hashes(objdir, cfg, vml)) {
		want = xasprintf("%s\n%s\n%s\n", key, cfg, vml);
		fresh = !strcmp(sb.buf, want);
	}
	free(want);
	strbuf_release(&sb);
	free(path);
	return fresh;
}

void buildkey_objdir_forget(const char *objdir)
{
	char *path = path_join(objdir, OBJDIR_STAMP);

	unlink(path);
	free(path);
}

int buildkey_objdir_stamp(const char *objdir, const char *key)
{
	char *path = path_join(objdir, OBJDIR_STAMP);
	char cfg[SHA256_HEX_LEN + 1], vml[SHA256_HEX_LEN + 1];
	char *text = NULL;
	int ret = objdir_hashes(objdir, cfg, vml);

	if (!ret) {
		text = xasprintf("%s\n%s\n%s\n", key, cfg, vml);
		ret = write_file_atomic(path, text, strlen(text), 0644);
	}
	free(text);
	free(path);
	return ret;
}
