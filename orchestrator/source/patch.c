#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/scope.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "source/patch.h"
#include "base/banned.h"

static void free_patch(struct kpatch *p)
{
	free(p->path);
	free(p->name);
	free(p->subject);
	free(p->origin);
	free(p->verified);
	memset(p, 0, sizeof(*p));
}

static char *dup_value(const char *p, const char *eol)
{
	while (p < eol && (*p == ' ' || *p == '\t'))
		p++;
	while (eol > p && isspace((unsigned char)eol[-1]))
		eol--;
	return xstrndup(p, (size_t)(eol - p));
}

/* Long on purpose: one pass over the header lines, one case per field, each error naming its line. */
int patch_parse_header(const char *name, const char *buf, size_t len,
		       struct kpatch *p)
{
	const char *s = buf, *end = buf + len;
	unsigned lineno = 0;
	int have_versions = 0, have_diff = 0;

	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->arches = ARCH_ALL;
	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *colon;

		if (!eol)
			eol = end;
		lineno++;
		if (eol - s >= 3 && !strncmp(s, "---", 3)) {
			have_diff = 1;
			break;
		}
		if (eol == s)  /* the header ends at the first blank line */
			break;
		colon = memchr(s, ':', (size_t)(eol - s));
		if (!colon)
			goto bad;
#define KEY(k) ((size_t)(colon - s) == strlen(k) && !strncmp(s, k, strlen(k)))
		if (KEY("Subject")) {
			free(p->subject);
			p->subject = dup_value(colon + 1, eol);
		} else if (KEY("Origin")) {
			free(p->origin);
			p->origin = dup_value(colon + 1, eol);
		} else if (KEY("Verified")) {
			free(p->verified);
			p->verified = dup_value(colon + 1, eol);
		} else if (KEY("Versions")) {
			char *v = dup_value(colon + 1, eol);
			int ret = 0;

			p->nr_ranges = 0;
			for (char *r = v, *next; *r && !ret; r = next) {
				char *comma = strchrnul(r, ',');

				next = *comma ? comma + 1 : comma;
				while (*r == ' ')
					r++;
				while (comma > r && comma[-1] == ' ')
					comma--;
				if (p->nr_ranges == PATCH_MAX_RANGES)
					ret = -1;
				else
					ret = kver_range_parse(r, (size_t)(comma - r),
						&p->ranges[p->nr_ranges++]);
			}
			free(v);
			if (ret || !p->nr_ranges)
				return error(-UKB_EUSAGE,
					     "%s:%u: bad version range (use A..B[, C..D])",
					     name, lineno);
			have_versions = 1;
		} else if (KEY("Arch")) {
			char *v = dup_value(colon + 1, eol);

			if (!strcmp(v, "all"))
				p->arches = ARCH_ALL;
			else if (!strcmp(v, "x86_64"))
				p->arches = ARCH_X86_64;
			else if (!strcmp(v, "i386"))
				p->arches = ARCH_I386;
			else {
				free(v);
				return error(-UKB_EUSAGE,
					     "%s:%u: unknown arch (use all, x86_64 or i386)",
					     name, lineno);
			}
			free(v);
		} else if (!KEY("From") && !KEY("Date")) {
			goto bad;
		}
#undef KEY
		s = eol + 1;
	}
	/* the diff may follow the explanation further down */
	if (!have_diff && (memmem(buf, len, "\n---", 4) ||
			   (len >= 3 && !strncmp(buf, "---", 3))))
		have_diff = 1;
	if (!p->subject)
		return error(-UKB_EUSAGE, "%s: no Subject: header", name);
	if (!have_versions)
		return error(-UKB_EUSAGE, "%s: no Versions: header", name);
	if (!p->origin)
		return error(-UKB_EUSAGE, "%s: no Origin: header", name);
	if (!have_diff)
		return error(-UKB_EUSAGE, "%s: no diff after the header", name);
	return 0;
bad:
	return error(-UKB_EUSAGE,
		     "%s:%u: expected 'Key: value' (Subject, Origin, Versions, Arch, Verified)",
		     name, lineno);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct kpatch *)a)->name,
		      ((const struct kpatch *)b)->name);
}

int patch_series_load(const char *dir, struct patch_series *all)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return error_errno(0, "cannot read patch directory '%s'", dir);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct strbuf sb = STRBUF_INIT;
		struct kpatch p;
		char *path;

		if (n < 7 || strcmp(de->d_name + n - 6, ".patch"))
			continue;
		path = path_join(dir, de->d_name);
		ret = read_input_file(&sb, path, UKB_PATCH_MAX, "patch");
		if (ret) {
			free(path);
			strbuf_release(&sb);
			break;
		}
		ret = patch_parse_header(de->d_name, sb.buf, sb.len, &p);
		if (ret) {
			free_patch(&p);
			free(path);
			strbuf_release(&sb);
			break;
		}
		p.path = path;
		sha256_buf(sb.buf, sb.len, p.sha256);
		strbuf_release(&sb);
		ALLOC_GROW(all->p, all->nr + 1, all->alloc);
		all->p[all->nr++] = p;
	}
	closedir(d);
	if (ret) {
		patch_series_release(all);
		return ret;
	}
	if (all->nr)
		qsort(all->p, all->nr, sizeof(*all->p), by_name);
	return 0;
}

