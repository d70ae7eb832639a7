/*
 * OpenPGP verification by running gpgv (argv through proc.h, never a
 * shell) against an explicit set of trusted key files: every key in them
 * is trusted, nothing from ~/.gnupg is. The signer is read from gpgv's
 * machine-readable status lines (--status-fd), not from its prose.
 */
#ifndef UKB_SIGVERIFY_H
#define UKB_SIGVERIFY_H

#include <stddef.h>

#include "base/strbuf.h"
#include "base/strvec.h"

struct sigverify_keys {
	char *home;            /* private GNUPGHOME, removed by release */
	struct strvec rings;   /* binary keyrings for gpgv --keyring */
};

/*
 * Prepare the trusted keys from files (armored keys are converted with
 * `gpg --dearmor` into a private temporary directory, since gpgv 2.2
 * reads binary keyrings only). Returns 0; -UKB_EUSAGE when there are no
 * files or one cannot be read or converted; -UKB_EHOST without gpg.
 * Release with sigverify_keys_release() whatever it returned.
 */
int sigverify_keys_load(struct sigverify_keys *k, const char *const *files,
			size_t nr);
void sigverify_keys_release(struct sigverify_keys *k);

/*
 * Check the clearsigned file at path; what names it in messages (its URL).
 * On success text gets the signed content only (dash-escaping undone, any
 * text around the signed block dropped) and *signer the primary key's
 * fingerprint (caller frees; signer may be NULL). Returns 0,
 * -UKB_ESIGNATURE (bad, missing or untrusted signature), -UKB_EHOST
 * (no gpgv), -UKB_EINTR or -errno; reported once.
 */
int sigverify_clearsigned(const struct sigverify_keys *k, const char *path,
			  const char *what, struct strbuf *text,
			  char **signer);

/* Check detached signature sig over the file data. As above. */
int sigverify_detached(const struct sigverify_keys *k, const char *sig,
		       const char *data, const char *what, char **signer);

/*
 * Check the detached signature sig over the *uncompressed* content of
 * tarball (xz, gzip or plain tar, told apart by their magic), as
 * kernel.org's linux-X.tar.sign signs it. The tar is written next to
 * tarball in a temporary directory (xz/gzip run through proc.h) and
 * removed again. As above; -UKB_ESOURCE when it does not decompress.
 */
int sigverify_tarball(const struct sigverify_keys *k, const char *sig,
		      const char *tarball, const char *what, char **signer);

#endif
