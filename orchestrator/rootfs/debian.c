#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/proc.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "rootfs/deb822.h"
#include "rootfs/debian.h"
#include "base/banned.h"

#define SOURCES_MAX (1u << 20)
#define RELEASE_MAX (16u << 20)
#define STATUS_MAX (64u << 20)
#define FREE_AND_NULL(p) do { free(p); (p) = NULL; } while (0)

/* ---- Names -------------------------------------------------------------- */

int debian_suite_check(const char *s, const char **why)
{
	size_t n = strlen(s);

	if (!n || n > 32) {
		*why = "expected a suite such as bookworm (1 to 32 characters)";
		return -UKB_EUSAGE;
	}
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) ||
	    s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-")]) {
		*why = "expected a suite such as bookworm: lowercase letters, "
		       "digits, '.' and '-'";
		return -UKB_EUSAGE;
	}
	return 0;
}

int debian_mirror_check(const char *s, const char **why)
{
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8) &&
	    strncmp(s, "file://", 7)) {
		*why = "expected an http://, https:// or file:// URL of a "
		       "Debian archive";
		return -UKB_EUSAGE;
	}
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f) {
			*why = "a blank or control character in the URL";
			return -UKB_EUSAGE;
		}
	return 0;
}

const char *debian_arch(const char *arch)
{
	return strcmp(arch, "i386") ? "amd64" : "i386";
}

/* ---- apt's sources ------------------------------------------------------ */

/* Whether one entry names the Debian archive proper. */
static int is_debian(const char *type, const char *uri, const char *suite)
{
	return !strcmp(type, "deb") && strstr(uri, "debian") &&
	       !strstr(uri, "security") && *suite && !strpbrk(suite, "-/");
}

/* The next blank-separated word of *p (NULL at the end); moves *p on. */
static char *word(const char **p)
{
	const char *s = *p + strspn(*p, " \t"), *e;

	if (!*s)
		return NULL;
	if (*s == '[') {  /* options may hold blanks */
		e = strchr(s, ']');
		e = e ? e + 1 : s + strlen(s);
	} else {
		e = s + strcspn(s, " \t");
	}
	*p = e;
	return xstrndup(s, (size_t)(e - s));
}

static char *pick_oneline(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	char *found = NULL;

	while (p < end && !found) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n), *type, *uri = NULL, *suite = NULL;
		const char *w = line;

		p += n + (nl ? 1 : 0);
		line[strcspn(line, "#")] = '\0';
		type = word(&w);
		if (type)
			uri = word(&w);
		if (uri && *uri == '[') {
			free(uri);
			uri = word(&w);
		}
		suite = uri ? word(&w) : NULL;
		if (suite && is_debian(type, uri, suite))
			found = xstrdup(uri);
		free(type);
		free(uri);
		free(suite);
		free(line);
	}
	return found;
}

struct pick822 {
	unsigned stanza;
	char *types, *uris, *suites, *enabled;
	char *found;
};

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; p && *p; ) {
		p += strspn(p, " \t\n");
		if (!strncmp(p, w, n) && (!p[n] || strchr(" \t\n", p[n])))
			return 1;
		p += strcspn(p, " \t\n");
	}
	return 0;
}

/* The stanza just read: the first of its URIs and suites that fit. */
static void judge(struct pick822 *s)
{
	if (!s->found && s->types && s->uris && s->suites &&
	    !(s->enabled && !strcmp(s->enabled, "no")) &&
	    has_word(s->types, "deb")) {
		const char *p = s->uris, *q;
		char *uri, *suite;

		while (!s->found && (uri = word(&p))) {
			q = s->suites;
			while (!s->found && (suite = word(&q))) {
				if (is_debian("deb", uri, suite))
					s->found = xstrdup(uri);
				free(suite);
			}
			free(uri);
		}
	}
	FREE_AND_NULL(s->types);
	FREE_AND_NULL(s->uris);
	FREE_AND_NULL(s->suites);
	FREE_AND_NULL(s->enabled);
}

static int pick_field(void *ctx, unsigned stanza, const char *field,
		      const char *value)
{
	struct pick822 *s = ctx;
	char **slot = NULL;
	char *v;

	if (stanza != s->stanza) {
		judge(s);
		s->stanza = stanza;
	}
	if (!strcasecmp(field, "Types"))
		slot = &s->types;
	else if (!strcasecmp(field, "URIs"))
		slot = &s->uris;
	else if (!strcasecmp(field, "Suites"))
		slot = &s->suites;
	else if (!strcasecmp(field, "Enabled"))
		slot = &s->enabled;
	if (!slot)
		return 0;
	v = xstrdup(value);
	for (char *c = v; *c; c++)
		if (*c == '\n')
			*c = ' ';
	free(*slot);
	*slot = v;
	return 0;
}

