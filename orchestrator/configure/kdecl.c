#include <errno.h>
#include <ftw.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "configure/kcset.h"
#include "configure/kdecl.h"
#include "base/banned.h"

const char *kc_config_decl(const char *s, const char *eol, size_t *len)
{
	const char *e;

	if (eol - s > 11 && !strncmp(s, "menuconfig", 10) &&
	    (s[10] == ' ' || s[10] == '\t'))
		s += 11;
	else if (eol - s > 7 && !strncmp(s, "config", 6) &&
		 (s[6] == ' ' || s[6] == '\t'))
		s += 7;
	else
		return NULL;
	while (s < eol && (*s == ' ' || *s == '\t'))
		s++;
	for (e = s; e < eol && kc_is_sym_char((unsigned char)*e); e++)
		;
	*len = (size_t)(e - s);
	return *len ? s : NULL;
}

typedef void decl_fn(const char *path, unsigned line, const char *name,
		     size_t len, void *data);

/* nftw passes no data to its callback: the walk's own, one at a time */
static decl_fn *walk_fn;
static void *walk_data;

static void walk_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned lineno = 0;

	if (read_input_file(&sb, path, UKB_INPUT_MAX, NULL) < 0)
		return;
	for (const char *p = sb.buf, *eol; *p; p = *eol ? eol + 1 : eol) {
		const char *w;
		size_t len;

		eol = strchrnul(p, '\n');
		lineno++;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		w = kc_config_decl(p, eol, &len);
		if (w)
			walk_fn(path, lineno, w, len, walk_data);
	}
	strbuf_release(&sb);
}

static int walk_visit(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	const char *base = path + ftw->base;

	(void)st;
	if (flag == FTW_D && (!strcmp(base, ".git") ||
			      !strcmp(base, "Documentation") ||
			      !strcmp(base, "scripts") || !strcmp(base, "tools")))
		return FTW_SKIP_SUBTREE;
	if (flag == FTW_F && !strncmp(base, "Kconfig", 7))
		walk_file(path);
	return FTW_CONTINUE;
}

int kc_walk_decls(const char *srcdir, decl_fn *fn, void *data)
{
	int ret = 0;

	walk_fn = fn;
	walk_data = data;
	if (nftw(srcdir, walk_visit, 32, FTW_PHYS | FTW_ACTIONRETVAL) < 0)
		ret = -errno;
	walk_fn = NULL;
	walk_data = NULL;
	return ret;
}

struct defined_ctx {
	const struct kc_set *set;
	unsigned char *out;
	struct strbuf name;
};

static void defined_decl(const char *path, unsigned line, const char *w,
			 size_t len, void *data)
{
	struct defined_ctx *ctx = data;
	const struct kc_entry *e;

	(void)path;
	(void)line;
	strbuf_reset(&ctx->name);
	strbuf_addstr(&ctx->name, "CONFIG_");
	strbuf_add(&ctx->name, w, len);
	e = kc_find(ctx->set, ctx->name.buf);
	if (e)
		ctx->out[e - ctx->set->e] = 1;
}

int kc_defined(const char *srcdir, const struct kc_set *set,
	       unsigned char *defined)
{
	struct defined_ctx ctx = { set, defined, STRBUF_INIT };
	int ret;

	memset(defined, 0, set->nr);
	ret = kc_walk_decls(srcdir, defined_decl, &ctx);
	strbuf_release(&ctx.name);
	return ret;
}
