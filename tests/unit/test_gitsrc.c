/*
 * gitsrc: a small repository made with git(1), exported by tag, annotated
 * tag, branch and commit id from a path URL, from file:// and from `git
 * daemon` on 127.0.0.1; a second tag arrives as a small incremental pack.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include <git2.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "source/gitsrc.h"

extern char **environ;

static char *dir, *repo;
static pid_t daemon_pid;     /* killed in teardown, whatever failed */
static char v1_commit[41], v2_commit[41];

static int git(struct strbuf *out, ...)
{
	struct strvec argv = STRVEC_INIT;
	const char *const env[] = {
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@umlkbuild.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@umlkbuild.invalid",
		"GIT_AUTHOR_DATE=1600000000 +0000",
		"GIT_COMMITTER_DATE=1600000000 +0000",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", NULL
	};
	struct proc p = { .env = env, .quiet_log = 1, .capture = out,
			  .timeout_ms = 60000 };
	const char *a;
	va_list ap;
	int ret;

	strvec_pushl(&argv, "git", "-C", repo, NULL);
	va_start(ap, out);
	while ((a = va_arg(ap, const char *)))
		strvec_push(&argv, a);
	va_end(ap);
	p.argv = argv.v;
	ret = proc_run(&p);
	strvec_clear(&argv);
	return ret;
}

static void put(const char *rel, const char *text)
{
	char *p = path_join(repo, rel);

	assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

static void head_id(char id[41])
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(git(&sb, "rev-parse", "HEAD", NULL), 0);
	assert_true(sb.len >= 40);
	memcpy(id, sb.buf, 40);
	id[40] = '\0';
	strbuf_release(&sb);
}

static int setup(void **state)
{
	char tpl[] = "/tmp/ukb-test-gitsrc.XXXXXX";
	char *cache;

	(void)state;
	log_set_verbosity(LOG_QUIET);
	git_libgit2_init();
	if (!mkdtemp(tpl))
		return -1;
	dir = xstrdup(tpl);
	repo = path_join(dir, "linux");
	cache = path_join(dir, "cache");
	cache_set_root(cache);
	free(cache);
	if (mkdir_p(repo, 0755) || git(NULL, "init", "-q", "-b", "master", NULL))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (daemon_pid > 0) {
		int status;

		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, &status, 0);
	}
	rmtree(dir);
	free(dir);
	free(repo);
	git_libgit2_shutdown();
	return 0;
}

static void first_tag(void)
{
	char *sub = path_join(repo, "scripts");

	assert_int_equal(mkdir_p(sub, 0755), 0);
	free(sub);
	put("Makefile", "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 1\n");
	put("scripts/run.sh", "#!/bin/sh\necho hi\r\n");
	{
		char *p = path_join(repo, "scripts/run.sh");

		assert_int_equal(chmod(p, 0755), 0);
		free(p);
	}
	{
		char *l = path_join(repo, "link");

		assert_int_equal(symlink("scripts/run.sh", l), 0);
		free(l);
	}
	assert_int_equal(git(NULL, "add", "-A", NULL), 0);
	assert_int_equal(git(NULL, "commit", "-q", "-m", "v1", NULL), 0);
	assert_int_equal(git(NULL, "tag", "v6.1.1", NULL), 0);
	head_id(v1_commit);
}

static void second_tag(void)
{
	put("Makefile", "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 2\n");
	assert_int_equal(git(NULL, "commit", "-q", "-am", "v2", NULL), 0);
	/* annotated this time */
	assert_int_equal(git(NULL, "tag", "-a", "-m", "6.1.2", "v6.1.2", NULL),
			 0);
	head_id(v2_commit);
}

static char *read_text(const char *d, const char *rel)
{
	struct strbuf sb = STRBUF_INIT;
	char *p = path_join(d, rel);

	assert_int_equal(strbuf_read_file(&sb, p), 0);
	free(p);
	return strbuf_detach(&sb, NULL);
}

