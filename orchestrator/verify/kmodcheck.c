#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libkmod.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/proc.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "verify/kmodcheck.h"
#include "base/banned.h"

/* What the seeds deploy: BBR with fq (fq_codel, qfq, codel as options) over TAP. */
const struct kmodcheck_feature kmodcheck_features[] = {
	{ "tcp_bbr", "CONFIG_TCP_CONG_BBR", "TCP BBR congestion control" },
	{ "sch_fq", "CONFIG_NET_SCH_FQ", "the fq qdisc" },
	{ "sch_fq_codel", "CONFIG_NET_SCH_FQ_CODEL", "the fq_codel qdisc" },
	{ "sch_qfq", "CONFIG_NET_SCH_QFQ", "the qfq qdisc" },
	{ "sch_codel", "CONFIG_NET_SCH_CODEL", "the codel qdisc" },
	{ "tun", "CONFIG_TUN", "the TUN/TAP driver" },
};
const size_t kmodcheck_nr_features = ARRAY_SIZE(kmodcheck_features);

const char *kmodcheck_state_name(enum kmodcheck_state s)
{
	switch (s) {
	case KMODCHECK_BUILTIN:
		return "builtin";
	case KMODCHECK_MODULE:
		return "module";
	default:
		return "missing";
	}
}

/* No modprobe.d of the host: its aliases and blacklists are not the build's. */
static const char *const no_config[] = { NULL };

/*
 * A lookup searches this tree's modules.dep, then modules.builtin (and the
 * builtin aliases): a hit without a path is built in. Not
 * kmod_module_get_initstate(), which falls back to the host's /sys/module.
 */
static enum kmodcheck_state judge_one(struct kmod_ctx *ctx, const char *name)
{
	enum kmodcheck_state state = KMODCHECK_MISSING;
	struct kmod_list *list = NULL, *l;

	if (kmod_module_new_from_lookup(ctx, name, &list) < 0)
		return state;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		if (!strcmp(kmod_module_get_name(mod), name))
			state = kmod_module_get_path(mod) ? KMODCHECK_MODULE :
							    KMODCHECK_BUILTIN;
		kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return state;
}

int kmodcheck_judge(const char *staging, const char *krel,
		    struct kmodcheck_verdict *v)
{
	char *dir = xasprintf("%s/lib/modules/%s", staging, krel);
	struct kmod_ctx *ctx = NULL;
	int ret = 0;

	if (!is_dir(dir)) {
		ret = -ENOENT;
		goto out;
	}
	ctx = kmod_new(dir, no_config);
	if (!ctx) {
		ret = -UKB_EHOST;
		goto out;
	}
	for (size_t i = 0; i < kmodcheck_nr_features; i++) {
		v[i].feature = &kmodcheck_features[i];
		v[i].state = judge_one(ctx, kmodcheck_features[i].module);
		if (v[i].state != KMODCHECK_BUILTIN)
			ret++;
	}
out:
	kmod_unref(ctx);
	free(dir);
	return ret;
}

static int config_has(const char *objdir, const char *line)
{
	char *path = path_join(objdir, ".config");
	struct strbuf sb = STRBUF_INIT;
	int ret = strbuf_read_file(&sb, path);

	if (!ret) {
		size_t n = strlen(line);

		ret = !strncmp(sb.buf, line, n) && sb.buf[n] == '\n';
		for (const char *p = sb.buf; !ret && (p = strstr(p, line)); p += n)
			ret = p[-1] == '\n' && p[n] == '\n';
	}
	strbuf_release(&sb);
	free(path);
	return ret;
}

/*
 * Before 5.3 the vmlinux build does not write modules.builtin: only the
 * top Makefile's "modules.builtin" target does (through
 * scripts/Makefile.modbuiltin and tristate.conf), and that target sits
 * inside "ifdef CONFIG_MODULES". Defining CONFIG_MODULES on the make
 * command line for this one target reaches it without touching .config
 * or anything built: the list is still made from the tree's own obj-Y.
 */