static void copy_patch(struct kpatch *dst, const struct kpatch *src)
{
	*dst = *src;
	dst->path = xstrdup(src->path ? src->path : "");
	dst->name = xstrdup(src->name);
	dst->subject = xstrdup(src->subject ? src->subject : "");
	dst->origin = xstrdup(src->origin ? src->origin : "");
	dst->verified = xstrdup(src->verified ? src->verified : "");
}

void patch_series_select(const struct patch_series *all, const struct kver *v,
			 unsigned arch, struct patch_series *out)
{
	for (size_t i = 0; i < all->nr; i++) {
		const struct kpatch *p = &all->p[i];

		int in = 0;

		for (size_t r = 0; r < p->nr_ranges; r++)
			in |= kver_in_range(v, &p->ranges[r]);
		if (!in || !(p->arches & arch))
			continue;
		ALLOC_GROW(out->p, out->nr + 1, out->alloc);
		copy_patch(&out->p[out->nr++], p);
	}
}

void patch_series_release(struct patch_series *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free_patch(&s->p[i]);
	free(s->p);
	memset(s, 0, sizeof(*s));
}

void patch_series_key(const struct patch_series *s,
		      char hex[SHA256_HEX_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < s->nr; i++)
		strbuf_addf(&sb, "%s %s\n", s->p[i].sha256, s->p[i].name);
	sha256_buf(sb.buf, sb.len, hex);
	strbuf_release(&sb);
}

static int run_patch(const char *tree, const char *file, int reverse,
		     int dry_run, struct strbuf *out)
{
	struct strvec argv = STRVEC_INIT;
	struct proc p = { 0 };
	int ret;

	strvec_pushl(&argv, "patch", "-p1", "--batch", "--silent", "-d", tree,
		     "-i", file, NULL);
	strvec_push(&argv, reverse ? "--reverse" : "--forward");
	if (dry_run)
		strvec_push(&argv, "--dry-run");
	p.argv = argv.v;
	p.capture = out;
	p.quiet_log = dry_run;
	ret = proc_run(&p);
	strvec_clear(&argv);
	return ret;
}

int patch_apply(const struct kpatch *p, const char *tree,
		const struct kver *v, int *skipped)
{
	struct strbuf out = STRBUF_INIT;
	char ver[48];
	int ret;

	*skipped = 0;
	kver_format(v, ver, sizeof(ver));
	ret = run_patch(tree, p->path, 0, 1, &out);
	if (ret == -UKB_EINTR || ret == -ENOENT)
		goto out;
	if (ret) {
		struct strbuf rev = STRBUF_INIT, ranges = STRBUF_INIT;
		const char *first;

		if (!run_patch(tree, p->path, 1, 1, &rev)) {
			strbuf_release(&rev);
			*skipped = 1;
			info("patch %s is already in %s, skipped", p->name, ver);
			ret = 0;
			goto out;
		}
		strbuf_release(&rev);
		/* quote the forward run's first complaint, e.g. a failed hunk */
		first = strstr(out.buf, "FAILED");
		if (first)
			while (first > out.buf && first[-1] != '\n')
				first--;
		else
			first = out.buf;
		ret = error(-UKB_EPATCH, "patch '%s' does not apply to %s: %.*s",
			    p->name, ver,
			    (int)(strchrnul(first, '\n') - first),
			    *first ? first : "no output from patch");
		for (size_t r = 0; r < p->nr_ranges; r++) {
			char one[80];

			kver_range_format(&p->ranges[r], one, sizeof(one));
			strbuf_addf(&ranges, "%s%s", r ? ", " : "", one);
		}
		hint("its Versions range (%s) may be wrong for this release; see patches/README.md",
		     ranges.buf);
		strbuf_release(&ranges);
		goto out;
	}
	strbuf_reset(&out);
	ret = run_patch(tree, p->path, 0, 0, &out);
	if (ret && ret != -UKB_EINTR)
		ret = error(-UKB_EPATCH, "patch '%s' failed on %s after a clean dry run",
			    p->name, ver);
out:
	if (ret == -ENOENT)
		ret = error(-UKB_EHOST, "cannot run 'patch': not installed (apt-get install patch)");
	strbuf_release(&out);
	return ret;
}
