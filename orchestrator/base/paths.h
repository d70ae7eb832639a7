/*
 * Where umlkbuild finds its data (kconfig-fragments/, patches/, keys/) and
 * the guest init: $UKB_DATADIR and $UKB_INIT first, then the source tree
 * the binary sits in (a development checkout), then the installed
 * locations under PREFIX.
 */
#ifndef UKB_PATHS_H
#define UKB_PATHS_H

/* datadir/name; caller frees. */
char *ukb_data_path(const char *name);
const char *ukb_init_path(void);
/* The init for a guest of arch (ARCH_*): a 32-bit guest needs a 32-bit one. */
const char *ukb_init_path_arch(unsigned arch);

#endif
