#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/progress.h"
#include "base/scope.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "base/banned.h"

#define MAX_QUOTED 6

int kbuild_parse_arch(const char *s, unsigned *arch)
{
	static const struct { const char *name; unsigned arch; } names[] = {
		{ "x86_64", ARCH_X86_64 }, { "amd64", ARCH_X86_64 },
		{ "64", ARCH_X86_64 },     { "i386", ARCH_I386 },
		{ "i686", ARCH_I386 },     { "32", ARCH_I386 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i].name)) {
			*arch = names[i].arch;
			return 0;
		}
	}
	return -UKB_EUSAGE;
}

const char *kbuild_arch_name(unsigned arch)
{
	return arch == ARCH_I386 ? "i386" : "x86_64";
}

int kbuild_distcc_jobs(const char *hosts, int local)
{
	const char *p = hosts;
	long total = local > 0 ? local : 1;
	int remote = 0;

	while (p && *p) {
		size_t n;
		const char *slash;
		long limit = 4; /* distcc's default for a TCP host */

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (!n)
			break;
		/* "--randomize", "+zeroconf" and the like are not hosts */
		if (*p != '-' && *p != '+' && strncmp(p, "localhost", 9)) {
			slash = memchr(p, '/', n);
			if (slash) {
				long v = strtol(slash + 1, NULL, 10);

				if (v > 0 && v < 1024)
					limit = v;
			}
			total += limit;
			remote = 1;
		}
		p += n;
	}
	if (!remote)
		total = 2L * (local > 0 ? local : 1);
	return total > 1024 ? 1024 : (int)total;
}

struct make_watch {
	struct progress *progress;
	unsigned long long objects;
	char *quoted[MAX_QUOTED];
	size_t nr_quoted;
};

static int is_error_line(const char *line, size_t len)
{
	static const char *const marks[] = {
		"error:", "Error ", "undefined reference", "No rule to make",
		"multiple definition", "fatal error", "ld returned",
		"Segmentation fault",
	};

	for (size_t i = 0; i < ARRAY_SIZE(marks); i++)
		if (memmem(line, len, marks[i], strlen(marks[i])))
			return 1;
	return 0;
}

static void on_make_line(void *ctx, const char *line, size_t len)
{
	struct make_watch *w = ctx;

	if (len > 4 && line[0] == ' ' && line[1] == ' ' &&
	    (!strncmp(line + 2, "CC", 2) || !strncmp(line + 2, "AS", 2) ||
	     !strncmp(line + 2, "LD", 2) || !strncmp(line + 2, "AR", 2))) {
		w->objects++;
		progress_update(w->progress, w->objects);
	}
	if (w->nr_quoted < MAX_QUOTED && is_error_line(line, len))
		w->quoted[w->nr_quoted++] = xstrndup(line, len);
}

static void push_common(const struct kbuild *kb, struct strvec *argv,
			struct strvec *env)
{
	const char *cc = kb->cc ? kb->cc : "gcc";
	const char *hostcc = kb->hostcc ? kb->hostcc : cc;

