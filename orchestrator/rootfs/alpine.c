#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "rootfs/alpine.h"
#include "base/banned.h"

#define YAML_MAX (1u << 20)  /* Alpine's is a few KiB */
#define FREE_AND_NULL(p) do { free(p); (p) = NULL; } while (0)

static int number(const char **p)
{
	const char *s = *p;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	while (*s >= '0' && *s <= '9' && s - *p < 6)
		s++;
	if (*s >= '0' && *s <= '9')
		return -1;
	*p = s;
	return 0;
}

int alpine_version_check(const char *s, int *full)
{
	int parts = 0;

	for (;;) {
		if (number(&s))
			return -UKB_EUSAGE;
		parts++;
		if (!*s)
			break;
		if (*s++ != '.' || parts == 3)
			return -UKB_EUSAGE;
	}
	if (parts < 2)
		return -UKB_EUSAGE;
	*full = parts == 3;
	return 0;
}

/*
 * Walk the documents: a top-level sequence whose items are mappings of
 * scalars. Keys other than flavor and version are skipped, whatever they
 * hold. Long on purpose: one libyaml event loop, whose state (depth, key,
 * the item's fields) reads best in one place.
 */
int alpine_latest_parse(const char *name, const char *buf, size_t len,
			char **version)
{
	yaml_parser_t p;
	yaml_event_t ev;
	char *key = NULL, *flavor = NULL, *ver = NULL;
	int depth = 0, in_map = 0, ret = 0, done = 0, want_key = 1;

	*version = NULL;
	if (!yaml_parser_initialize(&p))
		return error(-ENOMEM, "cannot start libyaml");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && !ret) {
		if (!yaml_parser_parse(&p, &ev)) {
			ret = error(-UKB_ESOURCE, "%s:%zu: %s", name,
				    p.problem_mark.line + 1,
				    p.problem ? p.problem : "not YAML");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			depth++;
			if (depth == 1 && ev.type != YAML_SEQUENCE_START_EVENT)
				ret = error(-UKB_ESOURCE, "%s:%zu: expected a "
					    "list of releases", name,
					    ev.start_mark.line + 1);
			if (depth == 2) {
				if (ev.type != YAML_MAPPING_START_EVENT)
					ret = error(-UKB_ESOURCE, "%s:%zu: "
						    "expected a release",
						    name,
						    ev.start_mark.line + 1);
				in_map = 1;
				want_key = 1;
			}
			if (depth == 3) {
				FREE_AND_NULL(key);
				want_key = 1;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth == 2 && in_map) {
				if (flavor && ver &&
				    !strcmp(flavor, "alpine-minirootfs") &&
				    !*version)
					*version = xstrdup(ver);
				FREE_AND_NULL(flavor);
				FREE_AND_NULL(ver);
				in_map = 0;
			}
			if (depth == 3)
				want_key = 1;
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			if (depth == 2) {
				const char *v = (const char *)ev.data.scalar.value;

				if (want_key) {
					free(key);
					key = xstrdup(v);
				} else if (!key) {
					;  /* the value of an alias key */
				} else if (!strcmp(key, "flavor")) {
					free(flavor);
					flavor = xstrdup(v);
				} else if (!strcmp(key, "version")) {
					free(ver);
					ver = xstrdup(v);
				}
				want_key = !want_key;
			}
			break;
		case YAML_ALIAS_EVENT:
			if (depth == 2) {
				if (want_key)
					FREE_AND_NULL(key);
				want_key = !want_key;
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	free(key);
	free(flavor);
	free(ver);
	if (!ret && !*version)
		ret = error(-UKB_ENOTFOUND, "%s lists no alpine-minirootfs",
			    name);
	if (ret)
		FREE_AND_NULL(*version);
	return ret;
}

static char *major_minor(const char *v)
{
	const char *dot = strchr(v, '.');
	const char *end = dot ? strchr(dot + 1, '.') : NULL;

	return end ? xstrndup(v, (size_t)(end - v)) : xstrdup(v);
}

static int resolve(const char *release, const char *arch,
		   const struct fetch_opts *o, char **version)
{
	const char *mirror = o->nr_mirrors ? o->mirrors[0] :
			     ALPINE_DEFAULT_MIRROR;
	size_t mlen = strlen(mirror);
	struct strbuf yaml = STRBUF_INIT;
	char *url, *shown;
	int ret;

	while (mlen && mirror[mlen - 1] == '/')
		mlen--;
	url = xasprintf("%.*s/v%s/releases/%s/latest-releases.yaml",
			(int)mlen, mirror, release, arch);
	shown = url_redact(url);
	ret = fetch_small(url, YAML_MAX, &yaml);
	if (!ret)
		ret = alpine_latest_parse(shown, yaml.buf, yaml.len, version);
	if (!ret) {
		char *mm = major_minor(*version);
		int full;

		if (alpine_version_check(*version, &full) || !full ||
		    strcmp(mm, release))
			ret = error(-UKB_ESOURCE, "%s names '%s', not a "
				    "release %s.Z", shown, *version, release);
		free(mm);
		if (ret)
			FREE_AND_NULL(*version);
	}
	if (!ret)
		info("Alpine %s is %s", release, *version);
	free(url);
	free(shown);
	strbuf_release(&yaml);
	return ret;
}

int alpine_fetch(const char *release, const char *arch,
		 const struct fetch_opts *o, char **version,
		 struct fetched *out)
{
	struct fetch_item it = { .default_mirror = ALPINE_DEFAULT_MIRROR,
				 .keydir = "keys/alpine" };
	char *name, *dir, *mm;
	int full, ret;

	memset(out, 0, sizeof(*out));
	*version = NULL;
	if (alpine_version_check(release, &full))
		return error(-UKB_EUSAGE, "invalid Alpine release '%s': "
			     "expected X.Y or X.Y.Z", release);
	if (!full && o->offline) {
		ret = error(-UKB_EUSAGE, "--offline cannot look up the newest "
			    "Alpine %s", release);
		hint("name the release in full, e.g. --alpine %s.0", release);
		return ret;
	}
	if (full)
		*version = xstrdup(release);
	else if ((ret = resolve(release, arch, o, version)))
		return ret;
	mm = major_minor(*version);
	name = xasprintf("alpine-minirootfs-%s-%s.tar.gz", *version, arch);
	dir = xasprintf("v%s/releases/%s/", mm, arch);
	it.name = name;
	it.dir = dir;
	ret = fetch_file(&it, o, out);
	free(mm);
	free(name);
	free(dir);
	if (ret)
		FREE_AND_NULL(*version);
	return ret;
}
