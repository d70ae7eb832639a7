#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/paths.h"
#include "base/scope.h"
#include "base/wrapper.h"
#include "configure/configure.h"
#include "configure/explain.h"
#include "configure/hints.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "configure/kdecl.h"
#include "base/banned.h"

static const struct {
	const char *name;
	const char *target;
} profiles[] = {
	{ "defconfig", "defconfig" },
	{ "minimal", "tinyconfig" },
};

int configure_valid_profile(const char *profile)
{
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		if (!strcmp(profile, profiles[i].name))
			return 1;
	return 0;
}

const char *configure_base_target(const char *profile)
{
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++)
		if (!strcmp(profile, profiles[i].name))
			return profiles[i].target;
	return "defconfig";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.config files of dir, sorted; a missing dir is empty. */
static void list_fragments(const char *dir, struct strvec *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t first = out->nr;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 7 && !strcmp(de->d_name + n - 7, ".config") &&
		    de->d_name[0] != '.')
			strvec_pushf(out, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (out->nr > first)
		qsort(out->v + first, out->nr - first, sizeof(*out->v), cmp_str);
}

static int merge_file(const char *path, int user, const struct kver *v,
		      unsigned arch, struct kc_set *merged, struct strvec *used)
{
	struct strbuf sb = STRBUF_INIT;
	struct kc_set frag = KC_SET_INIT;
	struct scope scope;
	int ret = read_input_file(&sb, path, UKB_INPUT_MAX, "fragment");

	if (ret) {
		if (user)
			hint("check the path given to --fragment");
		ret = -UKB_EUSAGE;
		goto out;
	}
	ret = kc_parse_fragment(&frag, path, sb.buf, sb.len, &scope);
	if (ret)
		goto out;
	if (!scope_matches(&scope, v, arch)) {
		debug("fragment '%s' does not apply here", path);
		goto out;
	}
	kc_merge(merged, &frag);
	strvec_push(used, path);
out:
	kc_set_release(&frag);
	strbuf_release(&sb);
	return ret;
}

/* One --kconfig-add is one line of a fragment. */
static int check_add(const char *add)
{
	struct kc_set set = KC_SET_INIT;
	int ret;

	if (!*add)
		return error(-UKB_EUSAGE, "--kconfig-add needs a CONFIG_X=value line, not an empty one");
	if (add[strcspn(add, "\r\n")]) {
		ret = error(-UKB_EUSAGE, "--kconfig-add '%.*s...' holds a line break",
			    (int)strcspn(add, "\r\n"), add);
		hint("give one CONFIG_X=value line per --kconfig-add");
		return ret;
	}
	if (!manifest_text_ok(add, strlen(add)))
		return error(-UKB_EUSAGE, "--kconfig-add '%s' is not UTF-8 text", add);
	ret = kc_parse_fragment(&set, "--kconfig-add", add, strlen(add), NULL);
	kc_set_release(&set);
	return ret;
}

int configure_check_inputs(const char *const *fragments,
			   const char *const *adds)
{
	int ret = 0;

	/* readable, regular and in bounds; the syntax is checked later,
	 * once, where the scope lines count */
	for (; !ret && fragments && *fragments; fragments++) {
		struct strbuf sb = STRBUF_INIT;

		ret = read_input_file(&sb, *fragments, UKB_INPUT_MAX, "fragment");
		if (ret)
			hint("check the path given to --fragment");
		/* metadata.json records it, name and text, as JSON strings */
		else if (!manifest_text_ok(*fragments, strlen(*fragments)))
			ret = error(-UKB_EUSAGE, "fragment '%s': its path is not UTF-8 text",
				    *fragments);
		else if (!manifest_text_ok(sb.buf, sb.len))
			ret = error(-UKB_EUSAGE, "fragment '%s' is not UTF-8 text",
				    *fragments);
		strbuf_release(&sb);
	}
	for (; !ret && adds && *adds; adds++)
		ret = check_add(*adds);
	return ret;
}

