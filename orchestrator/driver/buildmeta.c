#include <gnu/libc-version.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/proc.h"
#include "base/scope.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "driver/buildmeta.h"
#include "source/patch.h"
#include "base/banned.h"

double buildmeta_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

void buildmeta_phase(struct manifest *m, const char *phase,
		     const struct timespec *t0, int ret)
{
	char *key = xasprintf("results.phases.%s", phase);

	manifest_pack(m, key, "{s:s, s:f}", "status",
		      ret ? "FAIL" : "PASS", "duration", buildmeta_since(t0));
	free(key);
	if (ret)
		manifest_set_str(m, "results.failed_phase", phase);
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

static void record_host(struct manifest *m, const struct build_opts *o,
			const struct toolchain *tc)
{
	const char *gcc[] = { tc->cc, "--version", NULL };
	const char *ld[] = { "ld", "--version", NULL };
	const char *make[] = { "make", "--version", NULL };
	const char *ccache[] = { "ccache", "--version", NULL };
	struct utsname u;

	record_tool(m, "cc", gcc);
	manifest_pack(m, "build.toolchain", "{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}",
		      "name", tc->name, "description", tc->description,
		      "cc", tc->cc, "hostcc", tc->hostcc,
		      "kcflags", tc->kcflags, "hostcflags", tc->hostcflags,
		      "wrapper", o->distcc_hosts ? "distcc" : tc->wrapper);
	record_tool(m, "binutils", ld);
	record_tool(m, "make", make);
	/* the libc this very process runs on, without spawning ldd */
	manifest_set_str(m, "tools.glibc", gnu_get_libc_version());
	if (!o->no_ccache && proc_have("ccache"))
		record_tool(m, "ccache", ccache);
	if (uname(&u) == 0)
		manifest_pack(m, "host", "{s:s, s:s, s:s}", "sysname",
			      u.sysname, "release", u.release, "machine",
			      u.machine);
}

void buildmeta_inputs(struct manifest *m, const struct build_opts *o,
		      const struct toolchain *tc)
{

	manifest_set_str(m, "umlkbuild.version", UKB_VERSION);
	manifest_set_str(m, "build.target_arch", "um");
	manifest_set_str(m, "build.subarch", kbuild_arch_name(o->arch));
	manifest_set_str(m, "build.profile", o->profile);
	manifest_set_str(m, "build.link", o->link == LINK_DYNAMIC ? "dynamic" : "static");
	manifest_set_int(m, "build.jobs", o->jobs);
	manifest_set_bool(m, "build.ccache", !o->no_ccache && proc_have("ccache"));
	manifest_set_str(m, "build.targets", "vmlinux");
	manifest_set_bool(m, "build.no_verify", o->no_verify);
	record_host(m, o, tc);
}

void buildmeta_source(struct manifest *m, const struct source *s,
		      const char *ver)
{

	manifest_set_str(m, "source.kind", s->kind);
	manifest_set_str(m, "source.kernelversion", ver);
	if (s->tarball)
		manifest_set_str(m, "source.tarball", s->tarball);
	if (s->sha256[0])
		manifest_set_str(m, "source.sha256", s->sha256);
	if (s->url)
		manifest_set_str(m, "source.url", s->url);
	if (s->commit[0])
		manifest_set_str(m, "source.commit", s->commit);
	manifest_set_bool(m, "source.verified", s->verified);
	if (!strcmp(s->kind, "kernel.org"))
		manifest_set_bool(m, "source.from_cache", s->from_cache);
	if (s->signer)
		manifest_set_str(m, "source.signer", s->signer);
	manifest_set_int(m, "source.timestamp", s->timestamp);
	if (s->modes_masked >= 0)
		manifest_set_int(m, "source.unpack.modes_masked",
				 s->modes_masked);
	for (size_t i = 0; i < s->patches.nr; i++) {
		const struct kpatch *p = &s->patches.p[i];
		int skipped = 0;

		for (size_t j = 0; j < s->patches_skipped.nr; j++)
			if (!strcmp(s->patches_skipped.v[j], p->name))
				skipped = 1;
		manifest_append(m, "build.patches", "{s:s, s:s, s:s, s:s, s:b}",
				"name", p->name, "subject", p->subject,
				"origin", p->origin, "sha256", p->sha256,
				"already_present", skipped);
	}
}

int buildmeta_fragments(struct manifest *m, const struct build_opts *o,
			const struct strvec *used)
{
	for (size_t i = 0; i < used->nr; i++) {
		struct strbuf text = STRBUF_INIT;
		char hex[SHA256_HEX_LEN + 1] = "";
		int user = 0;
		int ret;

		if (!strcmp(used->v[i], "--kconfig-add"))
			continue;
		/* configure_fragments read it: a failure now is no digest of "" */
		ret = strbuf_read_file(&text, used->v[i]);
		if (ret) {
			error_errno(ret, "cannot read fragment '%s'", used->v[i]);
			strbuf_release(&text);
			return -UKB_EUSAGE;
		}
		sha256_buf(text.buf, text.len, hex);
		for (size_t j = 0; j < o->fragments.nr; j++)
			user |= !strcmp(o->fragments.v[j], used->v[i]);
		/* a user's fragment travels in the metadata, for reproduce */
		manifest_append(m, "build.kconfig", "{s:s, s:s, s:b, s:s?}",
				"file", used->v[i], "sha256", hex, "user", user,
				"content", user ? text.buf : NULL);
		strbuf_release(&text);
	}
	for (size_t i = 0; i < o->kconfig_add.nr; i++)
		manifest_append(m, "build.kconfig_add", "s",
				o->kconfig_add.v[i]);
	return 0;
}

void buildmeta_boot(struct manifest *m, const struct boot_result *r, int ret)
{
	manifest_set_bool(m, "results.boot.ran", r->ran);
	manifest_set_bool(m, "results.boot.passed", !ret && r->ran);
	manifest_set_real(m, "results.boot.duration", r->seconds);
	manifest_set_int(m, "results.boot.attempts", r->attempts);
	if (r->skip_reason)
		manifest_set_str(m, "results.boot.skip_reason", r->skip_reason);
	if (r->kernel)
		manifest_set_str(m, "results.boot.kernel", r->kernel);
	for (size_t i = 0; i < r->nr; i++)
		manifest_append(m, "results.boot.checks", "{s:s, s:s, s:s}",
				"name", r->checks[i].name, "status",
				r->checks[i].status, "detail", r->checks[i].detail);
}

void buildmeta_passed(struct manifest *m, const struct timespec *t_run)
{
	struct rusage ru;

	/* umlkbuild's own peak, without make and the compilers */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		manifest_set_int(m, "umlkbuild.peak_rss_kib",
				 (long long)ru.ru_maxrss);
	manifest_set_str(m, "results.status", "PASS");
	manifest_set_real(m, "results.duration", buildmeta_since(t_run));
}
