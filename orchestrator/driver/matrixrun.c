/*
 * Running a matrix: each build in a forked child through build_run, at
 * most `parallel` at once, its diagnostics in OUT/logs/; a passed build's
 * artifact moved to its versioned name; the report written at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "driver/build.h"
#include "driver/matrix.h"
#include "publish/publish.h"
#include "publish/report.h"
#include "source/fetch.h"
#include "source/settings.h"
#include "base/banned.h"

/* ---- reading a build's outcome ---------------------------------------- */

/*
 * One line of a child's stderr as a reader sees it: what follows the last
 * '\r' (progress updates), without colour escapes.
 */
static void clean_line(const char *p, size_t n, struct strbuf *out)
{
	const char *cr = memrchr(p, '\r', n);

	strbuf_reset(out);
	if (cr) {
		n -= (size_t)(cr + 1 - p);
		p = cr + 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\033' && i + 1 < n && p[i + 1] == '[') {
			i += 2;
			while (i < n && !(p[i] >= '@' && p[i] <= '~'))
				i++;
			continue;
		}
		strbuf_addch(out, p[i]);
	}
}

char *matrix_first_error(const char *text)
{
	struct strbuf line = STRBUF_INIT, next = STRBUF_INIT;
	const char *p = text;
	char *ret = NULL;

	while (p && *p && !ret) {
		const char *nl = strchr(p, '\n');

		clean_line(p, nl ? (size_t)(nl - p) : strlen(p), &line);
		if (line.len > 7 && !strncmp(line.buf, "error: ", 7)) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addstr(&sb, line.buf + 7);
			/* kbuild quotes the compiler's first error under it */
			if (nl) {
				clean_line(nl + 1, strcspn(nl + 1, "\n"), &next);
				if (!strncmp(next.buf, "  ", 2) && next.buf[2] != ' ') {
					strbuf_addstr(&sb, ": ");
					strbuf_addstr(&sb, next.buf + 2);
				}
			}
			ret = strbuf_detach(&sb, NULL);
		}
		p = nl ? nl + 1 : NULL;
	}
	strbuf_release(&line);
	strbuf_release(&next);
	return ret;
}

const char *matrix_child_phase(int exit_code, const struct manifest *meta)
{
	static const char *const names[][2] = {
		{ "source", "source" }, { "configure", "configure" },
		{ "compile", "compile" }, { "kmod", "verify" },
		{ "strip", "verify" }, { "config", "verify" },
		{ "boot", "boot" }, { "publish", "publish" },
	};
	const char *ph = meta ? manifest_get_str(meta, "results.failed_phase") : NULL;

	for (size_t i = 0; ph && i < ARRAY_SIZE(names); i++)
		if (!strcmp(ph, names[i][0]))
			return names[i][1];
	/* no record: it failed before a stage began, or was killed */
	switch (exit_code) {
	case EXIT_USAGE:
		return "usage";
	case EXIT_SOURCE:
	case EXIT_PATCH:
		return "source";
	case EXIT_CONFIG:
		return "configure";
	case EXIT_BUILD:
		return "compile";
	case EXIT_ARTIFACT:
		return "verify";
	case EXIT_BOOT:
		return "boot";
	case EXIT_HOST:
		return "host";
	case EXIT_INTERRUPTED:
	case 128 + SIGTERM:
		return "interrupted";
	default:
		return "internal";
	}
}

/* ---- running ---------------------------------------------------------- */

struct run_opts {
	const char *out;          /* absolute */
	int jobs, parallel;       /* per build: jobs / parallel */
	int no_boot, no_ccache, boot_timeout, offline, json;
	const char *toolchain;
	const struct ukb_settings *cfg;
};

struct slot {
	pid_t pid;
	size_t idx;
	struct timespec t0;
};

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static char *work_path(const struct run_opts *ro, size_t i)
{
	return xasprintf("%s/.matrix-work/%03zu", ro->out, i + 1);
}

/* A failed child's metadata.json, for its results.failed_phase. */
static char *record_path(const struct run_opts *ro, size_t i)
{
	return xasprintf("%s/.matrix-work/%03zu.failed.json", ro->out, i + 1);
}

