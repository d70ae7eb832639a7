/* Does this host have what a build needs? Names the Debian package for each gap. */
#ifndef UKB_PREFLIGHT_H
#define UKB_PREFLIGHT_H

/* Check the tools a UML build for arch (ARCH_*) with compilers cc and
 * hostcc needs. Returns 0 or -UKB_EHOST after one error line per missing
 * piece. */
int preflight_build(unsigned arch, const char *cc, const char *hostcc);

#endif