int kmodcheck_make_builtin_list(const struct kbuild *kb)
{
	char *list = path_join(kb->objdir, "modules.builtin");
	struct kbuild old = *kb;
	int ret = 0;

	if (path_exists(list))
		goto out;
	memset(&old.make_vars, 0, sizeof(old.make_vars));
	strvec_pushv(&old.make_vars, kb->make_vars.v);
	strvec_push(&old.make_vars, "CONFIG_MODULES=y");
	debug("'%s' is missing: asking make for it (a kernel before 5.3)", list);
	ret = kbuild_make(&old, "modules.builtin", 0);
	strvec_clear(&old.make_vars);
out:
	free(list);
	return ret;
}

/* Without CONFIG_MODULES there is no modules_install: stage the list by hand. */
static int stage_builtin_only(const struct kbuild *kb, const char *moddir)
{
	static const char *const files[] = { "modules.builtin",
					     "modules.builtin.modinfo" };
	int ret = mkdir_p(moddir, 0755);

	if (ret)
		return error_errno(ret, "cannot create '%s'", moddir);
	ret = kmodcheck_make_builtin_list(kb);
	if (ret)
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char *src = path_join(kb->objdir, files[i]);
		char *dst = path_join(moddir, files[i]);

		ret = path_exists(src) ? copy_file(src, dst) : 0;
		if (ret)
			error_errno(ret, "cannot copy '%s' to '%s'", src, dst);
		else if (i == 0 && !path_exists(src))
			ret = error(-UKB_EBUILD,
				    "'%s' is missing: the build did not list its built-in modules",
				    src);
		free(src);
		free(dst);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Install the build's module metadata into staging (created; an old one
 * is removed): "make modules" and "make modules_install
 * INSTALL_MOD_PATH=staging" when CONFIG_MODULES=y (modules_install needs
 * the modules.order that only "make modules" writes), else a copy of
 * modules.builtin (made by kmodcheck_make_builtin_list when missing);
 * then "depmod -b staging krel". Returns 0, -UKB_EBUILD, -UKB_EHOST (no
 * depmod) or -errno, with a message.
 */
static int kmodcheck_stage(const struct kbuild *kb, const char *krel,
			   const char *staging)
{
	char *moddir = xasprintf("%s/lib/modules/%s", staging, krel);
	struct strvec argv = STRVEC_INIT;
	struct kbuild inst = *kb;
	struct proc p = { 0 };
	int ret;

	ret = rmtree(staging);
	if (ret) {
		ret = error_errno(ret, "cannot remove '%s'", staging);
		goto out;
	}
	memset(&inst.make_vars, 0, sizeof(inst.make_vars));
	strvec_pushv(&inst.make_vars, kb->make_vars.v);
	strvec_pushf(&inst.make_vars, "INSTALL_MOD_PATH=%s", staging);
	if (config_has(kb->objdir, "CONFIG_MODULES=y")) {
		/* modules_install reads modules.order, which only "make modules" writes */
		ret = kbuild_make(&inst, "modules", 0);
		if (!ret)
			ret = kbuild_make(&inst, "modules_install", 0);
	} else {
		ret = stage_builtin_only(kb, moddir);
	}
	if (ret)
		goto out;
	strvec_pushl(&argv, "depmod", "-b", staging, krel, NULL);
	p.argv = argv.v;
	ret = proc_run(&p);
	if (ret == -ENOENT) {
		ret = error(-UKB_EHOST, "cannot run 'depmod': not installed");
		hint("apt-get install kmod");
	} else if (ret == -UKB_ECHILD) {
		struct strbuf why = STRBUF_INIT;

		proc_describe(&p, &why);
		ret = error(-UKB_EBUILD, "depmod -b '%s' %s %s", staging, krel,
			    why.buf);
		strbuf_release(&why);
	} else if (ret < 0 && ret > -UKB_EBASE) {
		ret = error_errno(ret, "cannot run 'depmod'");
	}
out:
	strvec_clear(&argv);
	strvec_clear(&inst.make_vars);
	free(moddir);
	return ret;
}

