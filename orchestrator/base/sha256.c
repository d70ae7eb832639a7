#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/sha256.h"
#include "base/wrapper.h"
#include "base/banned.h"

struct sha256 {
	EVP_MD_CTX *ctx;
};

struct sha256 *sha256_new(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		abort();
	return (struct sha256 *)ctx;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate((EVP_MD_CTX *)h, data, len);
}

void sha256_finish(struct sha256 *h, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &n);
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
	for (unsigned int i = 0; i < n && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

#define SHA256_FILE_CHUNK (1 << 17)

/* Each call reads through a buffer of its own: xzpump hashes in threads. */
int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char *buf;
	struct sha256 *h;
	ssize_t n;
	int ret = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	buf = xmalloc(SHA256_FILE_CHUNK);
	h = sha256_new();
	while ((n = read(fd, buf, SHA256_FILE_CHUNK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		sha256_update(h, buf, (size_t)n);
	}
	close(fd);
	free(buf);
	sha256_finish(h, hex);
	return ret;
}

void sha256_buf(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 *h = sha256_new();

	sha256_update(h, data, len);
	sha256_finish(h, hex);
}

int sha256_is_hex(const char *s, size_t len)
{
	if (len != SHA256_HEX_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}
