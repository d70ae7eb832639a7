/*
 * The matrix file: [matrix] settings and [cell NAME] sections, read with
 * ini_read and expanded into builds (sources x arches x profiles).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/ini.h"
#include "base/log.h"
#include "base/strbuf.h"
#include "base/version.h"
#include "base/wrapper.h"
#include "compile/kbuild.h"
#include "configure/configure.h"
#include "driver/matrix.h"
#include "base/banned.h"

/* ---- parsing ---------------------------------------------------------- */

/* A [cell NAME] section while the file is read. */
struct cell {
	char *name;
	unsigned line;
	struct strvec tarballs, versions, refs, arches, profiles, fragments,
		adds;
	char *git, *toolchain, *suffix;
};

struct parse_ctx {
	struct matrix *m;
	const char *buf;
	size_t len;
	char *base;              /* the file's directory, or NULL */
	struct cell *cells;
	size_t nr, alloc;
	char *section;           /* the section being read */
	struct cell *cur;        /* its cell, NULL in [matrix] */
	unsigned last_line;      /* where the last section header was found */
};

static int is_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') ||
		      ('0' <= *s && *s <= '9') || *s == '.' || *s == '_' ||
		      *s == '-' || *s == '+'))
			return 0;
	return 1;
}

/* Split value on blanks into words. */
static void split_words(const char *value, struct strvec *out)
{
	const char *p = value;

	while (*p) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n) {
			char *w = xstrndup(p, n);

			strvec_push(out, w);
			free(w);
		}
		p += n;
	}
}

static int in_vec(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->nr; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

/* The line of the "[section]" header at or after p->last_line. */
static unsigned section_line(struct parse_ctx *p, const char *section)
{
	size_t pos = 0, n = strlen(section);
	unsigned line = 0;

	while (pos < p->len) {
		const char *s = p->buf + pos;
		const char *nl = memchr(s, '\n', p->len - pos);
		size_t len = nl ? (size_t)(nl - s) : p->len - pos;

		line++;
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		if (line > p->last_line && len > n + 1 && s[0] == '[' &&
		    !memcmp(s + 1, section, n) && s[n + 1] == ']') {
			p->last_line = line;
			return line;
		}
		pos += (nl ? (size_t)(nl - (p->buf + pos)) + 1 : p->len - pos);
	}
	return p->last_line;
}

static void cell_release(struct cell *c)
{
	free(c->name);
	strvec_clear(&c->tarballs);
	strvec_clear(&c->versions);
	strvec_clear(&c->refs);
	strvec_clear(&c->arches);
	strvec_clear(&c->profiles);
	strvec_clear(&c->fragments);
	strvec_clear(&c->adds);
	free(c->git);
	free(c->toolchain);
	free(c->suffix);
}

/* Enter section: [matrix] or [cell NAME]. Returns a problem or NULL. */
static char *enter_section(struct parse_ctx *p, const char *section)
{
	const char *name;

	free(p->section);
	p->section = xstrdup(section);
	p->cur = NULL;
	if (!strcasecmp(section, "matrix")) {
		section_line(p, section);
		return NULL;
	}
	if (strncasecmp(section, "cell", 4) ||
	    (section[4] != ' ' && section[4] != '\t'))
		return xasprintf("unknown section [%s] (expected [matrix] or [cell NAME])",
				 section);
	name = section + 4 + strspn(section + 4, " \t");
	if (!is_word(name))
		return xasprintf("bad cell name '%s': use letters, digits, '.', '_', '-' and '+'",
				 name);
	for (size_t i = 0; i < p->nr; i++)
		if (!strcmp(p->cells[i].name, name))
			return xasprintf("cell '%s' is defined twice (first on line %u)",
					 name, p->cells[i].line);
	ALLOC_GROW(p->cells, p->nr + 1, p->alloc);
	p->cur = &p->cells[p->nr++];
	memset(p->cur, 0, sizeof(*p->cur));
	p->cur->name = xstrdup(name);
	p->cur->line = section_line(p, section);
	return NULL;
}

static char *parse_int(const char *key, const char *value, int lo, int hi,
		       int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || *end || end == value || n < lo || n > hi)
		return xasprintf("'%s' wants a number from %d to %d, not '%s'",
				 key, lo, hi, value);
	*out = (int)n;
	return NULL;
}

static char *parse_bool(const char *key, const char *value, int *out)
{
	if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") ||
	    !strcmp(value, "1"))
		*out = 1;
	else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
		 !strcmp(value, "0"))
		*out = 0;
	else
		return xasprintf("'%s' wants yes or no, not '%s'", key, value);
	return NULL;
}

