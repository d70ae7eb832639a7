#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
#include "compile/ccache.h"
#include "compile/kbuild.h"
#include "compile/preflight.h"
#include "compile/toolchain.h"
#include "configure/configure.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"
#include "configure/resolve.h"
#include "driver/build.h"
#include "driver/buildkey.h"
#include "driver/buildmeta.h"
#include "publish/publish.h"
#include "source/source.h"
#include "verify/kmodcheck.h"
#include "verify/strip.h"
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
	char compile_key[SHA256_HEX_LEN + 1];
	int reuse;               /* the build dir holds these inputs' vmlinux */
	char sha256[SHA256_HEX_LEN + 1];
	struct timespec t_run;
};

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
	if (ret) {
		error_errno(ret, "cannot create '%s'", c->objdir);
		return -UKB_EHOST;
	}
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
	if (!ret) {
		c->nr_fragments = used.nr;
		ret = buildmeta_fragments(c->m, o, &used);
	}
	if (!ret)
		ret = configure_required(&c->required);
	strvec_clear(&used);
	return ret;
}

static int stage_configure(struct build_ctx *c)
{
	const struct build_opts *o = c->o;
	char *cfg_path = path_join(c->objdir, ".config");
	struct configure_check_in in = {
		.cfg_path = cfg_path, .srcdir = c->src.tree, .objdir = c->objdir,
		.required = &c->required, .requested = &c->requested,
		.version = &c->src.version, .arch = o->arch | o->link,
	};
	struct kbuild kb;
	int ret;

	kbuild_for(c, &kb);
	if (c->reuse) {
		info("'%s' holds a build of these inputs: no configure or compile",
		     c->objdir);
		ret = 0;
	} else {
		info("configuring %s for %s (%s + %zu fragments)", c->ver,
		     kbuild_arch_name(o->arch), configure_base_target(o->profile),
		     c->nr_fragments);
		/* a fresh .config every run: never build on a stale one */
		buildkey_objdir_forget(c->objdir);
		unlink(cfg_path);
		ret = kbuild_make(&kb, configure_base_target(o->profile), 0);
		if (!ret)
			ret = configure_apply_file(cfg_path, &c->requested);
		if (!ret)
			ret = kbuild_make(&kb, "olddefconfig", 0);
	}
	kbuild_done(&kb);
	if (!ret)
		ret = configure_check_file(&in, &c->config, &c->report, c->m);
	free(cfg_path);
	return ret;
}

static int make_vmlinux(struct build_ctx *c, struct kbuild *kb)
{
	long long hits0, misses0, hits1, misses1;
	int ret;

	info("compiling vmlinux with -j%d%s%s%s", kb->jobs,
	     kb->ccache_dir ? " and ccache" : "",
	     kb->wrapper ? " through distcc on " : "",
	     kb->wrapper ? (kb->distcc_hosts ? kb->distcc_hosts : "its own host list") : "");
	if (kb->wrapper) {
		manifest_set_str(c->m, "build.distcc_hosts", kb->distcc_hosts);
		manifest_set_int(c->m, "build.compile_jobs", kb->jobs);
	}
	ccache_counts(kb->ccache_dir, &hits0, &misses0);
	ret = kbuild_make(kb, "vmlinux", 1);
	ccache_counts(kb->ccache_dir, &hits1, &misses1);
	if (kb->ccache_dir && hits0 >= 0 && hits1 >= 0)
		/* other runs sharing the store may add to these */
		manifest_pack(c->m, "ccache", "{s:I, s:I}", "cache_hits",
			      hits1 - hits0, "cache_misses", misses1 - misses0);
	/* a build dir without its record is only built again next time */
	if (!ret && buildkey_objdir_stamp(c->objdir, c->compile_key))
		warning("cannot record the build in '%s': the next build of these inputs compiles again",
			c->objdir);
	return ret;
}

static int stage_compile(struct build_ctx *c)
{
	struct kbuild kb;
	struct strbuf rel = STRBUF_INIT;
	int ret = 0;

	kbuild_for(c, &kb);
	if (!c->reuse)
		ret = make_vmlinux(c, &kb);
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
	int ret = strip_artifact(src, dst, c->o->arch, c->o->link == LINK_STATIC,
				 &c->elf, c->sha256, c->m);

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

	if (ret) {
		error_errno(ret, "cannot copy '%s'", cfg);
		ret = -UKB_EHOST;
	} else {
		ret = kmodcheck_showconfig(vmlinux, dst, c->m);
	}
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
	buildmeta_boot(c->m, &r, ret);
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

	buildmeta_passed(c->m, &c->t_run);
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
	if (ret) {
		error_errno(ret, "cannot write the artifact into '%s'",
			    c->pub.staging);
		ret = -UKB_EHOST;
	} else {
		ret = publish_commit(&c->pub);
	}
	free(meta);
	free(blog);
	return ret;
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
	if (ret) {
		error_errno(ret, "cannot write '%s'", c->log_path);
		return -UKB_EHOST;
	}
	return 0;
}

/*
 * Whether the build directory's record says it holds a compile of these
 * very inputs, with the same compile engine (kbuild rebuilds for another).
 */
static void check_objdir_record(struct build_ctx *c)
{
	struct kbuild kb;

	kbuild_for(c, &kb);
	buildkey_compile(&(struct buildkey_in){ .o = c->o, .tree_key = c->src.tree_key,
						.tc = &c->tc, .requested = &c->requested,
						.ccache = kb.ccache_dir != NULL,
						.wrapper = kb.wrapper },
			 c->m, c->compile_key);
	kbuild_done(&kb);
	c->reuse = !c->o->no_reuse &&
		   buildkey_objdir_fresh(c->objdir, c->compile_key);
	manifest_set_bool(c->m, "build.objdir_reused", c->reuse);
}

/* Run one stage, timing it; a plain -errno becomes the stage's class. */
#define STAGE(c, name, cls, call)                                            \
	({                                                                   \
		struct timespec t0_;                                         \
		int r_;                                                      \
		clock_gettime(CLOCK_MONOTONIC, &t0_);                        \
		r_ = ukb_classify((call), (cls));                            \
		buildmeta_phase((c)->m, (name), &t0_, r_);                         \
		r_;                                                          \
	})

/* Long on purpose: the pipeline read top to bottom, the stages in order, one cleanup. */
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
	buildmeta_inputs(c.m, o, &c.tc);

	if (o->link == LINK_DYNAMIC) {
		warning("--link dynamic: the kernel will need this host's glibc (or newer) wherever it runs");
		hint("a static kernel runs on any Linux host of its arch; prefer it where the release allows");
	}
	ret = STAGE(&c, "source", -UKB_ESOURCE, source_prepare(&spec, &c.src));
	if (ret)
		goto out;
	kver_format(&c.src.version, c.ver, sizeof(c.ver));
	buildmeta_source(c.m, &c.src, c.ver);
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
	buildkey_compute(&(struct buildkey_in){ .o = o, .tree_key = c.src.tree_key,
						.tc = &c.tc, .requested = &c.requested,
						.required = &c.required },
			 c.m, c.input_key);
	if (buildkey_up_to_date(out, c.input_key, c.sha256)) {
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
	check_objdir_record(&c);
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
