#include <errno.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/paths.h"
#include "base/proc.h"
#include "base/scope.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/wrapper.h"
#include "boot/boot.h"
#include "compile/kbuild.h"
#include "compile/preflight.h"
#include "compile/toolchain.h"
#include "configure/configure.h"
#include "configure/kconfig.h"
#include "driver/build.h"
#include "publish/publish.h"
#include "source/fetch.h"
#include "source/patch.h"
#include "source/source.h"
#include "verify/kmodcheck.h"
#include "verify/verify.h"
#include "base/banned.h"

/* What one run has produced so far, passed from stage to stage. */
struct build_ctx {
	const struct build_opts *o;
	struct manifest *m;
	char *log_path;
	struct source src;       /* source stage: a tree and its version */
	char ver[48];
	char *objdir;
	struct cache_lock build_lock;
	struct kc_set requested;
	struct kc_set config;
	struct kc_required required;
	struct kc_report report;
	struct publish pub;
	struct elf_facts elf;
	struct toolchain tc;
	size_t nr_fragments;
	char input_key[SHA256_HEX_LEN + 1];
	char sha256[SHA256_HEX_LEN + 1];
	struct timespec t_run;
};

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void record_phase(struct build_ctx *c, const char *phase,
			 const struct timespec *t0, int ret)
{
	char *key = xasprintf("results.phases.%s", phase);

	manifest_pack(c->m, key, "{s:s, s:f}", "status",
		      ret ? "FAIL" : "PASS", "duration", since(t0));
	free(key);
	if (ret)
		manifest_set_str(c->m, "results.failed_phase", phase);
}

static void record_tool(struct manifest *m, const char *name,
			const char *const *argv)
{
	struct strbuf out = STRBUF_INIT;
	char *key = xasprintf("tools.%s", name);

	if (!proc_capture(argv, &out)) {
		char *nl = strchr(out.buf, '\n');

		if (nl)
			*nl = '\0';
		manifest_set_str(m, key, out.buf);
	}
	free(key);
	strbuf_release(&out);
}

static void record_host(struct build_ctx *c)
{
	const char *gcc[] = { c->tc.cc, "--version", NULL };
	const char *ld[] = { "ld", "--version", NULL };
	const char *make[] = { "make", "--version", NULL };
	const char *ccache[] = { "ccache", "--version", NULL };
	struct utsname u;

	record_tool(c->m, "cc", gcc);
	manifest_pack(c->m, "build.toolchain", "{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}",
		      "name", c->tc.name, "description", c->tc.description,
		      "cc", c->tc.cc, "hostcc", c->tc.hostcc,
		      "kcflags", c->tc.kcflags, "hostcflags", c->tc.hostcflags,
		      "wrapper", c->o->distcc_hosts ? "distcc" : c->tc.wrapper);
	record_tool(c->m, "binutils", ld);
	record_tool(c->m, "make", make);
	/* the libc this very process runs on, without spawning ldd */
	manifest_set_str(c->m, "tools.glibc", gnu_get_libc_version());
	if (!c->o->no_ccache && proc_have("ccache"))
		record_tool(c->m, "ccache", ccache);
	if (uname(&u) == 0)
		manifest_pack(c->m, "host", "{s:s, s:s, s:s}", "sysname",
			      u.sysname, "release", u.release, "machine",
			      u.machine);
}

/* Make the O= dir for this tree, arch and profile, and lock it. */
static int prepare_objdir(struct build_ctx *c)
{
	const char *arch = kbuild_arch_name(c->o->arch);
	char *name = xasprintf("%.32s-%s-%s", c->src.tree_key, arch,
			       c->o->profile);
	char *base = cache_dir("build");
	int ret;

	if (!base) {
		free(name);
		return -UKB_EHOST;
	}
	c->objdir = path_join(base, name);
	free(base);
	ret = cache_lock(name, &c->build_lock);
	free(name);
	if (ret)
		return ret;
	ret = mkdir_p(c->objdir, 0755);
	if (ret)
		return error(-UKB_EHOST, "cannot create '%s': %s", c->objdir,
			     strerror(-ret));
	return 0;
}