static char *matrix_entry(struct parse_ctx *p, const char *key,
			  const char *value)
{
	struct matrix *m = p->m;
	int b;
	char *why;

	if (!strcasecmp(key, "out")) {
		free(m->out);
		m->out = path_expand(p->base, value);
	} else if (!strcasecmp(key, "jobs")) {
		return parse_int(key, value, 1, 1024, &m->jobs);
	} else if (!strcasecmp(key, "parallel")) {
		return parse_int(key, value, 1, 64, &m->parallel);
	} else if (!strcasecmp(key, "boot_timeout")) {
		return parse_int(key, value, 1, 86400, &m->boot_timeout);
	} else if (!strcasecmp(key, "boot")) {
		why = parse_bool(key, value, &b);
		m->no_boot = !b;
		return why;
	} else if (!strcasecmp(key, "ccache")) {
		why = parse_bool(key, value, &b);
		m->no_ccache = !b;
		return why;
	} else if (!strcasecmp(key, "toolchain")) {
		if (!is_word(value))
			return xasprintf("bad toolchain name '%s'", value);
		free(m->toolchain);
		m->toolchain = xstrdup(value);
	} else {
		return xasprintf("unknown key '%s' in [matrix] (use out, jobs, parallel, boot, boot_timeout, ccache or toolchain)",
				 key);
	}
	return NULL;
}

static char *cell_entry(struct parse_ctx *p, const char *key, const char *value)
{
	struct cell *c = p->cur;
	struct strvec words = STRVEC_INIT;
	char *why = NULL;

	if (!strcasecmp(key, "kconfig_add") || !strcasecmp(key, "kconfig-add")) {
		/* one Kconfig line, blanks and all */
		if (!strstr(value, "CONFIG_"))
			return xasprintf("'%s' wants a CONFIG_X=value line, not '%s'",
					 key, value);
		strvec_push(&c->adds, value);
		return NULL;
	}
	split_words(value, &words);
	for (size_t i = 0; !why && i < words.nr; i++) {
		const char *w = words.v[i];
		const char *reason = NULL;
		struct kver v;
		unsigned arch;

		if (!strcasecmp(key, "tarball") || !strcasecmp(key, "fragment")) {
			char *path = path_expand(p->base, w);

			strvec_push(key[0] == 't' || key[0] == 'T' ?
				    &c->tarballs : &c->fragments, path);
			free(path);
		} else if (!strcasecmp(key, "version")) {
			if (kver_parse(w, strlen(w), &v, &reason))
				why = xasprintf("invalid kernel version '%s': %s",
						w, reason);
			else if (in_vec(&c->versions, w))
				why = xasprintf("version '%s' listed twice", w);
			else
				strvec_push(&c->versions, w);
		} else if (!strcasecmp(key, "ref")) {
			if (in_vec(&c->refs, w))
				why = xasprintf("ref '%s' listed twice", w);
			else
				strvec_push(&c->refs, w);
		} else if (!strcasecmp(key, "git")) {
			if (c->git || words.nr > 1)
				why = xstrdup("a cell takes one 'git' URL; list refs with 'ref'");
			else
				c->git = xstrdup(w);
		} else if (!strcasecmp(key, "arch")) {
			if (kbuild_parse_arch(w, &arch))
				why = xasprintf("unknown arch '%s': use x86_64 (amd64, 64) or i386 (i686, 32)",
						w);
			else if (in_vec(&c->arches, kbuild_arch_name(arch)))
				why = xasprintf("arch '%s' listed twice",
						kbuild_arch_name(arch));
			else
				strvec_push(&c->arches, kbuild_arch_name(arch));
		} else if (!strcasecmp(key, "profile")) {
			if (!configure_valid_profile(w))
				why = xasprintf("unknown profile '%s': use defconfig or minimal",
						w);
			else if (in_vec(&c->profiles, w))
				why = xasprintf("profile '%s' listed twice", w);
			else
				strvec_push(&c->profiles, w);
		} else if (!strcasecmp(key, "toolchain") ||
			   !strcasecmp(key, "suffix")) {
			char **field = key[0] == 't' || key[0] == 'T' ?
				       &c->toolchain : &c->suffix;

			if (words.nr > 1 || !is_word(w))
				why = xasprintf("'%s' wants one word, not '%s'",
						key, value);
			free(*field);
			*field = xstrdup(w);
		} else {
			why = xasprintf("unknown key '%s' in [cell %s] (use tarball, version, git, ref, arch, profile, fragment, kconfig_add, toolchain or suffix)",
					key, c->name);
		}
	}
	strvec_clear(&words);
	return why;
}

static char *on_entry(void *user, const char *section, const char *key,
		      const char *value)
{
	struct parse_ctx *p = user;

	if (!p->section || strcmp(p->section, section)) {
		char *why = enter_section(p, section);

		if (why)
			return why;
	}
	return p->cur ? cell_entry(p, key, value) : matrix_entry(p, key, value);
}

/* A short, file-name-safe label for one source of a cell. */
char *matrix_source_label(const char *kind, const char *source)
{
	const char *base = strrchr(source, '/');
	char *s = xstrdup(strcmp(kind, "tarball") || !base || !base[1] ?
			  source : base + 1);

	for (char *q = s; *q; q++)
		if (!is_word((char[]){ *q, '\0' }))
			*q = '_';
	return s;
}

