#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "errors.h"
#include "fetch.h"
#include "fsutil.h"
#include "log.h"
#include "strbuf.h"
#include "wrapper.h"
#include "banned.h"

#ifndef UKB_SYSCONFDIR
#define UKB_SYSCONFDIR "/etc"
#endif

/* Feeds inih one line at a time, so problems get their line number. */
struct reader {
	const char *buf;
	size_t len, pos;
	unsigned line;
	const char *bad;        /* a line inih must not see, and why */
};

/* One INI text being read: the reader, the caller's handler, the first problem. */
struct ini_ctx {
	struct reader r;
	ini_entry_fn fn;
	void *user;
	char *problem;
	unsigned problem_line;
};

/* The umlkbuild config file's own state while it is read. */
struct parse_ctx {
	struct ukb_config *c;
	char *base;             /* directory for relative paths, or NULL */
	int set_mirrors, set_keyrings;
	int set_alpine_mirrors, set_alpine_keyrings;
};

void config_init(struct ukb_config *c)
{
	memset(c, 0, sizeof(*c));
}

void config_release(struct ukb_config *c)
{
	strvec_clear(&c->mirrors);
	strvec_clear(&c->keyrings);
	strvec_clear(&c->alpine_mirrors);
	strvec_clear(&c->alpine_keyrings);
	free(c->cache_dir);
	c->cache_dir = NULL;
}

static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	const char *s, *nl;
	size_t n;

	if (r->pos >= r->len || r->bad)
		return NULL;
	s = r->buf + r->pos;
	nl = memchr(s, '\n', r->len - r->pos);
	n = nl ? (size_t)(nl - s) + 1 : r->len - r->pos;
	r->line++;
	if (memchr(s, '\0', n)) {
		r->bad = "NUL byte in line";
		return NULL;
	}
	if (num < 1 || n >= (size_t)num) {
		r->bad = "line too long";
		return NULL;
	}
	memcpy(str, s, n);
	str[n] = '\0';
	r->pos += n;
	return str;
}

static int on_ini_entry(void *user, const char *section, const char *key,
			const char *value)
{
	struct ini_ctx *ic = user;
	char *msg;

	if (ic->problem)
		return 1;
	if (!*section) {
		msg = xasprintf("'%s' outside a section", key);
	} else if (!*value) {
		msg = xasprintf("empty value for '%s'", key);
	} else {
		msg = ic->fn(ic->user, section, key, value);
	}
	if (!msg)
		return 1;
	ic->problem = msg;
	ic->problem_line = ic->r.line;
	return 0;
}

int ini_read(const char *name, const char *buf, size_t len, ini_entry_fn fn,
	     void *user)
{
	struct ini_ctx ic = { .r = { .buf = buf, .len = len }, .fn = fn,
			      .user = user };
	unsigned line = 0;
	const char *msg = NULL;
	int rc;

	rc = ini_parse_stream(read_line, &ic.r, on_ini_entry, &ic);
	if (rc > 0 && (!ic.problem || (unsigned)rc < ic.problem_line)) {
		line = (unsigned)rc;
		msg = "expected '[section]' or 'key = value'";
	} else if (ic.problem) {
		line = ic.problem_line;
		msg = ic.problem;
	}
	if (ic.r.bad && (!msg || ic.r.line < line)) {
		line = ic.r.line;
		msg = ic.r.bad;
	}
	if (rc == -2 && !msg)
		msg = "out of memory";
	if (msg)
		rc = error(-UKB_EUSAGE, "%s:%u: %s", name, line, msg);
	else
		rc = 0;
	free(ic.problem);
	return rc;
}

/*
 * A mirror or keyring line: the first one in a file replaces what earlier
 * files said (*set counts them); a refused mirror is named without its
 * credentials. Returns the problem, or NULL.
 */
static char *add_mirror(struct strvec *list, int *set, const char *value)
{
	const char *why = fetch_url_refused(value);

	if (why) {
		char *shown = url_redact(value);
		char *msg = xasprintf("refusing mirror '%s': %s", shown, why);

		free(shown);
		return msg;
	}
	if (!(*set)++)
		strvec_clear(list);
	strvec_push(list, value);
	return NULL;
}

static void add_keyring(struct strvec *list, int *set, const char *base,
			const char *value)
{
	char *path = path_expand(base, value);

	if (!(*set)++)
		strvec_clear(list);
	strvec_push(list, path);
	free(path);
}

static char *on_entry(void *user, const char *section, const char *key,
		      const char *value)
{
	struct parse_ctx *p = user;
	struct ukb_config *c = p->c;
	int alpine = !strcasecmp(section, "alpine");

	if (alpine && !strcasecmp(key, "mirror")) {
		return add_mirror(&c->alpine_mirrors, &p->set_alpine_mirrors, value);
	} else if (alpine && !strcasecmp(key, "keyring")) {
		add_keyring(&c->alpine_keyrings, &p->set_alpine_keyrings, p->base,
			    value);
	} else if (!strcasecmp(section, "fetch") && !strcasecmp(key, "mirror")) {
		return add_mirror(&c->mirrors, &p->set_mirrors, value);
	} else if (!strcasecmp(section, "fetch") &&
		   !strcasecmp(key, "keyring")) {
		add_keyring(&c->keyrings, &p->set_keyrings, p->base, value);
	} else if (!strcasecmp(section, "cache") && !strcasecmp(key, "dir")) {
		free(c->cache_dir);
		c->cache_dir = path_expand(p->base, value);
	} else if (strcasecmp(section, "fetch") &&
		   strcasecmp(section, "cache") && !alpine) {
		return xasprintf("unknown section [%s]", section);
	} else {
		return xasprintf("unknown key '%s' in [%s]", key, section);
	}
	return NULL;
}

int config_parse(struct ukb_config *c, const char *name, const char *buf,
		 size_t len)
{
	struct parse_ctx p = { .c = c };
	const char *slash = strrchr(name, '/');
	int rc;

	if (slash)
		p.base = xstrndup(name, slash == name ? 1 :
				  (size_t)(slash - name));
	rc = ini_read(name, buf, len, on_entry, &p);
	free(p.base);
	return rc;
}

static int load_file(struct ukb_config *c, const char *path, int must_exist)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	/* a missing system or user file is fine */
	if (!must_exist && access(path, F_OK) && errno == ENOENT)
		return 0;
	ret = read_input_file(&sb, path, UKB_INPUT_MAX, "config file");
	if (!ret) {
		debug("reading config file '%s'", path);
		ret = config_parse(c, path, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	return ret;
}

int config_load(struct ukb_config *c, const char *file)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	const char *nosys = getenv("UKB_CONFIG_NOSYSTEM");
	char *user = NULL;
	int ret = 0;

	if (!nosys || !*nosys)
		ret = load_file(c, UKB_SYSCONFDIR "/umlkbuild.ini", 0);
	if (xdg && *xdg == '/')
		user = xasprintf("%s/umlkbuild/config.ini", xdg);
	else if (home && *home)
		user = xasprintf("%s/.config/umlkbuild/config.ini", home);
	if (!ret && user)
		ret = load_file(c, user, 0);
	if (!ret && file)
		ret = load_file(c, file, 1);
	free(user);
	return ret;
}