int configure_fragments(const struct fragment_inputs *in, const struct kver *v,
			unsigned arch, struct kc_set *merged, struct strvec *used)
{
	struct strvec files = STRVEC_INIT;
	char *dir = ukb_data_path("kconfig-fragments");
	char *pdir = xasprintf("%s/profiles/%s", dir,
			       in->profile ? in->profile : "defconfig");
	size_t nr_project;
	int ret = 0;

	list_fragments(dir, &files);
	list_fragments(pdir, &files);
	if (!files.nr) {
		ret = error(-UKB_EHOST, "no Kconfig fragments in '%s'", dir);
		hint("set UKB_DATADIR to umlkbuild's data directory");
		goto out;
	}
	nr_project = files.nr;
	strvec_pushv(&files, in->user);
	for (size_t i = 0; i < files.nr && !ret; i++)
		ret = merge_file(files.v[i], i >= nr_project, v, arch, merged,
				 used);
	if (!ret && in->adds && in->adds[0]) {
		struct strbuf sb = STRBUF_INIT;
		struct kc_set add = KC_SET_INIT;

		for (const char *const *a = in->adds; *a && !ret; a++)
			ret = check_add(*a);
		for (const char *const *a = in->adds; *a && !ret; a++) {
			strbuf_addstr(&sb, *a);
			strbuf_addch(&sb, '\n');
		}
		if (!ret)
			ret = kc_parse_fragment(&add, "--kconfig-add", sb.buf,
						sb.len, NULL);
		if (!ret) {
			kc_merge(merged, &add);
			strvec_push(used, "--kconfig-add");
		}
		kc_set_release(&add);
		strbuf_release(&sb);
	}
out:
	strvec_clear(&files);
	free(dir);
	free(pdir);
	return ret;
}

int configure_required(struct kc_required *req)
{
	char *path = ukb_data_path("kconfig-fragments/required.list");
	struct strbuf sb = STRBUF_INIT;
	int ret = strbuf_read_file(&sb, path);

	if (ret) {
		error_errno(ret, "cannot read '%s'", path);
		ret = -UKB_EHOST;
	} else {
		ret = kc_parse_required(req, path, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	free(path);
	return ret;
}

/*
 * Requested symbols that exist in no Kconfig file of the tree get their
 * own warning, and are left out of the ordinary check. known receives
 * the requested entries that do exist (pointers into requested). Asking
 * for a symbol to be off is met when the tree has no such symbol (a
 * driver the version dropped, such as UML_NET_PCAP in 6.12): no warning.
 */
static void warn_undefined(const char *srcdir, const struct kc_set *requested,
			   struct kc_set *known)
{
	unsigned char *defined = xcalloc(requested->nr + 1, 1);

	if (kc_defined(srcdir, requested, defined) < 0)
		memset(defined, 1, requested->nr);
	for (size_t i = 0; i < requested->nr; i++) {
		const struct kc_entry *e = &requested->e[i];

		if (!defined[i]) {
			if (strcmp(e->value, "n"))
				warning("%s:%u: %s exists in no Kconfig file of this tree",
					e->file, e->line, e->name);
			continue;
		}
		ALLOC_GROW(known->e, known->nr + 1, known->alloc);
		known->e[known->nr++] = *e;
	}
	free(defined);
}

int configure_check(const char *srcdir, const char *objdir,
		    const struct kc_set *config,
		    const struct kc_required *req, const struct kc_set *requested,
		    const struct kver *v, unsigned arch, struct kc_report *rep)
{
	struct kc_set known = KC_SET_INIT;
	int ret;

	if (srcdir && requested) {
		warn_undefined(srcdir, requested, &known);
		requested = &known;
	}
	ret = kc_check(config, req, requested, v, arch, rep);
	kc_set_release_borrowed(&known);

	if (ret && srcdir)
		explain_hints(srcdir, objdir, config, rep);
	return ret;
}

