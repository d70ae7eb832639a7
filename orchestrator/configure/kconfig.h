/*
 * Kconfig fragments and .config files: parsing, merging, applying and the
 * two-tier check of the resolved configuration. Values are kept as written
 * ("y", "m", "\"bbr\"", "0x10"); "# CONFIG_X is not set" is the value "n".
 */
#ifndef UKB_KCONFIG_H
#define UKB_KCONFIG_H

#include <stddef.h>

#include "base/scope.h"
#include "base/strbuf.h"
#include "base/version.h"


struct kc_entry {
	char *name;   /* "CONFIG_X" */
	char *value;  /* as written; "n" for "is not set" */
	char *file;   /* where it came from */
	unsigned line;
};

struct kc_set {
	struct kc_entry *e;
	size_t nr, alloc;
	/*
	 * A cache for kc_find: an open-addressing table of index + 1 into e
	 * (0 is free), covering e[0..indexed). Entries appended to e
	 * directly are indexed on the next lookup; names never change and
	 * entries are never taken out (kc_set_release empties a set).
	 */
	size_t *slots, nr_slots, indexed;
};

/* Where a fragment or a required entry applies ("# umlkbuild: ..."). */
#define KC_SET_INIT { NULL, 0, 0, NULL, 0, 0 }

void kc_set_release(struct kc_set *set);
/* Free a set whose entries it borrowed: the array and index only. */
void kc_set_release_borrowed(struct kc_set *set);
/* The first entry named name, in constant time; NULL when none. */
struct kc_entry *kc_find(const struct kc_set *set, const char *name);

/*
 * Parse a fragment: "CONFIG_X=value", "# CONFIG_X is not set", comments,
 * blank lines and "# umlkbuild: versions A..B", "# umlkbuild: arch i386"
 * and "# umlkbuild: link static|dynamic" scope lines (into scope, when
 * given). A malformed line, or one symbol
 * given two values in the same fragment, is an error naming file:line.
 * Returns 0 or -UKB_EUSAGE.
 */
int kc_parse_fragment(struct kc_set *out, const char *file, const char *buf,
		      size_t len, struct scope *scope);
/*
 * Parse a generated .config (lenient: a line it does not understand is
 * skipped), so it cannot fail.
 */
void kc_parse_config(struct kc_set *out, const char *file, const char *buf,
		    size_t len);
/*
 * Why text that kc_parse_config read into config is no Kconfig .config
 * (binary data, no CONFIG_ line), or NULL when it is one.
 */
const char *kc_not_config(const char *buf, size_t len,
			  const struct kc_set *config);

/*
 * Merge src into dst; later values override earlier ones, and each
 * override is reported with both places. Returns the number of overrides.
 */
size_t kc_merge(struct kc_set *dst, const struct kc_set *src);

/* Rewrite a .config's text with the entries of set applied. */
void kc_apply(const char *config, size_t len, const struct kc_set *set,
	      struct strbuf *out);

/* Required symbols: "CONFIG_X=value [versions=A..B] [arch=i386|x86_64]
 * [link=static|dynamic]". */
struct kc_required {
	struct kc_set syms;
	struct scope *scopes; /* parallel to syms.e */
};

int kc_parse_required(struct kc_required *req, const char *file,
		      const char *buf, size_t len);
void kc_required_release(struct kc_required *req);

struct kc_result {
	const char *name;
	const char *requested;
	const char *actual;   /* NULL when absent from .config */
	const char *file;
	unsigned line;
	int required;
	int ok;
};

struct kc_report {
	struct kc_result *r;
	size_t nr, alloc;
	size_t required_failed;
	size_t warnings;
};

/* Whether requested (as a fragment writes it) holds given actual. */
int kc_value_satisfied(const char *requested, const char *actual);

/*
 * Check a resolved configuration: every required entry in scope for
 * (v, arch), then every requested fragment line. Fills report (pointers
 * into the inputs); returns 0 or -UKB_ECONFIG when a required symbol
 * failed. Messages are printed for every failure and warning.
 */
int kc_check(const struct kc_set *config, const struct kc_required *req,
	     const struct kc_set *requested, const struct kver *v,
	     unsigned arch, struct kc_report *report);
void kc_report_release(struct kc_report *report);

/*
 * The symbol a Kconfig line declares ("config X" or "menuconfig X", s at
 * its first non-blank, eol its end), with its length in *len; NULL for
 * any other line.
 */
const char *kc_config_decl(const char *s, const char *eol, size_t *len);
/*
 * Call fn(path, line, name, len, data) for every "config NAME" and
 * "menuconfig NAME" line of every Kconfig* file under srcdir, whether
 * kconfig reads the file or not, leaving out .git, Documentation, scripts
 * and tools (kconfig's own test cases). name is not NUL-terminated. Not
 * reentrant. Returns 0 or -errno.
 */
int kc_walk_decls(const char *srcdir,
		  void (*fn)(const char *path, unsigned line, const char *name,
			     size_t len, void *data),
		  void *data);

/*
 * Mark in defined[i] whether set->e[i] is declared ("config X" or
 * "menuconfig X") in a Kconfig file under srcdir. Returns 0 or -errno.
 */
int kc_defined(const char *srcdir, const struct kc_set *set,
	       unsigned char *defined);

#endif
