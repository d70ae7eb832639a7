/*
 * Toolchain profiles: toolchain/profiles/NAME.ini, an INI section
 * [toolchain] with cc, hostcc, kcflags, hostcflags, description, and
 * wrapper = distcc (compiles go through distcc; distcc_hosts sets
 * DISTCC_HOSTS, else distcc's own $DISTCC_HOSTS or hosts file).
 * --toolchain NAME picks one; "gcc" is the default.
 */
#ifndef UKB_TOOLCHAIN_H
#define UKB_TOOLCHAIN_H

#define TOOLCHAIN_DEFAULT "gcc"

struct toolchain {
	char *name;
	char *path;
	char *description;
	char *cc;
	char *hostcc;
	char *kcflags;     /* NULL when unset */
	char *hostcflags;  /* NULL when unset */
	char *wrapper;     /* "distcc", or NULL */
	char *distcc_hosts; /* NULL when unset */
};

/* Load profile name. Returns 0, -UKB_EUSAGE (unknown name, listing the
 * known ones; or a bad file, naming file:line). */
int toolchain_load(const char *name, struct toolchain *tc);
/* Parse a profile's text (pure; fuzzed through ini_read). */
int toolchain_parse(const char *name, const char *path, const char *buf,
		    size_t len, struct toolchain *tc);
void toolchain_release(struct toolchain *tc);

#endif