static char *export_ok(const char *url, const char *ref, const char *commit)
{
	static int n;
	struct git_export e;
	char *dest = xasprintf("%s/out%d/linux", dir, ++n);

	assert_int_equal(gitsrc_export(url, ref, dest, &e), 0);
	assert_string_equal(e.commit, commit);
	assert_int_equal(e.commit_time, 1600000000);
	assert_string_equal(e.tree_dir, dest);
	git_export_release(&e);
	return dest;
}

static char *mirror_path(const char *url)
{
	char key[65];
	char *p;

	sha256_buf(url, strlen(url), key);
	p = xasprintf("%s/cache/git/%s.git", dir, key);
	return p;
}

/* Objects in the mirror's packs, one number per pack, summed. */
static int pack_objects(const char *mirror, int *packs)
{
	char *pdir = xasprintf("%s/objects/pack", mirror);
	DIR *d = opendir(pdir);
	struct dirent *e;
	int n = 0;

	*packs = 0;
	assert_non_null(d);
	while ((e = readdir(d))) {
		struct strbuf sb = STRBUF_INIT;
		char *idx;
		size_t len = strlen(e->d_name);
		const char *argv[] = { "git", "verify-pack", "-v", NULL, NULL };

		if (len < 4 || strcmp(e->d_name + len - 4, ".idx"))
			continue;
		idx = path_join(pdir, e->d_name);
		argv[3] = idx;
		assert_int_equal(proc_capture(argv, &sb), 0);
		/* "<40 hex> <type> <size> ..." per object */
		for (const char *l = sb.buf; *l;) {
			const char *nl = strchr(l, '\n');

			n += strspn(l, "0123456789abcdef") == 40 && l[40] == ' ';
			if (!nl)
				break;
			l = nl + 1;
		}
		(*packs)++;
		free(idx);
		strbuf_release(&sb);
	}
	closedir(d);
	free(pdir);
	return n;
}

static void test_path_url(void **state)
{
	struct git_export e;
	char *dest, *text, *mirror, *link_target, *lp, abbrev[13];
	struct stat st;
	int packs, before, after;
	ssize_t n;

	(void)state;
	first_tag();
	dest = export_ok(repo, "v6.1.1", v1_commit);
	text = read_text(dest, "Makefile");
	assert_non_null(strstr(text, "SUBLEVEL = 1"));
	free(text);
	/* bytes as committed, modes and links kept, no .git */
	text = read_text(dest, "scripts/run.sh");
	assert_string_equal(text, "#!/bin/sh\necho hi\r\n");
	free(text);
	lp = path_join(dest, "scripts/run.sh");
	assert_int_equal(stat(lp, &st), 0);
	assert_true(st.st_mode & S_IXUSR);
	free(lp);
	lp = path_join(dest, "link");
	link_target = xmalloc(64);
	n = readlink(lp, link_target, 63);
	assert_true(n > 0);
	link_target[n] = '\0';
	assert_string_equal(link_target, "scripts/run.sh");
	free(link_target);
	free(lp);
	lp = path_join(dest, ".git");
	assert_false(path_exists(lp));
	free(lp);
	free(dest);

	mirror = mirror_path(repo);
	before = pack_objects(mirror, &packs);
	assert_true(before >= 5);

	/* a tag the mirror holds needs no remote: rename it away */
	{
		char *away = path_join(dir, "away");

		assert_int_equal(rename(repo, away), 0);
		dest = export_ok(repo, "v6.1.1", v1_commit);
		free(dest);
		dest = export_ok(repo, v1_commit, v1_commit);
		free(dest);
		memcpy(abbrev, v1_commit, 12);
		abbrev[12] = '\0';
		dest = export_ok(repo, abbrev, v1_commit);
		free(dest);
		/* a branch must be fetched: the remote is gone */
		dest = xasprintf("%s/gone", dir);
		assert_int_equal(gitsrc_export(repo, "master", dest, &e),
				 -UKB_ENOTFOUND);
		assert_false(path_exists(dest));
		free(dest);
		assert_int_equal(rename(away, repo), 0);
		free(away);
	}

	/* the second tag comes as a small pack of its own */
	second_tag();
	dest = export_ok(repo, "v6.1.2", v2_commit);
	text = read_text(dest, "Makefile");
	assert_non_null(strstr(text, "SUBLEVEL = 2"));
	free(text);
	free(dest);
	/*
	 * Only the new commit and what its tree holds: libgit2's local
	 * transport sends the new commit's whole tree, unchanged blobs
	 * included, but none of the old history (over git daemon the pack
	 * is minimal: see test_git_daemon).
	 */
	after = pack_objects(mirror, &packs);
	assert_int_equal(packs, 2);
	assert_true(after - before <= 4 + 3);
	dest = export_ok(repo, "master", v2_commit);
	free(dest);
	dest = export_ok(repo, "refs/tags/v6.1.1", v1_commit);
	free(dest);
	free(mirror);
}

