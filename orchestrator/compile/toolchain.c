#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/ini.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "compile/toolchain.h"
#include "base/banned.h"

static char *on_entry(void *user, const char *section, const char *key,
		      const char *value)
{
	struct toolchain *tc = user;
	char **field = NULL;

	if (strcasecmp(section, "toolchain"))
		return xasprintf("unknown section [%s] (expected [toolchain])",
				 section);
	if (!strcasecmp(key, "description"))
		field = &tc->description;
	else if (!strcasecmp(key, "cc"))
		field = &tc->cc;
	else if (!strcasecmp(key, "hostcc"))
		field = &tc->hostcc;
	else if (!strcasecmp(key, "kcflags"))
		field = &tc->kcflags;
	else if (!strcasecmp(key, "hostcflags"))
		field = &tc->hostcflags;
	else if (!strcasecmp(key, "wrapper"))
		field = &tc->wrapper;
	else if (!strcasecmp(key, "distcc_hosts"))
		field = &tc->distcc_hosts;
	else
		return xasprintf("unknown key '%s' (use cc, hostcc, kcflags, hostcflags, wrapper, distcc_hosts or description)",
				 key);
	if (field == &tc->wrapper && strcmp(value, "distcc"))
		return xasprintf("unknown wrapper '%s' (use distcc)", value);
	if (strpbrk(value, "\"'`$;|&<>"))
		return xasprintf("'%s' holds shell characters; values are plain words",
				 key);
	free(*field);
	*field = xstrdup(value);
	return NULL;
}

int toolchain_parse(const char *name, const char *path, const char *buf,
		    size_t len, struct toolchain *tc)
{
	int ret;

	memset(tc, 0, sizeof(*tc));
	tc->name = xstrdup(name);
	tc->path = xstrdup(path);
	ret = ini_read(path, buf, len, on_entry, tc);
	if (!ret && !tc->cc)
		ret = error(-UKB_EUSAGE, "%s: no 'cc' in [toolchain]", path);
	if (!ret && !tc->hostcc)
		tc->hostcc = xstrdup(tc->cc);
	if (!ret && !tc->description)
		tc->description = xstrdup(name);
	return ret;
}

static void list_known(const char *dir, struct strbuf *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 4 && !strcmp(de->d_name + n - 4, ".ini"))
			strbuf_addf(out, "%s%.*s", out->len ? ", " : "",
				    (int)(n - 4), de->d_name);
	}
	closedir(d);
}

int toolchain_load(const char *name, struct toolchain *tc)
{
	char *dir = ukb_data_path("toolchain/profiles");
	char *path = xasprintf("%s/%s.ini", dir, name);
	struct strbuf sb = STRBUF_INIT;
	int ret;

	memset(tc, 0, sizeof(*tc));
	if (!*name || strchr(name, '/') || name[0] == '.') {
		ret = -ENOENT;
	} else {
		ret = strbuf_read_file(&sb, path);
	}
	if (ret == -ENOENT && !strcmp(name, TOOLCHAIN_DEFAULT)) {
		/* the default works without its file */
		static const char builtin[] = "[toolchain]\ndescription = host gcc and binutils (built in)\ncc = gcc\n";

		ret = toolchain_parse(name, "(built in)", builtin,
				      sizeof(builtin) - 1, tc);
	} else if (ret == -ENOENT) {
		struct strbuf known = STRBUF_INIT;

		list_known(dir, &known);
		ret = error(-UKB_EUSAGE, "unknown toolchain profile '%s' (known: %s)",
			    name, known.len ? known.buf : "none");
		strbuf_release(&known);
	} else if (ret) {
		error_errno(ret, "cannot read '%s'", path);
		ret = -UKB_EUSAGE;
	} else {
		ret = toolchain_parse(name, path, sb.buf, sb.len, tc);
	}
	strbuf_release(&sb);
	free(path);
	free(dir);
	return ret;
}

void toolchain_release(struct toolchain *tc)
{
	free(tc->name);
	free(tc->path);
	free(tc->description);
	free(tc->cc);
	free(tc->hostcc);
	free(tc->kcflags);
	free(tc->hostcflags);
	free(tc->wrapper);
	free(tc->distcc_hosts);
	memset(tc, 0, sizeof(*tc));
}