static void kbuild_for(struct build_ctx *c, struct kbuild *kb)
{
	memset(kb, 0, sizeof(*kb));
	kb->srcdir = c->src.tree;
	kb->objdir = c->objdir;
	kb->arch = c->o->arch;
	kb->jobs = c->o->jobs;
	kb->timestamp = c->src.timestamp;
	kb->cc = c->tc.cc;
	kb->hostcc = c->tc.hostcc;
	kb->kcflags = c->tc.kcflags;
	kb->hostcflags = c->tc.hostcflags;
	if (!c->o->no_ccache && proc_have("ccache"))
		kb->ccache_dir = cache_dir("ccache");
	kb->wrapper = c->tc.wrapper;
	kb->distcc_hosts = c->tc.distcc_hosts;
	if (c->o->distcc_hosts) {
		kb->wrapper = "distcc";
		kb->distcc_hosts = c->o->distcc_hosts;
	}
	/* remote slots only help when make hands out enough jobs */
	if (kb->wrapper && !c->o->jobs_explicit)
		kb->jobs = kbuild_distcc_jobs(kb->distcc_hosts, c->o->jobs);
}

static void kbuild_done(struct kbuild *kb)
{
	free((char *)kb->ccache_dir);
	strvec_clear(&kb->make_vars);
}

/* Merge the fragments that apply and load the required symbols. */
static int merge_inputs(struct build_ctx *c)
{
	const struct build_opts *o = c->o;
	struct fragment_inputs in = { .profile = o->profile,
				      .user = o->fragments.v,
				      .adds = o->kconfig_add.v };
	struct strvec used = STRVEC_INIT;
	int ret;

	ret = configure_fragments(&in, &c->src.version, o->arch | o->link,
				  &c->requested, &used);
	if (ret)
		goto out;
	c->nr_fragments = used.nr;
	for (size_t i = 0; i < used.nr; i++) {
		struct strbuf text = STRBUF_INIT;
		char hex[SHA256_HEX_LEN + 1] = "";
		int user = 0;

		if (!strcmp(used.v[i], "--kconfig-add"))
			continue;
		/* configure_fragments read it: a failure now is no digest of "" */
		ret = strbuf_read_file(&text, used.v[i]);
		if (ret) {
			ret = error(-UKB_EUSAGE, "cannot read fragment '%s': %s",
				    used.v[i], strerror(-ret));
			strbuf_release(&text);
			goto out;
		}
		sha256_buf(text.buf, text.len, hex);
		for (size_t j = 0; j < o->fragments.nr; j++)
			user |= !strcmp(o->fragments.v[j], used.v[i]);
		/* a user's fragment travels in the metadata, for reproduce */
		manifest_append(c->m, "build.kconfig", "{s:s, s:s, s:b, s:s?}",
				"file", used.v[i], "sha256", hex, "user", user,
				"content", user ? text.buf : NULL);
		strbuf_release(&text);
	}
	for (size_t i = 0; i < o->kconfig_add.nr; i++)
		manifest_append(c->m, "build.kconfig_add", "s",
				o->kconfig_add.v[i]);
	ret = configure_required(&c->required);
out:
	strvec_clear(&used);
	return ret;
}

/*
 * Everything the artifact depends on, hashed: source, patches, the merged
 * configuration request, the required set, arch, link, profile, the
 * compiler's version, umlkbuild's version and whether it was booted.
 */
static void compute_input_key(struct build_ctx *c)
{
	const struct build_opts *o = c->o;
	const char *cc = manifest_get_str(c->m, "tools.cc");
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "umlkbuild %s\ntree %s\narch %s\nlink %d\nprofile %s\n"
		    "toolchain %s %s %s %s %s %s\nboot %d\n", UKB_VERSION,
		    c->src.tree_key, kbuild_arch_name(o->arch), o->link, o->profile,
		    c->tc.name, c->tc.cc, c->tc.hostcc,
		    c->tc.kcflags ? c->tc.kcflags : "",
		    c->tc.hostcflags ? c->tc.hostcflags : "", cc ? cc : "",
		    !o->no_boot);
	for (size_t i = 0; i < c->requested.nr; i++)
		strbuf_addf(&sb, "%s=%s\n", c->requested.e[i].name,
			    c->requested.e[i].value);
	for (size_t i = 0; i < c->required.syms.nr; i++)
		strbuf_addf(&sb, "required %s=%s\n", c->required.syms.e[i].name,
			    c->required.syms.e[i].value);
	sha256_buf(sb.buf, sb.len, c->input_key);
	strbuf_release(&sb);
	manifest_set_str(c->m, "build.input_key", c->input_key);
}

