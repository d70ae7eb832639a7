#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/proc.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "rootfs/debian.h"
#include "rootfs/mmdebstrap.h"
#include "base/banned.h"

#define LIST_MAX (1u << 20)
#define RELEASE_MAX (16u << 20)
#define STATUS_MAX (64u << 20)

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n > m && !strcmp(s + n - m, tail);
}

void debian_tree_release(struct debian_tree *t)
{
	debian_release_release(&t->rel);
	strvec_clear(&t->packages);
}

struct mm_log {
	struct strbuf err;  /* the first "E: " line, apt's cause */
	struct strbuf tail; /* the last line, when there is no E: */
};

/* One clean line: no control character reaches the terminal. */
static void clean_line(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < n && sb->len < 400; i++)
		strbuf_addch(sb, (unsigned char)s[i] < 0x20 ||
			     s[i] == 0x7f ? '?' : s[i]);
}

static void mm_line(void *ctx, const char *line, size_t len)
{
	struct mm_log *m = ctx;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len)
		return;
	clean_line(&m->tail, line, len);
	if (len > 3 && !strncmp(line, "I: ", 3))
		info("mmdebstrap: %s", m->tail.buf + 3);
	else if (len > 3 && !strncmp(line, "E: ", 3) && !m->err.len)
		strbuf_addstr(&m->err, m->tail.buf + 3);
}

