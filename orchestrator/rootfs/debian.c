#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "rootfs/deb822.h"
#include "rootfs/debian.h"
#include "base/banned.h"

#define SOURCES_MAX (1u << 20)
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
	n = scandir(path, &ents, NULL, alphasort);
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