/* Whether out already holds a verified artifact of these very inputs. */
static int up_to_date(struct build_ctx *c, const char *out, char *sha)
{
	static const char *const names[] = { "vmlinux", "config",
					     "metadata.json" };
	char *meta = path_join(out, "metadata.json");
	char *sums = path_join(out, "SHA256SUMS");
	struct strbuf sb = STRBUF_INIT;
	struct manifest *m = NULL;
	const char *key;
	int fresh = 0;

	if (!path_exists(meta) ||
	    read_input_file(&sb, sums, UKB_INPUT_MAX, NULL))
		goto out;
	m = manifest_try_load(meta);
	key = m ? manifest_get_str(m, "build.input_key") : NULL;
	if (!key || strcmp(key, c->input_key))
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

static int stage_configure(struct build_ctx *c)
{
	const struct build_opts *o = c->o;
	struct strbuf cfg = STRBUF_INIT, applied = STRBUF_INIT;
	char *cfg_path = path_join(c->objdir, ".config");
	struct kbuild kb;
	int ret;

	kbuild_for(c, &kb);
	info("configuring %s for %s (%s + %zu fragments)", c->ver,
	     kbuild_arch_name(o->arch), configure_base_target(o->profile),
	     c->nr_fragments);
	/* a fresh .config every run: never build on a stale one */
	unlink(cfg_path);
	ret = kbuild_make(&kb, configure_base_target(o->profile), 0);
	if (!ret) {
		ret = strbuf_read_file(&cfg, cfg_path);
		if (ret)
			ret = error(-UKB_EBUILD, "cannot read '%s': %s",
				    cfg_path, strerror(-ret));
	}
	if (!ret) {
		kc_apply(cfg.buf, cfg.len, &c->requested, &applied);
		ret = write_file_atomic(cfg_path, applied.buf, applied.len, 0644);
		if (ret)
			ret = error(-UKB_EBUILD, "cannot write '%s': %s",
				    cfg_path, strerror(-ret));
	}
	if (!ret)
		ret = kbuild_make(&kb, "olddefconfig", 0);
	kbuild_done(&kb);
	if (ret)
		goto out;

	strbuf_reset(&cfg);
	ret = strbuf_read_file(&cfg, cfg_path);
	if (ret) {
		ret = error(-UKB_EBUILD, "cannot read '%s': %s", cfg_path,
			    strerror(-ret));
		goto out;
	}
	kc_parse_config(&c->config, cfg_path, cfg.buf, cfg.len);
	ret = configure_check(c->src.tree, c->objdir, &c->config,
			      &c->required, &c->requested, &c->src.version,
			      o->arch | o->link, &c->report);
	for (size_t i = 0; i < c->report.nr; i++) {
		const struct kc_result *r = &c->report.r[i];

		manifest_append(c->m, r->required ? "results.config_check.required" :
						    "results.config_check.requested",
				"{s:s, s:s, s:s?, s:b, s:s, s:i}", "symbol",
				r->name, "requested", r->requested, "actual",
				r->actual, "ok", r->ok, "file", r->file,
				"line", (int)r->line);
	}
	manifest_set_int(c->m, "results.config_check.required_failed",
			 (long long)c->report.required_failed);
	manifest_set_int(c->m, "results.config_check.warnings",
			 (long long)c->report.warnings);
	if (ret)
		hint("nothing was compiled; fix the fragments and run again");
out:
	strbuf_release(&cfg);
	strbuf_release(&applied);
	free(cfg_path);
	return ret;
}

/* ccache's counters (hits, misses) for its store, or -1s without ccache. */
static void ccache_counts(const char *dir, long long *hits, long long *misses)
{
	const char *argv[] = { "ccache", "--print-stats", NULL };
	struct strvec env = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct proc p = { .argv = argv, .capture = &out, .quiet_log = 1,
			  .timeout_ms = 30000 };

	*hits = *misses = -1;
	if (!dir)
		return;
	strvec_pushf(&env, "CCACHE_DIR=%s", dir);
	p.env = env.v;
	if (!proc_run(&p)) {
		*hits = *misses = 0;
		for (char *l = out.buf, *nl; *l; l = nl) {
			long long v;
			char *tab;

			nl = strchrnul(l, '\n');
			if (*nl)
				*nl++ = '\0';
			tab = strchr(l, '\t');
			if (!tab)
				continue;
			v = strtoll(tab + 1, NULL, 10);
			*tab = '\0';
			if (!strcmp(l, "direct_cache_hit") ||
			    !strcmp(l, "preprocessed_cache_hit"))
				*hits += v;
			else if (!strcmp(l, "cache_miss"))
				*misses += v;
		}
	}
	strvec_clear(&env);
	strbuf_release(&out);
}

static int stage_compile(struct build_ctx *c)
{
	struct kbuild kb;
	struct strbuf rel = STRBUF_INIT;
	long long hits0, misses0, hits1, misses1;
	int ret;

	kbuild_for(c, &kb);
	info("compiling vmlinux with -j%d%s%s%s", kb.jobs,
	     kb.ccache_dir ? " and ccache" : "",
	     kb.wrapper ? " through distcc on " : "",
	     kb.wrapper ? (kb.distcc_hosts ? kb.distcc_hosts : "its own host list") : "");
	if (kb.wrapper) {
		manifest_set_str(c->m, "build.distcc_hosts", kb.distcc_hosts);
		manifest_set_int(c->m, "build.compile_jobs", kb.jobs);
	}
	ccache_counts(kb.ccache_dir, &hits0, &misses0);
	ret = kbuild_make(&kb, "vmlinux", 1);
	ccache_counts(kb.ccache_dir, &hits1, &misses1);
	if (kb.ccache_dir && hits0 >= 0 && hits1 >= 0)
		/* other runs sharing the store may add to these */
		manifest_pack(c->m, "ccache", "{s:I, s:I}", "cache_hits",
			      hits1 - hits0, "cache_misses", misses1 - misses0);
	if (!ret && !kbuild_kernelrelease(&kb, &rel))
		manifest_set_str(c->m, "source.kernelrelease", rel.buf);
	strbuf_release(&rel);
	kbuild_done(&kb);
	return ret;
}

/* libkmod on a staged modules_install: the mission's features built in. */
static int stage_kmod(struct build_ctx *c)
{
	struct kbuild kb;
	char *staging;
	int ret;

	kbuild_for(c, &kb);
	staging = path_join(c->objdir, "ukb-modules");
	info("checking with libkmod that the features are built in");
	ret = kmodcheck_run(&kb, staging, c->m);
	rmtree(staging);
	free(staging);
	kbuild_done(&kb);
	return ret;
}

static int stage_strip(struct build_ctx *c)
{
	char *src = path_join(c->objdir, "vmlinux");
	char *dst = publish_path(&c->pub, "vmlinux");
	const char *argv[] = { "strip", "-s", dst, NULL };
	struct proc p = { .argv = argv };
	char desc[128];
	int ret;

	ret = copy_file(src, dst);
	if (ret) {
		ret = error(-UKB_EBUILD, "cannot copy '%s': %s", src,
			    strerror(-ret));
		goto out;
	}
	ret = proc_run(&p);
	if (ret) {
		ret = error(ret == -UKB_EINTR ? ret : -UKB_EBUILD,
			    "strip -s '%s' failed", dst);
		goto out;
	}
	ret = verify_artifact(dst, c->o->arch, c->o->link == LINK_STATIC, 1,
			      &c->elf);
	if (ret)
		goto out;
	ret = sha256_file(dst, c->sha256);
	if (ret)
		goto out;
	verify_describe(&c->elf, desc, sizeof(desc));
	info("vmlinux: %s, %llu bytes", desc,
	     (unsigned long long)c->elf.file_size);
	manifest_pack(c->m, "vmlinux", "{s:s, s:I, s:I, s:I, s:I, s:i, s:b, s:b, s:s}",
		      "sha256", c->sha256, "file_size", (long long)c->elf.file_size,
		      "text_size", (long long)c->elf.text_size,
		      "data_size", (long long)c->elf.data_size,
		      "bss_size", (long long)c->elf.bss_size,
		      "elf_class", c->elf.elf_class, "static", c->elf.is_static,
		      "stripped", c->elf.stripped, "description", desc);
out:
	free(src);
	free(dst);
	return ret;
}

/* Publish the resolved .config, and check the binary embeds the same. */
static int stage_config(struct build_ctx *c)
{
	char *cfg = path_join(c->objdir, ".config");
	char *dst = publish_path(&c->pub, "config");
	char *vmlinux = publish_path(&c->pub, "vmlinux");
	int ret = copy_file(cfg, dst);

	if (ret)
		ret = error(-UKB_EHOST, "cannot copy '%s': %s", cfg,
			    strerror(-ret));
	else
		ret = kmodcheck_showconfig(vmlinux, dst, c->m);
	free(cfg);
	free(dst);
	free(vmlinux);
	return ret;
}

static int stage_boot(struct build_ctx *c)
{
	char *vmlinux = publish_path(&c->pub, "vmlinux");
	char *published = publish_path(&c->pub, "boot.log");
	/* the console stays in the cache's logs if the boot fails */
	char *log = xasprintf("%.*sboot-%ld.log",
			      (int)(strrchr(c->log_path, '/') + 1 - c->log_path),
			      c->log_path, (long)getpid());
	struct boot_opts bo = { .vmlinux = vmlinux, .log_path = log,
				.timeout_s = c->o->boot_timeout,
				.init = ukb_init_path_arch(c->o->arch) };
	struct boot_result r;
	int ret;

	info("booting the artifact for the boot check");
	ret = boot_run(&bo, &r);
	manifest_set_bool(c->m, "results.boot.ran", r.ran);
	manifest_set_bool(c->m, "results.boot.passed", !ret && r.ran);
	manifest_set_real(c->m, "results.boot.duration", r.seconds);
	manifest_set_int(c->m, "results.boot.attempts", r.attempts);
	if (r.skip_reason)
		manifest_set_str(c->m, "results.boot.skip_reason", r.skip_reason);
	if (r.kernel)
		manifest_set_str(c->m, "results.boot.kernel", r.kernel);
	for (size_t i = 0; i < r.nr; i++)
		manifest_append(c->m, "results.boot.checks", "{s:s, s:s, s:s}",
				"name", r.checks[i].name, "status",
				r.checks[i].status, "detail", r.checks[i].detail);
	if (!ret && r.ran)
		info("boot check passed: %zu checks, %.1f s", r.nr, r.seconds);
	if (!ret && path_exists(log)) {
		ret = copy_file(log, published);
		unlink(log);
	}
	boot_result_release(&r);
	free(vmlinux);
	free(published);
	free(log);
	return ret;
}

static int stage_publish(struct build_ctx *c)
{
	static const char *const names[] = { "vmlinux", "config", "boot.log",
					     "build.log", "metadata.json" };
	char *meta = publish_path(&c->pub, "metadata.json");
	char *blog = publish_path(&c->pub, "build.log");
	int ret;

	{
		struct rusage ru;

		/* umlkbuild's own peak, without make and the compilers */
		if (getrusage(RUSAGE_SELF, &ru) == 0)
			manifest_set_int(c->m, "umlkbuild.peak_rss_kib",
					 (long long)ru.ru_maxrss);
	}
	manifest_set_str(c->m, "results.status", "PASS");
	manifest_set_real(c->m, "results.duration", since(&c->t_run));
	ret = manifest_write(c->m, meta);
	if (!ret)
		ret = copy_file(c->log_path, blog);
	if (!ret) {
		const char *list[ARRAY_SIZE(names)];
		size_t n = 0;

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			char *p = publish_path(&c->pub, names[i]);

			if (path_exists(p))
				list[n++] = names[i];
			free(p);
		}
		ret = manifest_write_sums(c->pub.staging, list, n);
	}
	if (ret)
		ret = error(-UKB_EHOST, "cannot write the artifact into '%s': %s",
			    c->pub.staging, ukb_strerror(ret));
	else
		ret = publish_commit(&c->pub);
	free(meta);
	free(blog);
	return ret;
}