static void test_errors(void **state)
{
	struct git_export e;
	char *dest = xasprintf("%s/err/linux", dir);
	char *missing = path_join(dir, "no-such-repo");

	(void)state;
	assert_int_equal(gitsrc_export(repo, "v9.9", dest, &e),
			 -UKB_ENOTFOUND);
	assert_false(path_exists(dest));
	assert_null(e.tree_dir);
	assert_int_equal(gitsrc_export(missing, "v1", dest, &e),
			 -UKB_ENOTFOUND);
	/* no empty mirror is left behind for a remote that never answered */
	{
		char *m = mirror_path(missing);

		assert_false(path_exists(m));
		free(m);
	}
	assert_int_equal(mkdir_p(dest, 0755), 0);
	assert_int_equal(gitsrc_export(repo, "v6.1.1", dest, &e), -EEXIST);
	assert_true(is_dir(dest));
	free(dest);
	free(missing);
}

static void test_file_url(void **state)
{
	char *url = xasprintf("file://%s", repo), *dest;

	(void)state;
	dest = export_ok(url, "v6.1.2", v2_commit);
	free(dest);
	free(url);
}

static int free_port(void)
{
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	return 20000 + rand() % 40000;
}

/* git daemon on 127.0.0.1, exporting dir; spawned directly (a server). */
static void test_git_daemon(void **state)
{
	char *base = xasprintf("--base-path=%s", dir), *port_arg, *url, *dest;
	char *const *envp = environ;
	pid_t pid;
	int port = free_port(), status, up = 0;

	(void)state;
	port_arg = xasprintf("--port=%d", port);
	{
		char *argv[] = { (char *)"git", (char *)"daemon",
				 (char *)"--reuseaddr",
				 (char *)"--listen=127.0.0.1", port_arg, base,
				 (char *)"--export-all", dir, NULL };

		if (posix_spawnp(&pid, "git", NULL, NULL, argv, envp))
			skip();
		daemon_pid = pid;
	}
	url = xasprintf("git://127.0.0.1:%d/linux", port);
	dest = xasprintf("%s/daemon/linux", dir);
	/* wait for it to listen */
	for (int i = 0; i < 100 && !up; i++) {
		struct git_export e;
		struct timespec ts = { 0, 50000000 };

		if (gitsrc_export(url, "v6.1.1", dest, &e) == 0) {
			assert_string_equal(e.commit, v1_commit);
			git_export_release(&e);
			up = 1;
		} else {
			nanosleep(&ts, NULL);
		}
	}
	if (up) {
		/* a third tag: the pack holds the new objects only */
		char *mirror = mirror_path(url);
		int packs, before = pack_objects(mirror, &packs), after;

		put("Makefile", "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 3\n");
		assert_int_equal(git(NULL, "commit", "-q", "-am", "v3", NULL), 0);
		assert_int_equal(git(NULL, "tag", "-a", "-m", "6.1.3", "v6.1.3",
				     NULL), 0);
		free(dest);
		dest = xasprintf("%s/daemon/linux3", dir);
		{
			struct git_export e;

			assert_int_equal(gitsrc_export(url, "v6.1.3", dest, &e),
					 0);
			git_export_release(&e);
		}
		after = pack_objects(mirror, &packs);
		assert_int_equal(packs, 2);
		/* commit, root tree, Makefile blob, tag */
		assert_int_equal(after - before, 4);
		free(mirror);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	daemon_pid = 0;
	assert_true(up);
	free(dest);
	free(url);
	free(base);
	free(port_arg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_url),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_file_url),
		cmocka_unit_test(test_git_daemon),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