	strvec_pushl(argv, "make", "-C", kb->srcdir, NULL);
	strvec_pushf(argv, "O=%s", kb->objdir);
	strvec_push(argv, "ARCH=um");
	strvec_pushf(argv, "SUBARCH=%s", kbuild_arch_name(kb->arch));
	if (kb->ccache_dir) {
		strvec_pushf(argv, "CC=ccache %s", cc);
		strvec_pushf(argv, "HOSTCC=ccache %s", hostcc);
		strvec_pushf(env, "CCACHE_DIR=%s", kb->ccache_dir);
		strvec_pushf(env, "CCACHE_BASEDIR=%s", kb->srcdir);
		strvec_push(env, "CCACHE_NOHASHDIR=1");
		strvec_push(env, "CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime");
		/* ccache looks first; only its misses go to distcc */
		if (kb->wrapper)
			strvec_pushf(env, "CCACHE_PREFIX=%s", kb->wrapper);
	} else if (kb->wrapper) {
		/* host tools are few and run here: they stay local */
		strvec_pushf(argv, "CC=%s %s", kb->wrapper, cc);
		strvec_pushf(argv, "HOSTCC=%s", hostcc);
	} else {
		strvec_pushf(argv, "CC=%s", cc);
		strvec_pushf(argv, "HOSTCC=%s", hostcc);
	}
	if (kb->wrapper && kb->distcc_hosts)
		strvec_pushf(env, "DISTCC_HOSTS=%s", kb->distcc_hosts);
	/*
	 * Reproducible: no build paths in the objects. kbuild may name
	 * sources absolutely or relative to the build dir: map both.
	 */
	{
		char *rel = path_relative(kb->objdir, kb->srcdir);

		strvec_pushf(argv, "KCFLAGS=-ffile-prefix-map=%s/= -ffile-prefix-map=%s/= "
			     "-ffile-prefix-map=%s/=%s%s", kb->srcdir, rel,
			     kb->objdir, kb->kcflags ? " " : "",
			     kb->kcflags ? kb->kcflags : "");
		free(rel);
	}
	if (kb->hostcflags)
		strvec_pushf(argv, "HOSTCFLAGS=%s", kb->hostcflags);
	strvec_pushv(argv, kb->make_vars.v);
	if (kb->timestamp > 0) {
		time_t t = (time_t)kb->timestamp;
		struct tm tm;
		char buf[64];

		gmtime_r(&t, &tm);
		strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S UTC %Y", &tm);
		strvec_pushf(env, "KBUILD_BUILD_TIMESTAMP=%s", buf);
		strvec_pushf(env, "SOURCE_DATE_EPOCH=%lld", kb->timestamp);
	}
	/*
	 * A make that runs umlkbuild (make check, a packaging recipe) must
	 * not leak its flags, level or jobserver into the kernel's make.
	 */
	strvec_pushl(env, "MAKEFLAGS=", "MFLAGS=", "MAKELEVEL=", "MAKEOVERRIDES=",
		     NULL);
	strvec_push(env, "KBUILD_BUILD_USER=umlkbuild");
	strvec_push(env, "KBUILD_BUILD_HOST=umlkbuild");
	strvec_push(env, "KBUILD_BUILD_VERSION=1");
	strvec_push(env, "LC_ALL=C");
}

int kbuild_make(const struct kbuild *kb, const char *target, int show_progress)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct make_watch w = { 0 };
	struct proc p = { 0 };
	int ret;

	push_common(kb, &argv, &env);
	if (kb->jobs > 0)
		strvec_pushf(&argv, "-j%d", kb->jobs);
	strvec_push(&argv, target);
	{
		char *cmd = strvec_join(&argv, " ");

		debug("$ %s", cmd);
		free(cmd);
	}
	if (show_progress)
		w.progress = progress_start("compiling", 0, 0);
	p.argv = argv.v;
	p.env = env.v;
	p.on_line = on_make_line;
	p.ctx = &w;
	ret = proc_run(&p);
	progress_stop(&w.progress);
	if (ret == -ENOENT) {
		ret = error(-UKB_EHOST, "cannot run 'make': not installed");
		hint("run toolchain/install.sh, or apt-get install make");
	} else if (ret == -UKB_ECHILD) {
		struct strbuf why = STRBUF_INIT;

		proc_describe(&p, &why);
		ret = error(-UKB_EBUILD, "make %s %s", target, why.buf);
		for (size_t i = 0; i < w.nr_quoted; i++) {
			/* compiler lines quote the tree's source: no raw bytes */
			struct strbuf q = STRBUF_INIT;

			quote_ctrl_str(&q, w.quoted[i]);
			fprintf(stderr, "  %s\n", q.buf);
			strbuf_release(&q);
		}
		if (log_path())
			hint("the full output is in '%s'", log_path());
		strbuf_release(&why);
	}
	for (size_t i = 0; i < w.nr_quoted; i++)
		free(w.quoted[i]);
	strvec_clear(&argv);
	strvec_clear(&env);
	return ret;
}

int kbuild_kernelrelease(const struct kbuild *kb, struct strbuf *out)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct proc p = { 0 };
	int ret;

	push_common(kb, &argv, &env);
	strvec_pushl(&argv, "-s", "--no-print-directory", "kernelrelease", NULL);
	p.argv = argv.v;
	p.env = env.v;
	p.capture = out;
	p.quiet_log = 1;
	ret = proc_run(&p);
	strbuf_rtrim(out);
	/* only the last line is the release */
	{
		char *nl = strrchr(out->buf, '\n');

		if (nl) {
			size_t n = strlen(nl + 1);

			memmove(out->buf, nl + 1, n + 1);
			strbuf_setlen(out, n);
		}
	}
	strvec_clear(&argv);
	strvec_clear(&env);
	return ret;
}