static void record_source(struct build_ctx *c)
{
	const struct source *s = &c->src;

	manifest_set_str(c->m, "source.kind", s->kind);
	manifest_set_str(c->m, "source.kernelversion", c->ver);
	if (s->tarball)
		manifest_set_str(c->m, "source.tarball", s->tarball);
	if (s->sha256[0])
		manifest_set_str(c->m, "source.sha256", s->sha256);
	if (s->url)
		manifest_set_str(c->m, "source.url", s->url);
	if (s->commit[0])
		manifest_set_str(c->m, "source.commit", s->commit);
	manifest_set_bool(c->m, "source.verified", s->verified);
	if (!strcmp(s->kind, "kernel.org"))
		manifest_set_bool(c->m, "source.from_cache", s->from_cache);
	if (s->signer)
		manifest_set_str(c->m, "source.signer", s->signer);
	manifest_set_int(c->m, "source.timestamp", s->timestamp);
	if (s->modes_masked >= 0)
		manifest_set_int(c->m, "source.unpack.modes_masked",
				 s->modes_masked);
	for (size_t i = 0; i < s->patches.nr; i++) {
		const struct kpatch *p = &s->patches.p[i];
		int skipped = 0;

		for (size_t j = 0; j < s->patches_skipped.nr; j++)
			if (!strcmp(s->patches_skipped.v[j], p->name))
				skipped = 1;
		manifest_append(c->m, "build.patches", "{s:s, s:s, s:s, s:s, s:b}",
				"name", p->name, "subject", p->subject,
				"origin", p->origin, "sha256", p->sha256,
				"already_present", skipped);
	}
}

