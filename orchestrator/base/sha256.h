/* SHA-256 through OpenSSL's libcrypto, as lowercase hex. */
#ifndef UKB_SHA256_H
#define UKB_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

struct sha256;

struct sha256 *sha256_new(void);
void sha256_update(struct sha256 *h, const void *data, size_t len);
/* Write 64 hex digits and a NUL into hex, and free h. */
void sha256_finish(struct sha256 *h, char hex[SHA256_HEX_LEN + 1]);
/* Hash a whole file. Returns 0 or -errno. */
int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1]);
void sha256_buf(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);
/* Whether s is 64 lowercase hex digits. */
int sha256_is_hex(const char *s, size_t len);

#endif