/* <datadir>/rootfs/debian.packages: one name a line, '#' comments. */
static int include_list(struct strbuf *out)
{
	char *path = ukb_data_path("rootfs/debian.packages");
	struct strbuf sb = STRBUF_INIT;
	int ret = read_input_file(&sb, path, LIST_MAX, "package list");

	for (char *p = sb.buf; !ret && p && *p; ) {
		char *nl = strchr(p, '\n');
		size_t n;

		if (nl)
			*nl = '\0';
		p[strcspn(p, "#")] = '\0';
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		p[n] = '\0';
		if (n && p[strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789+.-")])
			ret = error(-UKB_EUSAGE, "'%s': '%s' is not a package "
				    "name", path, p);
		else if (n)
			strbuf_addf(out, "%s%s", out->len ? "," : "", p);
		p = nl ? nl + 1 : NULL;
	}
	strbuf_release(&sb);
	free(path);
	return ret;
}

static int run_mmdebstrap(const char *suite, const char *arch,
			  const char *const *mirrors, size_t nr,
			  const char *dir)
{
	struct mm_log m = { STRBUF_INIT, STRBUF_INIT };
	struct strbuf inc = STRBUF_INIT, how = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	struct proc p = { 0 };
	int ret = include_list(&inc);

	if (ret)
		goto out;
	strvec_pushl(&argv, "mmdebstrap", "--variant=minbase", "--mode=root",
		     "--format=directory", NULL);
	strvec_pushf(&argv, "--arch=%s", debian_arch(arch));
	strvec_pushf(&argv, "--keyring=%s", DEBIAN_KEYRING);
	strvec_pushf(&argv, "--include=%s", inc.buf);
	/* the InRelease apt verified is read back, then the lists go */
	strvec_pushl(&argv, "--skip=cleanup/apt/lists", suite, dir, NULL);
	for (size_t i = 0; i < nr; i++)
		strvec_push(&argv, mirrors[i]);
	p.argv = argv.v;
	p.on_line = mm_line;
	p.ctx = &m;
	p.timeout_ms = 3600 * 1000;
	info("mmdebstrap %s (%s) from '%s': a few minutes", suite,
	     debian_arch(arch), mirrors[0]);
	ret = proc_run(&p);
	if (ret == -ENOENT)
		ret = error(-UKB_EHOST, "mmdebstrap is not installed");
	else if (ret && ret != -UKB_EINTR) {
		proc_describe(&p, &how);
		ret = error(-UKB_ESOURCE, "mmdebstrap %s %s: %s", suite,
			    how.buf, m.err.len ? m.err.buf : m.tail.buf);
	}
out:
	strvec_clear(&argv);
	strbuf_release(&inc);
	strbuf_release(&how);
	strbuf_release(&m.err);
	strbuf_release(&m.tail);
	return ret;
}

/* The suite's InRelease among apt's lists, parsed; the lists removed. */
static int read_lists(const char *dir, const char *suite,
		      struct debian_release *rel)
{
	char *lists = path_join(dir, "var/lib/apt/lists");
	char *tail = xasprintf("_dists_%s_InRelease", suite);
	struct dirent **ents = NULL;
	struct stat st;
	int n = scandir(lists, &ents, NULL, alphasort), ret = -ENOENT;

	for (int i = 0; i < n; i++) {
		char *f = path_join(lists, ents[i]->d_name);

		if (ret == -ENOENT && ends_with(ents[i]->d_name, tail)) {
			struct strbuf sb = STRBUF_INIT;

			ret = read_input_file(&sb, f, RELEASE_MAX, NULL);
			if (ret)
				error_errno(ret, "cannot read '%s'", f);
			else
				ret = debian_release_parse(f, sb.buf, sb.len,
							   rel);
			strbuf_release(&sb);
		}
		if (!lstat(f, &st) && S_ISREG(st.st_mode) &&
		    strcmp(ents[i]->d_name, "lock"))
			unlink(f);
		free(f);
		free(ents[i]);
	}
	free(ents);
	if (ret == -ENOENT)
		ret = error(-UKB_ESOURCE, "apt left no '*%s' in '%s'", tail,
			    lists);
	free(tail);
	free(lists);
	return ret;
}

/* sshd's host keys: the boot script makes them, one set per guest. */
static void drop_host_keys(const char *dir)
{
	char *ssh = path_join(dir, "etc/ssh");
	struct dirent **ents = NULL;
	int n = scandir(ssh, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		if (!strncmp(ents[i]->d_name, "ssh_host_", 9)) {
			char *f = path_join(ssh, ents[i]->d_name);

			unlink(f);
			free(f);
		}
		free(ents[i]);
	}
	free(ents);
	free(ssh);
}

int debian_check_host(void)
{
	int ret;

	if (!proc_have("mmdebstrap")) {
		ret = error(-UKB_EHOST, "--debian needs mmdebstrap, which is "
			    "not installed");
		hint("apt-get install mmdebstrap (toolchain/install.sh "
		     "installs it)");
		return ret;
	}
	if (access(DEBIAN_KEYRING, R_OK) < 0) {
		error_errno(0, "cannot read '%s'", DEBIAN_KEYRING);
		hint("apt-get install debian-archive-keyring");
		return -UKB_EHOST;
	}
	if (geteuid() != 0)
		return error(-UKB_EHOST, "--debian needs root: mmdebstrap "
			     "makes the tree with its owners");
	return 0;
}

/*
 * The days since 1970 in /etc/shadow and its backup (the third field)
 * are the build's date unless SOURCE_DATE_EPOCH was set: the epoch's.
 */
static int fix_dates(const char *path, long long days)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	ret = read_input_file(&in, path, STATUS_MAX, NULL);
	for (char *l = in.buf, *nl; !ret && l < in.buf + in.len; l = nl + 1) {
		char *f2, *f3;

		nl = strchr(l, '\n');
		if (!nl)
			nl = in.buf + in.len;
		f2 = memchr(l, ':', (size_t)(nl - l));
		f3 = f2 ? memchr(f2 + 1, ':', (size_t)(nl - f2 - 1)) : NULL;
		if (f3 && f3[1] >= '1' && f3[1] <= '9') {
			strbuf_add(&out, l, (size_t)(f3 + 1 - l));
			strbuf_addf(&out, "%lld", days);
			l = f3 + 1 + strspn(f3 + 1, "0123456789");
		}
		strbuf_add(&out, l, (size_t)(nl - l));
		strbuf_addch(&out, '\n');
	}
	if (!ret) {
		unlink(path);
		ret = write_file_atomic(path, out.buf, out.len,
					st.st_mode & 07777);
	}
	if (!ret && chown(path, st.st_uid, st.st_gid) < 0)
		ret = -errno;
	if (ret)
		error_errno(ret, "cannot rewrite '%s'", path);
	strbuf_release(&in);
	strbuf_release(&out);
	return ret;
}

int debian_fix_shadow_dates(const char *dir, long long epoch)
{
	char *a = path_join(dir, "etc/shadow"), *b = path_join(dir, "etc/shadow-");
	int ret = fix_dates(a, epoch / 86400);

	if (!ret)
		ret = fix_dates(b, epoch / 86400);
	free(a);
	free(b);
	return ret;
}

int debian_bootstrap(const char *suite, const char *arch,
		     const char *const *mirrors, size_t nr, const char *dir,
		     struct debian_tree *t)
{
	struct strbuf sb = STRBUF_INIT;
	char *status;
	int ret;

	memset(t, 0, sizeof(*t));
	t->rel.epoch = -1;
	ret = run_mmdebstrap(suite, arch, mirrors, nr, dir);
	if (!ret)
		ret = read_lists(dir, suite, &t->rel);
	if (ret)
		return ret;
	status = path_join(dir, "var/lib/dpkg/status");
	ret = read_input_file(&sb, status, STATUS_MAX, NULL);
	if (ret)
		error_errno(ret, "cannot read '%s'", status);
	else
		ret = debian_status_parse(status, sb.buf, sb.len,
					  &t->packages);
	strbuf_release(&sb);
	free(status);
	if (!ret)
		drop_host_keys(dir);
	return ret;
}