int debian_sources_pick(const char *name, const char *buf, size_t len,
			int deb822, char **uri)
{
	struct pick822 s = { 0 };
	int ret;

	*uri = NULL;
	if (!deb822) {
		if (memchr(buf, '\0', len))
			return error(-UKB_ESOURCE, "%s: a NUL byte in the text",
				     name);
		*uri = pick_oneline(buf, len);
		return 0;
	}
	ret = deb822_parse(name, buf, len, pick_field, &s);
	judge(&s);
	if (ret)
		free(s.found);
	else
		*uri = s.found;
	return ret;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n > m && !strcmp(s + n - m, tail);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static char *pick_file(const char *path, int deb822)
{
	struct strbuf sb = STRBUF_INIT;
	char *uri = NULL;

	if (!read_input_file(&sb, path, SOURCES_MAX, NULL) &&
	    debian_sources_pick(path, sb.buf, sb.len, deb822, &uri))
		uri = NULL;
	strbuf_release(&sb);
	return uri;
}

char *debian_default_mirror(const char *etc_apt)
{
	char *path = path_join(etc_apt, "sources.list"), *uri;
	struct dirent **ents = NULL;
	int n;

	uri = pick_file(path, 0);
	free(path);
	path = path_join(etc_apt, "sources.list.d");
	n = scandir(path, &ents, NULL, by_name);
	for (int i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		int d822 = ends_with(d, ".sources");

		if (!uri && *d != '.' && (d822 || ends_with(d, ".list"))) {
			char *f = path_join(path, d);

			uri = pick_file(f, d822);
			free(f);
		}
		free(ents[i]);
	}
	free(ents);
	free(path);
	return uri ? uri : xstrdup(DEBIAN_DEFAULT_MIRROR);
}

/* ---- Release and status ------------------------------------------------- */

static int release_field(void *ctx, unsigned stanza, const char *field,
			 const char *value)
{
	struct debian_release *r = ctx;
	char **slot = NULL;

	if (stanza)
		return 0;
	if (!strcmp(field, "Origin"))
		slot = &r->origin;
	else if (!strcmp(field, "Suite"))
		slot = &r->suite;
	else if (!strcmp(field, "Codename"))
		slot = &r->codename;
	else if (!strcmp(field, "Version"))
		slot = &r->version;
	else if (!strcmp(field, "Date"))
		slot = &r->date;
	if (slot && !*slot && !strchr(value, '\n'))
		*slot = xstrdup(value);
	return 0;
}

/* "Sat, 10 May 2025 09:07:48 UTC": Debian's Release dates are UTC. */
static long long release_time(const char *date)
{
	struct tm tm = { 0 };
	const char *end = date ? strptime(date, "%a, %d %b %Y %H:%M:%S", &tm)
			       : NULL;
	time_t t;

	if (!end || (*end && strcmp(end, " UTC") && strcmp(end, " +0000")))
		return -1;
	t = timegm(&tm);
	return t < 0 ? -1 : (long long)t;
}

int debian_release_parse(const char *name, const char *buf, size_t len,
			 struct debian_release *rel)
{
	int ret;

	memset(rel, 0, sizeof(*rel));
	rel->epoch = -1;
	ret = deb822_parse(name, buf, len, release_field, rel);
	if (!ret && !rel->suite)
		ret = error(-UKB_ESOURCE, "%s has no Suite field", name);
	if (ret) {
		debian_release_release(rel);
		return ret;
	}
	rel->epoch = release_time(rel->date);
	sha256_buf(buf, len, rel->sha256);
	return 0;
}

void debian_release_release(struct debian_release *rel)
{
	free(rel->origin);
	free(rel->suite);
	free(rel->codename);
	free(rel->version);
	free(rel->date);
	memset(rel, 0, sizeof(*rel));
	rel->epoch = -1;
}

struct status {
	unsigned stanza;
	char *pkg, *ver, *arch, *state;
	struct strvec *out;
};

static void status_flush(struct status *s)
{
	if (s->pkg && s->ver && s->state &&
	    !strcmp(s->state, "install ok installed")) {
		if (s->arch && strcmp(s->arch, "all") &&
		    strcmp(s->arch, "amd64") && strcmp(s->arch, "i386"))
			strvec_pushf(s->out, "%s:%s=%s", s->pkg, s->arch,
				     s->ver);
		else
			strvec_pushf(s->out, "%s=%s", s->pkg, s->ver);
	}
	FREE_AND_NULL(s->pkg);
	FREE_AND_NULL(s->ver);
	FREE_AND_NULL(s->arch);
	FREE_AND_NULL(s->state);
}

static int status_field(void *ctx, unsigned stanza, const char *field,
			const char *value)
{
	struct status *s = ctx;
	char **slot = NULL;

	if (stanza != s->stanza) {
		status_flush(s);
		s->stanza = stanza;
	}
	if (!strcmp(field, "Package"))
		slot = &s->pkg;
	else if (!strcmp(field, "Version"))
		slot = &s->ver;
	else if (!strcmp(field, "Architecture"))
		slot = &s->arch;
	else if (!strcmp(field, "Status"))
		slot = &s->state;
	if (slot && !strchr(value, '\n')) {
		free(*slot);
		*slot = xstrdup(value);
	}
	return 0;
}

int debian_status_parse(const char *name, const char *buf, size_t len,
			struct strvec *pkgs)
{
	struct status s = { .out = pkgs };
	int ret = deb822_parse(name, buf, len, status_field, &s);

	status_flush(&s);
	return ret;
}

void debian_tree_release(struct debian_tree *t)
{
	debian_release_release(&t->rel);
	strvec_clear(&t->packages);
}

/* ---- mmdebstrap ----------------------------------------------------------- */

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
	int ret = read_input_file(&sb, path, SOURCES_MAX, "package list");

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
	int n = scandir(lists, &ents, NULL, by_name), ret = -ENOENT;

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
		if (ents[i]->d_type == DT_REG && strcmp(ents[i]->d_name, "lock"))
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
	int n = scandir(ssh, &ents, NULL, by_name);

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