/* In the forked child: one build_run with its diagnostics in log. */
static void __attribute__((noreturn))
child_build(const struct run_opts *ro, const struct matrix_build *b,
	    size_t i, const char *log)
{
	struct build_opts o;
	char *work = work_path(ro, i);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int ret;

	/* stdout names the work dir, which the parent renames: drop it */
	if (fd < 0 || null < 0 || dup2(null, 1) < 0 || dup2(fd, 2) < 0)
		_exit(EXIT_HOST);
	close(fd);
	close(null);
	if (log_verbosity() < LOG_NORMAL)
		log_set_verbosity(LOG_NORMAL); /* the log wants the phases */
	/* a file, not the parent's terminal: no colour */
	setenv("NO_COLOR", "1", 1);
	/* the defaults (static linking too), then the cell and the run */
	build_opts_init(&o);
	o.arch = b->arch;
	o.profile = b->profile;
	o.toolchain = b->toolchain ? b->toolchain : ro->toolchain;
	o.fragments = b->fragments;
	o.kconfig_add = b->kconfig_add;
	o.jobs = ro->jobs / ro->parallel;
	o.no_ccache = ro->no_ccache;
	o.no_boot = ro->no_boot;
	o.boot_timeout = ro->boot_timeout;
	o.mirrors = ro->cfg->mirrors;
	o.keyrings = ro->cfg->keyrings;
	o.offline = ro->offline;
	o.failure_record = record_path(ro, i);
	if (o.jobs < 1)
		o.jobs = 1;
	o.out = work;
	if (!strcmp(b->kind, "tarball"))
		o.tarball = b->source;
	else if (!strcmp(b->kind, "version"))
		o.version = b->source;
	else
		o.git_url = b->git_url, o.git_ref = b->source;
	ret = build_run(&o);
	fflush(stdout);
	fflush(stderr);
	if (sigchain_pending())
		sigchain_reraise();
	tmp_remove_all();
	_exit(ukb_exit_code(ret));
}

static int start_build(const struct run_opts *ro, const struct matrix *m,
		       struct report *rep, size_t i, struct slot *s)
{
	struct report_row *r = &rep->r[i];
	char *log = path_join(ro->out, r->log);
	pid_t pid;

	info("[%zu/%zu] building %s", i + 1, m->nr, r->id);
	fflush(NULL); /* or the child flushes the parent's buffers again */
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	pid = fork();
	if (pid < 0) {
		int err = errno;

		free(log);
		r->status = "FAIL";
		r->phase = xstrdup("host");
		r->error = xasprintf("cannot fork: %s", strerror(err));
		error_errno(-err, "cannot fork");
		return -UKB_EHOST;
	}
	if (!pid)
		child_build(ro, &m->b[i], i, log);
	free(log);
	s->pid = pid;
	s->idx = i;
	return 0;
}

/* Whether another build of this run already published name. */
static const char *name_taken(const struct report *rep, size_t self,
			      const char *name)
{
	for (size_t i = 0; i < rep->nr; i++)
		if (i != self && rep->r[i].artifact &&
		    !strcmp(rep->r[i].artifact, name))
			return rep->r[i].id;
	return NULL;
}

/* A passed child: move its artifact to its versioned name. */
static void collect_pass(const struct run_opts *ro, const struct matrix *m,
			 struct report *rep, size_t i)
{
	struct report_row *r = &rep->r[i];
	char *work = work_path(ro, i);
	char *meta = path_join(work, "metadata.json");
	struct manifest *man = manifest_load(meta);
	const char *ver = man ? manifest_get_str(man, "source.kernelversion") : NULL;
	const char *sha = man ? manifest_get_str(man, "vmlinux.sha256") : NULL;
	char *name = NULL, *vmlinux;
	const char *other;
	struct publish pub = PUBLISH_INIT;
	struct stat st;

	if (!ver || !sha) {
		r->status = "FAIL";
		r->phase = xstrdup("publish");
		r->error = xasprintf("'%s' names no kernel version or sha256", meta);
		goto out;
	}
	r->version = xstrdup(ver);
	name = matrix_artifact_name(&m->b[i], ver);
	other = name_taken(rep, i, name);
	if (other) {
		r->status = "FAIL";
		r->phase = xstrdup("publish");
		r->error = xasprintf("'%s' was already published by %s; give the cell a 'suffix'",
				     name, other);
		goto out;
	}
	pub.out = path_join(ro->out, name);
	pub.staging = xstrdup(work);
	if (publish_commit(&pub)) {
		r->status = "FAIL";
		r->phase = xstrdup("publish");
		r->error = xasprintf("cannot publish '%s'", name);
		goto out;
	}
	r->status = "PASS";
	r->sha256 = xstrdup(sha);
	r->artifact = name;
	name = NULL;
	vmlinux = xasprintf("%s/%s/vmlinux", ro->out, r->artifact);
	if (!stat(vmlinux, &st))
		r->size = (long long)st.st_size;
	if (!ro->json)
		printf("%s  %s\n", r->sha256, vmlinux);
	free(vmlinux);
out:
	rmtree(work);
	manifest_free(man);
	free(name);
	free(meta);
	free(work);
}