int kmodcheck_run(const struct kbuild *kb, const char *staging,
		  struct manifest *m)
{
	struct kmodcheck_verdict v[ARRAY_SIZE(kmodcheck_features)];
	struct strbuf rel = STRBUF_INIT;
	int ret, bad;

	ret = kbuild_kernelrelease(kb, &rel);
	if (ret) {
		ret = error(-UKB_EBUILD, "cannot ask the kernel tree for its release");
		goto out;
	}
	ret = kmodcheck_stage(kb, rel.buf, staging);
	if (ret)
		goto out;
	bad = kmodcheck_judge(staging, rel.buf, v);
	if (bad < 0) {
		ret = error(bad == -UKB_EHOST ? -UKB_EHOST : -UKB_EBUILD,
			    "libkmod cannot read the staged modules in '%s/lib/modules/%s'",
			    staging, rel.buf);
		goto out;
	}
	for (size_t i = 0; i < kmodcheck_nr_features; i++) {
		const struct kmodcheck_feature *f = v[i].feature;

		manifest_append(m, "results.kmod", "{s:s, s:s, s:s}", "module",
				f->module, "symbol", f->symbol, "state",
				kmodcheck_state_name(v[i].state));
		if (v[i].state == KMODCHECK_MODULE) {
			ret = error(-UKB_EARTIFACT,
				    "%s (%s) was built as a module, and a static UML cannot load modules",
				    f->module, f->what);
			hint("set %s=y in a fragment", f->symbol);
		} else if (v[i].state == KMODCHECK_MISSING) {
			ret = error(-UKB_EARTIFACT, "%s (%s) is not in the kernel",
				    f->module, f->what);
			hint("set %s=y in a fragment, and check its 'depends on'",
			     f->symbol);
		} else {
			debug("%s: built in", f->module);
		}
	}
	manifest_set_bool(m, "results.kmod_passed", !bad);
out:
	strbuf_release(&rel);
	return ret;
}

struct lines {
	const char **v;
	size_t nr, alloc;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Split a copy of buf into sorted value lines; *copy is freed by the caller. */
static void split_sorted(const char *buf, size_t len, char **copy,
			 struct lines *l)
{
	char *p, *end;

	*copy = xstrndup(buf, len);
	end = *copy + strlen(*copy);
	for (p = *copy; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		*nl = '\0';
		/* section comments carry no value; "# CONFIG_X is not set" does */
		if (*p && (*p != '#' || !strncmp(p, "# CONFIG_", 9))) {
			ALLOC_GROW(l->v, l->nr + 1, l->alloc);
			l->v[l->nr++] = p;
		}
		p = nl + 1;
	}
	if (l->nr)
		qsort(l->v, l->nr, sizeof(*l->v), cmp_line);
}

size_t kmodcheck_config_diff(const char *a, size_t alen, const char *b,
			     size_t blen, struct strbuf *first)
{
	struct lines la = { 0 }, lb = { 0 };
	char *ca, *cb;
	size_t i = 0, j = 0, n = 0;

	split_sorted(a, alen, &ca, &la);
	split_sorted(b, blen, &cb, &lb);
	while (i < la.nr || j < lb.nr) {
		int c = i == la.nr ? 1 : j == lb.nr ? -1 : strcmp(la.v[i], lb.v[j]);

		if (!c) {
			i++;
			j++;
			continue;
		}
		if (first && !n)
			strbuf_addf(first, "%s '%s'", c < 0 ? "only in the first:" :
				    "only in the second:", c < 0 ? la.v[i] : lb.v[j]);
		n++;
		if (c < 0)
			i++;
		else
			j++;
	}
	free(la.v);
	free(lb.v);
	free(ca);
	free(cb);
	return n;
}

static void showconfig_skip(struct manifest *m, const char *why)
{
	warning("config comparison skipped: %s", why);
	if (m) {
		manifest_set_bool(m, "results.showconfig.ran", 0);
		manifest_set_str(m, "results.showconfig.skip_reason", why);
	}
}

int kmodcheck_showconfig(const char *vmlinux, const char *config,
			 struct manifest *m)
{
	const char *argv[] = { vmlinux, "--showconfig", NULL };
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT, first = STRBUF_INIT;
	struct proc p = { 0 };
	size_t n;
	int ret;

