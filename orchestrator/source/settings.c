#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/ini.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/fetch.h"
#include "source/settings.h"
#include "base/banned.h"

#ifndef UKB_SYSCONFDIR
#define UKB_SYSCONFDIR "/etc"
#endif

/* The umlkbuild config file's own state while it is read. */
struct parse_ctx {
	struct ukb_settings *c;
	char *base;             /* directory for relative paths, or NULL */
	int set_mirrors, set_keyrings;
	int set_alpine_mirrors, set_alpine_keyrings;
};

void settings_init(struct ukb_settings *c)
{
	memset(c, 0, sizeof(*c));
}

void settings_release(struct ukb_settings *c)
{
	strvec_clear(&c->mirrors);
	strvec_clear(&c->keyrings);
	strvec_clear(&c->alpine_mirrors);
	strvec_clear(&c->alpine_keyrings);
	free(c->cache_dir);
	c->cache_dir = NULL;
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
	struct ukb_settings *c = p->c;
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

int settings_parse(struct ukb_settings *c, const char *name, const char *buf,
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

static int load_file(struct ukb_settings *c, const char *path, int must_exist)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	/* a missing system or user file is fine */
	if (!must_exist && access(path, F_OK) && errno == ENOENT)
		return 0;
	ret = read_input_file(&sb, path, UKB_INPUT_MAX, "config file");
	if (!ret) {
		debug("reading config file '%s'", path);
		ret = settings_parse(c, path, sb.buf, sb.len);
	}
	strbuf_release(&sb);
	return ret;
}

int settings_load(struct ukb_settings *c, const char *file)
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