/* A finished child: its outcome into row i. */
static void collect(const struct run_opts *ro, const struct matrix *m,
		    struct report *rep, const struct slot *s, int status)
{
	struct report_row *r = &rep->r[s->idx];
	char *log = path_join(ro->out, r->log);
	struct strbuf text = STRBUF_INIT;
	char d[32];

	r->duration = since(&s->t0);
	r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) :
		       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
	if (!r->exit_code) {
		collect_pass(ro, m, rep, s->idx);
	} else {
		char *rec = record_path(ro, s->idx);
		struct manifest *meta = path_exists(rec) ? manifest_load(rec) : NULL;
		const char *p;

		r->status = "FAIL";
		/* no log (the child died early): no text to quote */
		if (strbuf_read_file(&text, log))
			strbuf_reset(&text);
		r->phase = xstrdup(matrix_child_phase(r->exit_code, meta));
		manifest_free(meta);
		unlink(rec);
		free(rec);
		r->error = matrix_first_error(text.buf);
		if (r->error) {
			/* the log holds it quoted; the reports quote it once */
			struct strbuf raw = STRBUF_INIT;

			unquote_ctrl(&raw, r->error, strlen(r->error));
			free(r->error);
			r->error = strbuf_detach(&raw, NULL);
		}
		if (!r->error && WIFSIGNALED(status))
			r->error = xasprintf("killed by signal %d", WTERMSIG(status));
		/* "linux 6.1.158 from ..." names the version once it is known */
		p = !strncmp(text.buf, "linux ", 6) ? text.buf : strstr(text.buf, "\nlinux ");
		if (p) {
			p += *p == '\n' ? 7 : 6;
			r->version = xstrndup(p, strcspn(p, " \n"));
		}
		{
			char *work = work_path(ro, s->idx);

			rmtree(work);
			free(work);
		}
	}
	snprintf(d, sizeof(d), "%.0f s", r->duration);
	if (!strcmp(r->status, "PASS"))
		info("[%zu/%zu] %s: PASS in %s", s->idx + 1, m->nr, r->id, d);
	else
		warning("[%zu/%zu] %s: FAIL (%s) after %s: %s", s->idx + 1, m->nr,
			r->id, r->phase, d, r->error ? r->error : "see its log");
	strbuf_release(&text);
	free(log);
}

/* One report row per build, named before anything runs. */
static void prepare_rows(const struct matrix *m, struct report *rep)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct matrix_build *b = &m->b[i];
		struct report_row *r = report_add(rep);
		int several = 0;
		char *label;

		for (size_t k = 0; k < m->nr; k++)
			if (!strcmp(m->b[k].cell, b->cell) &&
			    strcmp(m->b[k].source, b->source))
				several = 1;
		label = matrix_source_label(b->kind, b->source);
		r->id = xasprintf("%03zu-%s%s%s-%s-%s", i + 1, b->cell,
				  several ? "-" : "", several ? label : "",
				  kbuild_arch_name(b->arch), b->profile);
		free(label);
		r->cell = xstrdup(b->cell);
		r->kind = xstrdup(b->kind);
		if (b->git_url) {
			char *url = url_redact(b->git_url);

			r->source = xasprintf("%s %s", url, b->source);
			free(url);
		} else {
			r->source = xstrdup(b->source);
		}
		if (!strcmp(b->kind, "version"))
			r->version = xstrdup(b->source);
		r->arch = xstrdup(kbuild_arch_name(b->arch));
		r->profile = xstrdup(b->profile);
		r->log = xasprintf("logs/%s.log", r->id);
	}
}

static int run_all(const struct run_opts *ro, const struct matrix *m,
		   struct report *rep)
{
	struct slot *slots = xcalloc((size_t)ro->parallel, sizeof(*slots));
	size_t next = 0, running = 0;
	int stopping = 0, ret = 0;

	while (next < m->nr || running) {
		int status;
		pid_t pid;

		while (!stopping && running < (size_t)ro->parallel && next < m->nr) {
			size_t k = 0;

			while (slots[k].pid)
				k++;
			if (start_build(ro, m, rep, next++, &slots[k])) {
				stopping = 1;
				ret = -UKB_EHOST;
				break;
			}
			running++;
		}
		if (!running)
			break;
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno != EINTR)
			break;
		if (sigchain_pending() && !stopping) {
			stopping = 1;
			ret = -UKB_EINTR;
			/* each child kills its make's group and cleans up */
			for (int k = 0; k < ro->parallel; k++)
				if (slots[k].pid)
					kill(slots[k].pid, SIGTERM);
		}
		if (pid <= 0)
			continue;
		for (int k = 0; k < ro->parallel; k++) {
			if (slots[k].pid != pid)
				continue;
			collect(ro, m, rep, &slots[k], status);
			slots[k].pid = 0;
			running--;
		}
	}
	free(slots);
	return ret;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The command line, then [matrix], then the defaults. */