static int expand_cell(struct parse_ctx *p, const struct cell *c)
{
	static const char *const def_arch[] = { "x86_64", NULL };
	static const char *const def_profile[] = { "defconfig", NULL };
	const char *kind;
	const struct strvec *src;
	const char *const *arches = c->arches.nr ? c->arches.v : def_arch;
	const char *const *profiles = c->profiles.nr ? c->profiles.v : def_profile;
	struct matrix *m = p->m;
	int kinds = !!c->tarballs.nr + !!c->versions.nr + !!c->git;

	if (kinds != 1)
		return error(-UKB_EUSAGE, "%s:%u: [cell %s] %s", m->file, c->line,
			     c->name, kinds ? "gives more than one of tarball, version and git" :
			     "has no source: give tarball, version or git with ref");
	if (c->git && !c->refs.nr)
		return error(-UKB_EUSAGE, "%s:%u: [cell %s] 'git' needs 'ref'",
			     m->file, c->line, c->name);
	if (!c->git && c->refs.nr)
		return error(-UKB_EUSAGE, "%s:%u: [cell %s] 'ref' goes with 'git'",
			     m->file, c->line, c->name);
	kind = c->git ? "git" : c->versions.nr ? "version" : "tarball";
	src = c->git ? &c->refs : c->versions.nr ? &c->versions : &c->tarballs;

	for (size_t s = 0; s < src->nr; s++)
	for (size_t a = 0; arches[a]; a++)
	for (size_t f = 0; profiles[f]; f++) {
		struct matrix_build *b;
		unsigned arch = 0;

		/* the cell's arches were checked as they were read */
		if (kbuild_parse_arch(arches[a], &arch))
			BUG("arch '%s' of [cell %s] was not checked", arches[a],
			    c->name);
		/* two builds that would publish under one name */
		for (size_t i = 0; i < m->nr; i++) {
			const struct matrix_build *o = &m->b[i];

			if (!strcmp(o->kind, kind) && !strcmp(o->source, src->v[s]) &&
			    o->arch == arch && !strcmp(o->profile, profiles[f]) &&
			    !strcmp(o->suffix ? o->suffix : "", c->suffix ? c->suffix : ""))
				return error(-UKB_EUSAGE,
					     "%s:%u: [cell %s] builds %s for %s/%s again (as cell '%s' does); give one of them a 'suffix'",
					     m->file, c->line, c->name, src->v[s],
					     arches[a], profiles[f], o->cell);
		}
		ALLOC_GROW(m->b, m->nr + 1, m->alloc);
		b = &m->b[m->nr++];
		memset(b, 0, sizeof(*b));
		b->cell = xstrdup(c->name);
		b->line = c->line;
		b->kind = kind;
		b->source = xstrdup(src->v[s]);
		b->git_url = c->git ? xstrdup(c->git) : NULL;
		b->arch = arch;
		b->profile = xstrdup(profiles[f]);
		b->toolchain = c->toolchain ? xstrdup(c->toolchain) : NULL;
		b->suffix = c->suffix ? xstrdup(c->suffix) : NULL;
		strvec_pushv(&b->fragments, c->fragments.v);
		strvec_pushv(&b->kconfig_add, c->adds.v);
	}
	return 0;
}

void matrix_init(struct matrix *m)
{
	memset(m, 0, sizeof(*m));
}

void matrix_release(struct matrix *m)
{
	for (size_t i = 0; i < m->nr; i++) {
		struct matrix_build *b = &m->b[i];

		free(b->cell);
		free(b->source);
		free(b->git_url);
		free(b->profile);
		free(b->toolchain);
		free(b->suffix);
		strvec_clear(&b->fragments);
		strvec_clear(&b->kconfig_add);
	}
	free(m->b);
	free(m->file);
	free(m->out);
	free(m->toolchain);
	free(m->distcc);
	memset(m, 0, sizeof(*m));
}

int matrix_parse(struct matrix *m, const char *name, const char *buf,
		 size_t len)
{
	struct parse_ctx p = { .m = m, .buf = buf, .len = len };
	const char *slash = strrchr(name, '/');
	int ret;

	free(m->file);
	m->file = xstrdup(name);
	if (slash)
		p.base = xstrndup(name, slash == name ? 1 : (size_t)(slash - name));
	ret = ini_read(name, buf, len, on_entry, &p);
	if (!ret && !p.nr)
		ret = error(-UKB_EUSAGE, "%s: no [cell NAME] section: nothing to build",
			    name);
	for (size_t i = 0; !ret && i < p.nr; i++)
		ret = expand_cell(&p, &p.cells[i]);
	for (size_t i = 0; i < p.nr; i++)
		cell_release(&p.cells[i]);
	free(p.cells);
	free(p.section);
	free(p.base);
	return ret;
}

int matrix_load(struct matrix *m, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_input_file(&sb, path, UKB_INPUT_MAX, "matrix file");

	if (!ret)
		ret = matrix_parse(m, path, sb.buf, sb.len);
	strbuf_release(&sb);
	return ret;
}

char *matrix_artifact_name(const struct matrix_build *b, const char *version)
{
	int def = !strcmp(b->profile, "defconfig");

	return xasprintf("linux-%s-um-%s%s%s%s%s", version,
			 kbuild_arch_name(b->arch), def ? "" : "-",
			 def ? "" : b->profile, b->suffix ? "-" : "",
			 b->suffix ? b->suffix : "");
}
