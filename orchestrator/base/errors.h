/*
 * umlkbuild's own error codes, returned negated like errno values
 * (apk-tools): functions return 0, -errno or -UKB_E*.
 */
#ifndef UKB_ERRORS_H
#define UKB_ERRORS_H

enum {
	UKB_EBASE = 1024,
	UKB_EUSAGE = UKB_EBASE, /* bad command line or input file */
	UKB_ESOURCE,            /* kernel source missing, corrupt or unsafe */
	UKB_ENOTFOUND,          /* no such release, ref or file upstream */
	UKB_ENETWORK,           /* connection, DNS, TLS or HTTP failure */
	UKB_ECHECKSUM,          /* sha256 mismatch */
	UKB_ESIGNATURE,         /* bad or untrusted signature */
	UKB_EUNSUPPORTED,       /* version or arch umlkbuild cannot build */
	UKB_EPATCH,             /* a patch did not apply */
	UKB_ECONFIG,            /* required Kconfig symbol check failed */
	UKB_EBUILD,             /* make or strip failed */
	UKB_EARTIFACT,          /* the artifact failed verification */
	UKB_EBOOT,              /* the boot check failed */
	UKB_EHOST,              /* host lacks a tool, or cannot write output */
	UKB_ECHILD,             /* a child process failed */
	UKB_ETIMEDOUT,          /* a child process ran out of time */
	UKB_EINTR,              /* interrupted by SIGINT or SIGTERM */
	UKB_EMAX
};

/* Exit codes, one per failure class; documented in README and umlkbuild.1. */
enum {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_SOURCE = 3,
	EXIT_PATCH = 4,
	EXIT_CONFIG = 5,
	EXIT_BUILD = 6,
	EXIT_ARTIFACT = 7,
	EXIT_BOOT = 8,
	EXIT_HOST = 9,
	EXIT_INTERRUPTED = 130,
};

/* Message for a negative errno or -UKB_E* code. */
const char *ukb_strerror(int err);
/* The exit code for a negative error code. */
int ukb_exit_code(int err);
/*
 * Fold a plain -errno from a stage into that stage's class, keeping
 * codes that already name a class (-UKB_E*).
 */
int ukb_classify(int err, int stage_class);

#endif