	ret = strbuf_read_file(&want, config);
	if (ret) {
		ret = error_errno(ret, "cannot read '%s'", config);
		goto out;
	}
	p.argv = argv;
	p.capture = &out;
	p.quiet_log = 1;
	/* a kernel without --showconfig would try to boot: bound it */
	p.timeout_ms = 20000;
	ret = proc_run(&p);
	if (ret == -ENOEXEC) {
		showconfig_skip(m, "this host cannot execute the binary");
		ret = 0;
		goto out;
	}
	if (ret || !strstr(out.buf, "CONFIG_")) {
		showconfig_skip(m, "the binary does not print its config (--showconfig)");
		ret = 0;
		goto out;
	}
	n = kmodcheck_config_diff(out.buf, out.len, want.buf, want.len, &first);
	if (m) {
		manifest_set_bool(m, "results.showconfig.ran", 1);
		manifest_set_bool(m, "results.showconfig.matches", !n);
		manifest_set_int(m, "results.showconfig.differences", (long long)n);
		if (n)
			manifest_set_str(m, "results.showconfig.first_difference",
					 first.buf);
	}
	if (n) {
		ret = error(-UKB_EARTIFACT,
			    "the config inside '%s' differs from '%s' in %zu lines",
			    vmlinux, config, n);
		hint("first difference (first: the binary's, second: '%s'): %s",
		     config, first.buf);
	}
out:
	strbuf_release(&out);
	strbuf_release(&want);
	strbuf_release(&first);
	return ret;
}

static int sys_module_has(const char *name, const char *file)
{
	char *path = xasprintf("/sys/module/%s/%s", name, file);
	int ret = path_exists(path);

	free(path);
	return ret;
}

enum kmodcheck_host kmodcheck_host_module(const char *name,
					  struct strbuf *detail)
{
	enum kmodcheck_host state = KMODCHECK_HOST_MISSING;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = NULL;
	struct utsname u;
	char *dir = NULL;

	if (uname(&u) == 0)
		dir = xasprintf("/lib/modules/%s", u.release);
	if (!dir || !is_dir(dir)) {
		/* a container's host kernel: only what /sys shows */
		if (sys_module_has(name, "initstate")) {
			state = KMODCHECK_HOST_LOADED;
			strbuf_addstr(detail, "loaded (no module index)");
		} else {
			state = KMODCHECK_HOST_NO_INDEX;
			strbuf_addf(detail, "no module index (%s)",
				    dir ? dir : "uname failed");
		}
		goto out;
	}
	ctx = kmod_new(NULL, NULL);
	if (!ctx || kmod_module_new_from_name(ctx, name, &mod) < 0) {
		state = KMODCHECK_HOST_NO_INDEX;
		strbuf_addf(detail, "libkmod cannot read %s", dir);
		goto out;
	}
	switch (kmod_module_get_initstate(mod)) {
	case KMOD_MODULE_BUILTIN:
		state = KMODCHECK_HOST_BUILTIN;
		strbuf_addstr(detail, "built in");
		break;
	case KMOD_MODULE_LIVE:
	case KMOD_MODULE_COMING:
		state = KMODCHECK_HOST_LOADED;
		strbuf_addstr(detail, "loaded");
		break;
	default:
		if (kmod_module_get_path(mod)) {
			state = KMODCHECK_HOST_LOADABLE;
			strbuf_addf(detail, "loadable from %s",
				    kmod_module_get_path(mod));
		} else {
			strbuf_addf(detail, "not in %s", dir);
		}
	}
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	free(dir);
	return state;
}