static void resolve_run_opts(struct run_opts *ro, const struct matrix_args *a,
			     const struct matrix *m, struct ukb_settings *cfg)
{
	if (a->out)
		ro->out = path_absolute(a->out);
	else if (m->out)
		ro->out = xstrdup(m->out);
	else
		ro->out = path_absolute(".");
	ro->jobs = a->jobs ? a->jobs : m->jobs ? m->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ro->jobs < 1)
		ro->jobs = 1;
	ro->parallel = a->parallel ? a->parallel : m->parallel ? m->parallel : 1;
	if (ro->parallel > (int)m->nr)
		ro->parallel = (int)m->nr;
	ro->no_boot = a->no_boot || m->no_boot;
	ro->no_ccache = a->no_ccache || m->no_ccache;
	ro->boot_timeout = m->boot_timeout ? m->boot_timeout : 120;
	if (!ro->toolchain)
		ro->toolchain = m->toolchain;
	ro->cfg = cfg;
}

/* The output directory with its logs/ and .matrix-work/. */
static int prepare_out(const char *out)
{
	int ret = publish_check_place(out, 0);

	if (ret)
		return ret;
	ret = mkdir_p(out, 0755);
	if (!ret) {
		char *logs = path_join(out, "logs");
		char *work = path_join(out, ".matrix-work");

		ret = mkdir_p(logs, 0755);
		if (!ret)
			ret = mkdir_p(work, 0755);
		free(logs);
		free(work);
	}
	if (ret) {
		error_errno(ret, "cannot write to '%s'", out);
		ret = -UKB_EHOST;
		hint("choose a writable directory with 'out =' or --out DIR");
	}
	return ret;
}

/* matrix.json on stdout when asked, then the verdict on the builds. */
static int report_outcome(const struct run_opts *ro, const struct report *rep,
			  int ret)
{
	size_t failed;

	if (ro->json) {
		char *path = path_join(ro->out, "matrix.json");
		struct strbuf sb = STRBUF_INIT;

		if (!strbuf_read_file(&sb, path))
			fwrite(sb.buf, 1, sb.len, stdout);
		strbuf_release(&sb);
		free(path);
	}
	failed = report_count(rep, "FAIL");
	if (!ret && failed) {
		struct strbuf ids = STRBUF_INIT;

		for (size_t i = 0; i < rep->nr; i++)
			if (!strcmp(rep->r[i].status, "FAIL"))
				strbuf_addf(&ids, "%s%s", ids.len ? ", " : "",
					    rep->r[i].id);
		ret = error(-UKB_EBUILD, "%zu of %zu builds failed: %s", failed,
			    rep->nr, ids.buf);
		hint("the report is '%s/matrix.md'; each build's diagnostics are in '%s/logs/'",
		     ro->out, ro->out);
		strbuf_release(&ids);
	} else if (!ret) {
		info("matrix: all %zu builds passed; report in '%s/matrix.md'",
		     rep->nr, ro->out);
	}
	return ret;
}

int matrix_run_file(const struct matrix_args *a)
{
	struct run_opts ro = { .toolchain = a->toolchain, .offline = a->offline,
			       .json = a->json };
	struct matrix m;
	struct report rep;
	struct ukb_settings cfg;
	int ret;
	struct timespec t0;
	char started[32];

	matrix_init(&m);
	report_init(&rep);
	settings_init(&cfg);
	ret = matrix_load(&m, a->file);
	if (!ret)
		ret = settings_load(&cfg, a->config_file);
	if (ret)
		goto out;
	cache_set_default_root(cfg.cache_dir);
	resolve_run_opts(&ro, a, &m, &cfg);
	ret = prepare_out(ro.out);
	if (ret)
		goto out;

	rep.file = xstrdup(a->file);
	now_iso(started, sizeof(started));
	rep.started = xstrdup(started);
	prepare_rows(&m, &rep);
	info("matrix: %zu builds, %d at a time with -j%d each, into '%s'",
	     m.nr, ro.parallel, ro.jobs / ro.parallel > 0 ? ro.jobs / ro.parallel : 1,
	     ro.out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = run_all(&ro, &m, &rep);
	rep.duration = since(&t0);
	{
		char *work = path_join(ro.out, ".matrix-work");

		rmdir(work);
		free(work);
	}
	{
		int wret = report_write(&rep, ro.out);

		if (!ret)
			ret = wret;
	}
	ret = report_outcome(&ro, &rep, ret);
out:
	free((char *)ro.out);
	settings_release(&cfg);
	report_release(&rep);
	matrix_release(&m);
	return ret;
}