static void record_inputs(struct build_ctx *c)
{
	const struct build_opts *o = c->o;

	manifest_set_str(c->m, "umlkbuild.version", UKB_VERSION);
	manifest_set_str(c->m, "build.target_arch", "um");
	manifest_set_str(c->m, "build.subarch", kbuild_arch_name(o->arch));
	manifest_set_str(c->m, "build.profile", o->profile);
	manifest_set_str(c->m, "build.link", o->link == LINK_DYNAMIC ? "dynamic" : "static");
	manifest_set_int(c->m, "build.jobs", o->jobs);
	manifest_set_bool(c->m, "build.ccache", !o->no_ccache && proc_have("ccache"));
	manifest_set_str(c->m, "build.targets", "vmlinux");
	manifest_set_bool(c->m, "build.no_verify", o->no_verify);
	record_host(c);
}

/* The build log lives in the cache until the artifact is published. */
static int open_log(struct build_ctx *c)
{
	char *dir = cache_dir("logs");
	int ret;

	if (!dir)
		return -UKB_EHOST;
	c->log_path = xasprintf("%s/build-%ld.log", dir, (long)getpid());
	free(dir);
	ret = log_open(c->log_path);
	if (ret)
		return error(-UKB_EHOST, "cannot write '%s': %s", c->log_path,
			     strerror(-ret));
	return 0;
}

