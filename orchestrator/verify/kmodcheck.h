/*
 * What the build really contains, asked of libkmod: the build's module
 * metadata is installed into a staging tree (modules_install + depmod)
 * and each feature the mission needs must be built in. A static UML
 * cannot load modules, so "=m" is as bad as missing. Also: the config
 * embedded in the binary (vmlinux --showconfig) against the published
 * one, and the host's own module state for `umlkbuild doctor`.
 * Only kmodcheck.c includes libkmod.h.
 */
#ifndef UKB_KMODCHECK_H
#define UKB_KMODCHECK_H

#include <stddef.h>

#include "base/strbuf.h"

struct kbuild;
struct manifest;

enum kmodcheck_state {
	KMODCHECK_BUILTIN,
	KMODCHECK_MODULE,       /* =m: useless to a static UML */
	KMODCHECK_MISSING,
};

struct kmodcheck_feature {
	const char *module;     /* "tcp_bbr" */
	const char *symbol;     /* "CONFIG_TCP_CONG_BBR" */
	const char *what;       /* "TCP BBR congestion control" */
};

struct kmodcheck_verdict {
	const struct kmodcheck_feature *feature;
	enum kmodcheck_state state;
};

/* The features checked, in report order. */
extern const struct kmodcheck_feature kmodcheck_features[];
extern const size_t kmodcheck_nr_features;

/* "builtin", "module" or "missing". */
const char *kmodcheck_state_name(enum kmodcheck_state s);

/*
 * Judge the depmod'ed tree staging/lib/modules/krel: fills
 * v[0..kmodcheck_nr_features). Pure apart from reading that tree; prints
 * nothing. Returns the number of features not built in, or -errno /
 * -UKB_EHOST when libkmod cannot open the tree.
 */
int kmodcheck_judge(const char *staging, const char *krel,
		    struct kmodcheck_verdict *v);

/*
 * objdir/modules.builtin, made when the vmlinux build did not write it (a
 * kernel before 5.3 lists built-in modules only in the "modules.builtin"
 * target, inside "ifdef CONFIG_MODULES": asked for with CONFIG_MODULES=y
 * on the make command line). Returns 0 when it exists or was made, else
 * kbuild_make's error.
 */
int kmodcheck_make_builtin_list(const struct kbuild *kb);

/*
 * The build-driver stage: kernelrelease, kmodcheck_stage into staging,
 * kmodcheck_judge, one error per feature that is a module or missing, and
 * "results.kmod" = [{"module", "symbol", "state"}] plus
 * "results.kmod_passed" in m. Returns 0, -UKB_EARTIFACT or what staging
 * returned. The caller removes staging when it likes.
 */
int kmodcheck_run(const struct kbuild *kb, const char *staging,
		  struct manifest *m);

/*
 * Compare "vmlinux --showconfig" with the config file (the published
 * one). Records "results.showconfig" = {"ran", "matches", "differences",
 * "first_difference", "skip_reason"} in m when m is not NULL. Returns 0
 * when they match or the binary cannot tell (old kernel, 32-bit binary
 * on a 64-bit-only host: skipped, with a warning), -UKB_EARTIFACT when
 * they differ, -errno when config is unreadable.
 */
int kmodcheck_showconfig(const char *vmlinux, const char *config,
			 struct manifest *m);
/* Pure: count differing lines of two configs; *first gets the first one. */
size_t kmodcheck_config_diff(const char *a, size_t alen, const char *b,
			     size_t blen, struct strbuf *first);

enum kmodcheck_host {
	KMODCHECK_HOST_BUILTIN,
	KMODCHECK_HOST_LOADED,
	KMODCHECK_HOST_LOADABLE,
	KMODCHECK_HOST_MISSING,
	KMODCHECK_HOST_NO_INDEX,        /* no /lib/modules/$(uname -r) */
};

/*
 * The running host's state of module name, from libkmod on its module
 * index (and /sys/module). detail gets a short explanation.
 */
enum kmodcheck_host kmodcheck_host_module(const char *name,
					  struct strbuf *detail);

#endif