/* Run one stage, timing it; a plain -errno becomes the stage's class. */
#define STAGE(c, name, cls, call)                                            \
	({                                                                   \
		struct timespec t0_;                                         \
		int r_;                                                      \
		clock_gettime(CLOCK_MONOTONIC, &t0_);                        \
		r_ = ukb_classify((call), (cls));                            \
		record_phase((c), (name), &t0_, r_);                         \
		r_;                                                          \
	})

int build_run(const struct build_opts *o)
{
	struct build_ctx c = { .o = o, .build_lock = { .fd = -1 } };
	struct source_spec spec = {
		.tarball = o->tarball, .version = o->version,
		.git_url = o->git_url, .git_ref = o->git_ref, .arch = o->arch,
		.link = o->link,
		.mirrors = o->mirrors.v, .keyrings = o->keyrings.v,
		.no_verify = o->no_verify, .offline = o->offline,
	};
	char *out = NULL;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &c.t_run);
	c.m = manifest_new();
	/* a directory that is not ours is refused before any work */
	if (o->out && !o->source_only) {
		ret = publish_check_target(o->out, o->out_in_cache ? PUBLISH_IN_CACHE : 0);
		if (ret)
			goto out;
	}
	ret = toolchain_load(o->toolchain ? o->toolchain : TOOLCHAIN_DEFAULT,
			     &c.tc);
	if (!ret)
		ret = preflight_build(o->arch, c.tc.cc, c.tc.hostcc);
	if (!ret && (o->distcc_hosts || c.tc.wrapper) && !proc_have("distcc")) {
		ret = error(-UKB_EHOST, "cannot compile through distcc: 'distcc' is not installed");
		hint("run toolchain/install.sh, or apt-get install distcc");
	}
	if (ret)
		goto out;
	ret = open_log(&c);
	if (ret)
		goto out;
	record_inputs(&c);

	if (o->link == LINK_DYNAMIC) {
		warning("--link dynamic: the kernel will need this host's glibc (or newer) wherever it runs");
		hint("a static kernel runs on any Linux host of its arch; prefer it where the release allows");
	}
	ret = STAGE(&c, "source", -UKB_ESOURCE, source_prepare(&spec, &c.src));
	if (ret)
		goto out;
	kver_format(&c.src.version, c.ver, sizeof(c.ver));
	record_source(&c);
	info("linux %s from %s", c.ver, c.src.tarball ? c.src.tarball : c.src.kind);
	if (o->source_only) {
		/* the verified, unpacked and patched tree is the result */
		printf("%s\n", c.src.tree);
		fflush(stdout);
		goto out;
	}

	out = o->out ? xstrdup(o->out) :
		       xasprintf("linux-%s-um-%s", c.ver, kbuild_arch_name(o->arch));
	/* the default --out is known only now; checked before it is read */
	if (!o->out) {
		ret = publish_check_target(out, 0);
		if (ret)
			goto out;
	}
	ret = merge_inputs(&c);
	if (ret)
		goto out;
	compute_input_key(&c);
	if (up_to_date(&c, out, c.sha256)) {
		info("'%s' is up to date: same inputs, verified against its SHA256SUMS",
		     out);
		printf("%s  %s/vmlinux\n", c.sha256, out);
		fflush(stdout);
		goto out;
	}
	c.pub.flags = o->out_in_cache ? PUBLISH_IN_CACHE : 0;
	ret = publish_begin(out, &c.pub);
	if (ret)
		goto out;
	ret = prepare_objdir(&c);
	if (ret)
		goto out;
	ret = STAGE(&c, "configure", -UKB_EBUILD, stage_configure(&c));
	if (ret)
		goto out;
	ret = STAGE(&c, "compile", -UKB_EBUILD, stage_compile(&c));
	if (ret)
		goto out;
	ret = STAGE(&c, "kmod", -UKB_EARTIFACT, stage_kmod(&c));
	if (ret)
		goto out;
	ret = STAGE(&c, "strip", -UKB_EARTIFACT, stage_strip(&c));
	if (ret)
		goto out;
	ret = STAGE(&c, "config", -UKB_EARTIFACT, stage_config(&c));
	if (ret)
		goto out;
	if (o->no_boot) {
		warning("--no-boot: the artifact was not booted");
		manifest_set_bool(c.m, "results.boot.ran", 0);
		manifest_set_str(c.m, "results.boot.skip_reason", "--no-boot");
	} else {
		ret = STAGE(&c, "boot", -UKB_EBOOT, stage_boot(&c));
		if (ret)
			goto out;
	}
	ret = STAGE(&c, "publish", -UKB_EHOST, stage_publish(&c));
	if (ret)
		goto out;
	/* results on stdout, in sha256sum's format */
	printf("%s  %s/vmlinux\n", c.sha256, out);
	fflush(stdout);
out:
	if (ret && c.pub.staging)
		publish_abort(&c.pub);
	if (ret && o->failure_record && c.m)
		manifest_write(c.m, o->failure_record);
	/* keep the log of a failed make for the user; drop the others */
	if (c.log_path && (!ret || !c.objdir))
		unlink(c.log_path);
	log_close();
	cache_unlock(&c.build_lock);
	source_release(&c.src);
	kc_set_release(&c.requested);
	kc_set_release(&c.config);
	kc_required_release(&c.required);
	kc_report_release(&c.report);
	manifest_free(c.m);
	toolchain_release(&c.tc);
	free(c.objdir);
	free(c.log_path);
	free(out);
	return ret;
}

void build_opts_init(struct build_opts *o)
{
	memset(o, 0, sizeof(*o));   /* the lists: STRVEC_INIT */
	o->arch = ARCH_X86_64;
	o->link = LINK_STATIC;
	o->profile = "defconfig";
	o->boot_timeout = 120;
	o->jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (o->jobs < 1)
		o->jobs = 1;
}

void build_opts_release(struct build_opts *o)
{
	strvec_clear(&o->fragments);
	strvec_clear(&o->kconfig_add);
	strvec_clear(&o->mirrors);
	strvec_clear(&o->keyrings);
}
