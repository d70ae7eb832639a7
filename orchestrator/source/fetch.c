#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/dlcache.h"
#include "source/fetch.h"
#include "source/sigverify.h"
#include "base/banned.h"

#ifndef UKB_VERSION
#define UKB_VERSION "0"
#endif

#define TRIES 3
#define SUMS_MAX (64u << 20)  /* kernel.org's v6.x list is a few MiB */
#define SIGN_MAX (1u << 20)

unsigned fetch_retry_base_ms = 1000;

/* ---- Mirror URL policy ------------------------------------------------ */

static int is_loopback_host(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	size_t n = strlen(host);

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		char *inner = xstrndup(host + 1, n - 2);
		int ok = inet_pton(AF_INET6, inner, &a6) == 1 &&
			 !memcmp(&a6, &in6addr_loopback, sizeof(a6));

		free(inner);
		return ok;
	}
	return 0;
}

/* The shared rule: https and file anywhere; plain http (and git://, for
 * git) only to loopback. */
static const char *url_policy(const char *url, int git)
{
	/* curl's own parser, so the host judged is the host contacted */
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	const char *why = NULL;

	if (!u)
		return "out of memory";
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) {
		why = "not a URL (expected https://HOST/PATH)";
		goto out;
	}
	if (!strcmp(scheme, "https") || !strcmp(scheme, "file"))
		goto out;
	if (strcmp(scheme, "http") && (!git || strcmp(scheme, "git"))) {
		why = git ? "only https://, file://, local paths and loopback "
			    "http:// or git:// remotes are supported" :
			    "only https://, file:// and loopback http:// "
			    "mirrors are supported";
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) ||
	    !is_loopback_host(host))
		why = !strcmp(scheme, "git") ?
		      "plain git:// is refused for a host that is not "
		      "loopback: use https://" :
		      "plain http:// is refused for a host that is not "
		      "loopback: use https://";
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return why;
}

const char *fetch_url_refused(const char *url)
{
	return url_policy(url, 0);
}

/* git's scp-like "[user@]host:path": a colon before any slash. */
static const char *scp_colon(const char *url)
{
	const char *colon = strchr(url, ':');
	const char *slash = strchr(url, '/');

	return colon && (!slash || colon < slash) ? colon : NULL;
}

const char *fetch_git_url_refused(const char *url)
{
	if (!*url)
		return "empty URL";
	if (!strstr(url, "://"))
		return scp_colon(url) ? "ssh remotes (HOST:PATH) are not "
					"supported: use https://" : NULL;
	return url_policy(url, 1);
}

/* Cut the userinfo out of what curl cannot parse: "S://U@H/..." and
 * git's "U@H:PATH". */
static char *redact_unparsed(const char *url)
{
	const char *start = strstr(url, "://"), *end, *at = NULL;

	if (start) {
		start += 3;
		end = start + strcspn(start, "/?#");
	} else {
		start = url;
		end = scp_colon(url);
		if (!end)
			return xstrdup(url);
	}
	for (const char *p = start; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(start - url), url, at + 1);
}

char *url_redact(const char *url)
{
	CURLU *u = curl_url();
	char *user = NULL, *pass = NULL, *clean = NULL, *out = NULL;

	if (!u)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME |
						CURLU_PATH_AS_IS)) {
		out = redact_unparsed(url);
		goto done;
	}
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (!user && !pass) {
		out = xstrdup(url);
		goto done;
	}
	if (curl_url_set(u, CURLUPART_USER, NULL, 0) ||
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) ||
	    curl_url_get(u, CURLUPART_URL, &clean, 0))
		out = redact_unparsed(url);
	else
		out = xstrdup(clean);
done:
	curl_free(user);
	curl_free(pass);
	curl_free(clean);
	curl_url_cleanup(u);
	return out;
}

/* ---- sha256sums ------------------------------------------------------- */

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* Report a malformed line of name: printed, or kept in why when given. */
static int sums_bad(const char *name, size_t line, struct strbuf *why,
		    const char *problem, const char *file)
{
	if (why)
		strbuf_addf(why, "%s:%zu: %s%s%s", name, line, problem,
			    file ? file : "", file ? "'" : "");
	else
		error(-UKB_ESOURCE, "%s:%zu: %s%s%s", name, line, problem,
		      file ? file : "", file ? "'" : "");
	return -UKB_ESOURCE;
}

int sha256sums_lookup(const char *name, const char *buf, size_t len,
		      const char *file, char out[65], struct strbuf *why)
{
	size_t flen = strlen(file), pos = 0, line = 0;
	int found = 0;

	while (pos < len) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		char hex[65];

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (!n || s[0] == '#')
			continue;
		if (n < 67 || !is_hex64(s) || s[64] != ' ' ||
		    (s[65] != ' ' && s[65] != '*'))
			return sums_bad(name, line, why,
					"expected '<sha256>  <file>'", NULL);
		if (memchr(s, '\0', n))
			return sums_bad(name, line, why,
					"NUL byte in line", NULL);
		if (n - 66 != flen || memcmp(s + 66, file, flen))
			continue;
		for (int i = 0; i < 64; i++)
			hex[i] = (char)(s[i] | 0x20);  /* lowercase hex */
		hex[64] = '\0';
		if (found && strcmp(hex, out))
			return sums_bad(name, line, why,
					"a second, different checksum for '",
					file);
		memcpy(out, hex, sizeof(hex));
		found = 1;
	}
	return found ? 0 : -UKB_ENOTFOUND;
}

/* ---- Transfers -------------------------------------------------------- */

/*
 * One resource fetched into memory (mem) or appended to a file (fd, hashed
 * as it is written). Failures are described in why, not printed: the
 * caller knows whether another mirror is left to try.
 */
struct xfer {
	CURL *h;
	const char *url;
	const char *shown;      /* url without its userinfo, for messages */
	struct strbuf *mem;
	size_t max;
	int fd;
	struct sha256 *hash;
	uint64_t base;          /* bytes already there: the Range start */
	uint64_t written;       /* bytes this request added */
	long code;              /* HTTP status of the body being received */
	int code_known;
	int write_err;          /* -errno, or -EFBIG past max */
	int range_ignored;      /* the server answered 200 to a Range */
	int past_end;           /* 416: the part is already complete */
	const char *title;      /* progress title; NULL for small files */
	struct progress *progress;
};

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * nmemb;

	if (!x->code_known) {
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->code);
		x->code_known = 1;
	}
	if (x->code >= 300)
		return len;     /* an error page is not data */
	if (x->mem) {
		if (x->mem->len + len > x->max) {
			x->write_err = -EFBIG;
			return 0;
		}
		strbuf_add(x->mem, ptr, len);
	} else {
		x->write_err = write_all(x->fd, ptr, len);
		if (x->write_err)
			return 0;
		sha256_update(x->hash, ptr, len);
	}
	x->written += len;
	return len;
}

static int on_xferinfo(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ctx;

	(void)ultotal;
	(void)ulnow;
	if (sigchain_pending())
		return 1;
	if (!x->title)
		return 0;
	if (!x->progress && dltotal > 0)
		x->progress = progress_start(x->title,
					     x->base + (uint64_t)dltotal, 1);
	if (x->progress)
		progress_update(x->progress, x->base + (uint64_t)dlnow);
	return 0;
}

static int is_http(const char *url)
{
	return !strncasecmp(url, "http://", 7) ||
	       !strncasecmp(url, "https://", 8);
}

/* Map a finished request to 0 or an error code with why filled in. */
static int judge(struct xfer *x, CURLcode rc, const char *errbuf,
		 struct strbuf *why, int *transient)
{
	const char *detail = *errbuf ? errbuf : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		return -UKB_EINTR;
	case CURLE_WRITE_ERROR:
		if (x->write_err == -EFBIG) {
			strbuf_addf(why, "'%s' is larger than %zu MiB: not a "
				    "kernel.org file", x->shown, x->max >> 20);
			return -UKB_ENETWORK;
		}
		return error(x->write_err ? x->write_err : -EIO,
			     "cannot save '%s': %s", x->shown,
			     strerror(x->write_err ? -x->write_err : EIO));
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		strbuf_addf(why, "DNS lookup failed for '%s': %s", x->shown,
			    detail);
		return -UKB_ENETWORK;
	case CURLE_COULDNT_CONNECT:
		*transient = 1;
		strbuf_addf(why, "cannot connect to '%s': %s", x->shown, detail);
		return -UKB_ENETWORK;
	case CURLE_OPERATION_TIMEDOUT:
		*transient = 1;
		strbuf_addf(why, "timed out fetching '%s': %s", x->shown, detail);
		return -UKB_ENETWORK;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		*transient = 1;
		strbuf_addf(why, "connection lost fetching '%s': %s", x->shown,
			    detail);
		return -UKB_ENETWORK;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		strbuf_addf(why, "TLS error talking to '%s': %s", x->shown,
			    detail);
		return -UKB_ENETWORK;
	case CURLE_FILE_COULDNT_READ_FILE:
		strbuf_addf(why, "'%s' does not exist: no such release on this "
			    "mirror", x->shown);
		return -UKB_ENOTFOUND;
	case CURLE_RANGE_ERROR:
		x->range_ignored = 1;
		return 0;
	case CURLE_BAD_DOWNLOAD_RESUME:
		x->past_end = 1;
		return 0;
	default:
		strbuf_addf(why, "cannot fetch '%s': %s", x->shown, detail);
		return -UKB_ENETWORK;
	}
	if (!is_http(x->url))
		return 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->code);
	if (x->code == 200 || x->code == 206)
		return 0;
	if (x->code == 416 && x->base) {
		x->past_end = 1;
		return 0;
	}
	if (x->code == 404 || x->code == 410) {
		char *who = NULL;

		/* fetch_file() names its publisher on the handle */
		curl_easy_getinfo(x->h, CURLINFO_PRIVATE, &who);
		strbuf_addf(why, "%s answered %ld for '%s': no such "
			    "release on this mirror", who ? who : "kernel.org",
			    x->code, x->shown);
		return -UKB_ENOTFOUND;
	}
	*transient = x->code >= 500;
	strbuf_addf(why, "'%s' answered HTTP %ld", x->shown, x->code);
	return -UKB_ENETWORK;
}

static int perform(struct xfer *x, struct strbuf *why, int *transient)
{
	char *who = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	*transient = 0;
	x->written = 0;
	x->code = 0;
	x->code_known = 0;
	x->write_err = 0;
	x->range_ignored = 0;
	x->past_end = 0;
	curl_easy_getinfo(x->h, CURLINFO_PRIVATE, &who);
	curl_easy_reset(x->h);
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, who);  /* kept: see judge() */
	curl_easy_setopt(x->h, CURLOPT_URL, x->url);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
	curl_easy_setopt(x->h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(x->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https,file");
	/* a redirect must not downgrade to plain http */
	curl_easy_setopt(x->h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(x->h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(x->h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(x->h, CURLOPT_USERAGENT, "umlkbuild/" UKB_VERSION);
	if (!strncasecmp(x->url, "http://", 7))
		/* only loopback gets here: no proxy in between */
		curl_easy_setopt(x->h, CURLOPT_NOPROXY, "*");
	if (x->base)
		curl_easy_setopt(x->h, CURLOPT_RESUME_FROM_LARGE,
				 (curl_off_t)x->base);
	debug("fetching '%s'%s", x->shown, x->base ? " (resuming)" : "");
	rc = curl_easy_perform(x->h);
	return judge(x, rc, errbuf, why, transient);
}

/* Sleep ms, waking early for a signal. Returns -UKB_EINTR then. */
static int pause_ms(unsigned ms)
{
	struct timespec step = { .tv_sec = 0, .tv_nsec = 50 * 1000000L };

	for (unsigned done = 0; done < ms; done += 50) {
		if (sigchain_pending())
			return -UKB_EINTR;
		nanosleep(&step, NULL);
	}
	return sigchain_pending() ? -UKB_EINTR : 0;
}

/* perform() with up to TRIES attempts and backoff for transient failures. */
static int transfer(struct xfer *x, struct strbuf *why)
{
	char *shown = url_redact(x->url);
	int ret;

	x->shown = shown;
	for (int try = 1;; try++) {
		int transient;
		unsigned ms = fetch_retry_base_ms << (try - 1);

		strbuf_reset(why);
		if (x->mem)
			strbuf_reset(x->mem);
		ret = perform(x, why, &transient);
		if (!ret || !transient || try == TRIES)
			break;
		warning("%s; trying again in %.1f s (%d of %d)", why->buf,
			ms / 1000.0, try + 1, TRIES);
		if (pause_ms(ms)) {
			ret = -UKB_EINTR;
			break;
		}
		/* a file keeps what arrived: the next try resumes */
		if (!x->mem)
			x->base += x->written;
	}
	x->shown = NULL;
	free(shown);
	return ret;
}

static int get_mem(CURL *h, const char *url, size_t max, struct strbuf *out,
		   struct strbuf *why)
{
	struct xfer x = { .h = h, .url = url, .mem = out, .max = max,
			  .fd = -1 };

	return transfer(&x, why);
}

/* ---- The .part file --------------------------------------------------- */

/* Open path for appending and hash what it already holds. */
static int part_open(const char *path, int *fd, struct sha256 **hash,
		     uint64_t *size)
{
	char buf[1 << 16];
	ssize_t n;
	int in;

	*hash = sha256_new();
	*size = 0;
	*fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (*fd < 0)
		return error(-errno, "cannot open '%s': %s", path,
			     strerror(errno));
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return error(-errno, "cannot read '%s': %s", path,
			     strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		sha256_update(*hash, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(in);
	if (n < 0)
		return error(-errno, "cannot read '%s': %s", path,
			     strerror(errno));
	return 0;
}

static int part_restart(const char *path, int fd, struct sha256 **hash)
{
	char discard[SHA256_HEX_LEN + 1];

	sha256_finish(*hash, discard);
	*hash = sha256_new();
	if (ftruncate(fd, 0) < 0)
		return error(-errno, "cannot truncate '%s': %s", path,
			     strerror(errno));
	return 0;
}

static int download_once(CURL *h, const char *url, const char *part,
			 const char *title, char actual[65], int *resumed,
			 struct strbuf *why)
{
	struct xfer x = { .h = h, .url = url, .fd = -1, .title = title };
	char *shown = url_redact(url);
	int ret, restarted = 0;

	ret = part_open(part, &x.fd, &x.hash, &x.base);
	*resumed = x.base > 0;
	if (ret)
		goto out;
	if (x.base)
		info("resuming '%s' after %llu bytes", title,
		     (unsigned long long)x.base);
	for (;;) {
		ret = transfer(&x, why);
		if (ret || !x.range_ignored)
			break;
		if (restarted++) {
			strbuf_addf(why, "'%s' does not honour Range requests",
				    shown);
			ret = -UKB_ENETWORK;
			break;
		}
		info("'%s' cannot resume: downloading it from the start",
		     shown);
		ret = part_restart(part, x.fd, &x.hash);
		*resumed = 0;
		x.base = 0;
		if (ret)
			break;
	}
	progress_stop(&x.progress);
out:
	if (x.hash)
		sha256_finish(x.hash, actual);
	if (x.fd >= 0)
		close(x.fd);
	/* an empty part is nothing worth resuming */
	if (ret && ret != -UKB_EINTR && !x.base && !x.written)
		unlink(part);
	free(shown);
	return ret;
}

/*
 * Download url into the .part file part, resuming what is there. A resumed
 * file that does not end up with expected is downloaded once more from the
 * start: the earlier piece may have come from elsewhere.
 */
static int download(CURL *h, const char *url, const char *part,
		    const char *title, const char *expected, char actual[65],
		    struct strbuf *why)
{
	for (int fresh = 0; fresh < 2; fresh++) {
		int resumed, ret;

		ret = download_once(h, url, part, title, actual, &resumed, why);
		if (ret || !expected || !strcmp(actual, expected) || !resumed)
			return ret;
		warning("'%s' resumed from an earlier partial download does "
			"not match its checksum; downloading it again", title);
		unlink(part);
	}
	return 0;
}

/* ---- One mirror ------------------------------------------------------- */

/* What one fetch_tarball() call works with. */
struct fetch_ctx {
	const struct kver *v;
	const struct fetch_opts *o;
	char *dl;               /* <cache>/downloads */
	char *tmp;              /* this run's scratch directory inside dl */
	const struct fetch_item *item; /* fetch_file(); NULL for kernels */
	CURL *h;
	struct sigverify_keys keys;
	int saw_unverified;     /* a cache entry without a signature check */
};

/* "<mirror>/v6.x/<file>", the directory of v's tarball; caller frees. */
static char *dir_url(const char *mirror, const struct kver *v,
		     const char *file)
{
	char *t = kver_tarball_url(mirror, v, "xz"), *url;

	*(strrchr(t, '/') + 1) = '\0';
	url = xasprintf("%s%s", t, file);
	free(t);
	return url;
}

/* The i-th name to look for (.tar.xz then .tar.gz); NULL past the last. */
static char *file_name(const struct fetch_ctx *c, size_t i)
{
	static const char *const exts[] = { "xz", "gz" };

	if (c->item)
		return i ? NULL : xstrdup(c->item->name);
	return i < ARRAY_SIZE(exts) ? kver_tarball_name(c->v, exts[i]) : NULL;
}

/* Compare a download with its listed hash; a mismatch is deleted. */
static int check_sum(const char *part, const char *name, const char *url,
		     const char *expected, const char *actual,
		     const char *list)
{
	int ret;

	if (!strcmp(actual, expected))
		return 0;
	unlink(part);
	ret = error(-UKB_ECHECKSUM, "checksum mismatch for '%s' from '%s': "
		    "expected sha256 %s, got %s", name, url, expected, actual);
	hint("the download was deleted; the mirror serves another file than "
	     "its %s lists", list);
	return ret;
}

/* The verified copy of name with that sha256, if the cache has it: 1 (out
 * filled), 0 (not there) or a negative error. */
static int from_cache(struct fetch_ctx *c, const char *expected,
		      const char *name, struct fetched *out)
{
	int ret = dlcache_get(c->dl, expected, name, 1, out, &c->saw_unverified);

	if (ret > 0)
		info("'%s' is in the cache", name);
	return ret;
}

static int save_tmp(struct fetch_ctx *c, const char *name,
		    const struct strbuf *sb, char **path)
{
	int ret;

	*path = path_join(c->tmp, name);
	ret = write_file_atomic(*path, sb->buf, sb->len, 0644);
	if (ret)
		error_errno(ret, "cannot write '%s'", *path);
	return ret;
}

/*
 * kernel.org's get-verified-tarball order: the signed sha256sums.asc, the
 * tarball's checksum against it, then linux-X.tar.sign over the tar.
 * Errors worth trying the next mirror for are described in why, others
 * are reported here.
 */
static int fetch_verified_from(struct fetch_ctx *c, const char *mirror,
			       struct fetched *out, struct strbuf *why)
{
	static const char *const exts[] = { "xz", "gz" };
	struct strbuf sums = STRBUF_INIT, text = STRBUF_INIT;
	struct strbuf sig = STRBUF_INIT;
	char *sums_url = dir_url(mirror, c->v, "sha256sums.asc");
	char *sums_shown = url_redact(sums_url), *url_shown = NULL;
	char *sig_shown = NULL;
	char *sums_path = NULL, *sums_signer = NULL, *name = NULL;
	char *url = NULL, *part = NULL, *sig_url = NULL, *sig_path = NULL;
	char *signer = NULL, *entry_dir = NULL;
	char expected[SHA256_HEX_LEN + 1], actual[SHA256_HEX_LEN + 1];
	const char *ext = NULL;
	int ret, cached = 0;

	ret = get_mem(c->h, sums_url, SUMS_MAX, &sums, why);
	if (!ret)
		ret = save_tmp(c, "sha256sums.asc", &sums, &sums_path);
	if (!ret)
		ret = sigverify_clearsigned(&c->keys, sums_path, sums_shown,
					    &text, &sums_signer);
	if (ret)
		goto out;
	debug("'%s' is signed by %s", sums_shown, sums_signer);
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		free(name);
		ext = exts[i];
		name = kver_tarball_name(c->v, ext);
		ret = sha256sums_lookup("sha256sums.asc", text.buf, text.len,
					 name, expected, NULL);
		if (ret != -UKB_ENOTFOUND)
			break;
	}
	if (ret == -UKB_ENOTFOUND) {
		*strstr(name, ".tar.") = '\0';
		strbuf_addf(why, "'%s' lists no '%s.tar.xz' nor '.tar.gz': no "
			    "such release on this mirror", sums_shown, name);
	}
	if (ret)
		goto out;

	ret = from_cache(c, expected, name, out);
	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	url = kver_tarball_url(mirror, c->v, ext);
	url_shown = url_redact(url);
	entry_dir = path_join(c->dl, expected);
	part = path_join(entry_dir, name);
	if (path_exists(part)) {
		/* from a --no-verify run: the content is right, check it */
		cached = 1;
		ret = sha256_file(part, actual);
		if (ret)
			ret = error_errno(ret, "cannot read '%s'", part);
	} else {
		free(part);
		part = xasprintf("%s/%s.part", c->dl, name);
		info("downloading '%s'", url_shown);
		ret = download(c->h, url, part, name, expected, actual, why);
	}
	if (!ret)
		ret = check_sum(part, name, url_shown, expected, actual,
				"signed sha256sums.asc");
	if (ret)
		goto out;

	free(name);
	name = kver_tarball_name(c->v, "sign");
	sig_url = kver_tarball_url(mirror, c->v, "sign");
	sig_shown = url_redact(sig_url);
	ret = get_mem(c->h, sig_url, SIGN_MAX, &sig, why);
	if (!ret)
		ret = save_tmp(c, name, &sig, &sig_path);
	free(name);
	name = kver_tarball_name(c->v, ext);
	if (!ret)
		ret = sigverify_tarball(&c->keys, sig_path, part, name,
					&signer);
	if (ret == -UKB_ESIGNATURE || ret == -UKB_ESOURCE) {
		/* a bad download is never kept */
		if (cached)
			rmtree(entry_dir);
		else
			unlink(part);
		hint("'%s' was deleted; its signature came from '%s'", name,
		     sig_shown);
	}
	if (!ret)
		ret = dlcache_put(c->dl, part, expected, name, signer, out);
	if (!ret) {
		out->from_cache = cached;
		/* recorded in metadata.json: never the credentials */
		out->url = cached ? NULL : xstrdup(url_shown);
	}
out:
	strbuf_release(&sums);
	strbuf_release(&text);
	strbuf_release(&sig);
	free(sums_url);
	free(sums_shown);
	free(url_shown);
	free(sig_shown);
	free(sums_path);
	free(sums_signer);
	free(name);
	free(url);
	free(part);
	free(sig_url);
	free(sig_path);
	free(signer);
	free(entry_dir);
	return ret;
}

/* --no-verify: .tar.xz, else .tar.gz, stored under its own hash. */
static int fetch_unverified_from(struct fetch_ctx *c, const char *mirror,
				 struct fetched *out, struct strbuf *why)
{
	static const char *const exts[] = { "xz", "gz" };
	struct strbuf first = STRBUF_INIT;
	char actual[SHA256_HEX_LEN + 1];
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		char *name = kver_tarball_name(c->v, exts[i]);
		char *url = kver_tarball_url(mirror, c->v, exts[i]);
		char *part = xasprintf("%s/%s.part", c->dl, name);
		char *shown = url_redact(url);

		info("downloading '%s'", shown);
		ret = download(c->h, url, part, name, NULL, actual, why);
		if (!ret)
			ret = dlcache_put(c->dl, part, actual, name, NULL, out);
		if (!ret)
			out->url = xstrdup(shown);
		free(name);
		free(url);
		free(shown);
		free(part);
		if (ret != -UKB_ENOTFOUND)
			break;
		if (!first.len)
			strbuf_addstr(&first, why->buf);
	}
	if (ret == -UKB_ENOTFOUND && first.len) {
		/* name the .tar.xz, the one people look for */
		strbuf_reset(why);
		strbuf_addstr(why, first.buf);
	}
	strbuf_release(&first);
	return ret;
}

/*
 * fetch_file()'s order: the plain "<name>.sha256" beside the file, the
 * file hashed while it downloads, then "<name>.asc" over the file itself.
 */
static int fetch_item_from(struct fetch_ctx *c, const char *mirror,
			   struct fetched *out, struct strbuf *why)
{
	const char *name = c->item->name;
	size_t mlen = strlen(mirror);
	struct strbuf sums = STRBUF_INIT, sig = STRBUF_INIT;
	char expected[SHA256_HEX_LEN + 1], actual[SHA256_HEX_LEN + 1];
	char *url, *sums_url, *sig_url, *part = NULL, *sig_path = NULL;
	char *sig_name, *signer = NULL, *shown, *sums_shown, *sig_shown;
	int ret;

	while (mlen && mirror[mlen - 1] == '/')
		mlen--;
	url = xasprintf("%.*s/%s%s", (int)mlen, mirror, c->item->dir, name);
	sums_url = xasprintf("%s.sha256", url);
	sig_url = xasprintf("%s.asc", url);
	sig_name = xasprintf("%s.asc", name);
	/* what is printed or recorded carries no credentials */
	shown = url_redact(url);
	sums_shown = url_redact(sums_url);
	sig_shown = url_redact(sig_url);
	ret = get_mem(c->h, sums_url, SIGN_MAX, &sums, why);
	if (!ret) {
		ret = sha256sums_lookup(sums_shown, sums.buf, sums.len, name,
					expected, why);
		if (ret == -UKB_ENOTFOUND)
			strbuf_addf(why, "'%s' does not list '%s'", sums_shown,
				    name);
	}
	if (ret)
		goto out;
	ret = from_cache(c, expected, name, out);
	if (ret) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	part = xasprintf("%s/%s.part", c->dl, name);
	info("downloading '%s'", shown);
	ret = download(c->h, url, part, name, expected, actual, why);
	if (!ret)
		ret = check_sum(part, name, shown, expected, actual, sums_shown);
	if (!ret)
		ret = get_mem(c->h, sig_url, SIGN_MAX, &sig, why);
	if (!ret)
		ret = save_tmp(c, sig_name, &sig, &sig_path);
	if (!ret) {
		ret = sigverify_detached(&c->keys, sig_path, part, name,
					 &signer);
		if (ret == -UKB_ESIGNATURE) {
			unlink(part);  /* a bad download is never kept */
			hint("'%s' was deleted; its signature came from '%s'",
			     name, sig_shown);
		}
	}
	if (!ret)
		ret = dlcache_put(c->dl, part, expected, name, signer, out);
	if (!ret)
		out->url = xstrdup(shown);
out:
	strbuf_release(&sums);
	strbuf_release(&sig);
	free(url);
	free(sums_url);
	free(sig_url);
	free(shown);
	free(sums_shown);
	free(sig_shown);
	free(sig_name);
	free(part);
	free(sig_path);
	free(signer);
	return ret;
}

/* ---- The whole fetch -------------------------------------------------- */

/* The .tar.xz or .tar.gz of the release through by-name/: 1, 0 or error. */
static int cache_lookup_any(struct fetch_ctx *c, int need_verified,
			    struct fetched *out)
{
	char *name;
	int ret = 0;

	for (size_t i = 0; !ret && (name = file_name(c, i)); i++) {
		ret = dlcache_get_by_name(c->dl, name, need_verified, out,
					  &c->saw_unverified);
		free(name);
	}
	return ret;
}

/* Whether by-name/ knows the release at all (for a hint only). */
static int in_cache(struct fetch_ctx *c)
{
	char *name;
	int found = 0;

	for (size_t i = 0; !found && (name = file_name(c, i)); i++) {
		char *link = xasprintf("%s/by-name/%s", c->dl, name);
		struct stat st;

		found = !lstat(link, &st);
		free(link);
		free(name);
	}
	return found;
}

static int fetch_offline(struct fetch_ctx *c, struct fetched *out)
{
	char *name;
	int ret = cache_lookup_any(c, !c->o->no_verify, out);

	if (ret)
		return ret < 0 ? ret : 0;
	name = file_name(c, 0);
	ret = error(-UKB_ENOTFOUND, "'%s' is not in the cache '%s' and "
		    "--offline forbids downloading it", name, c->dl);
	free(name);
	if (c->saw_unverified)
		hint("the cache holds it from a --no-verify download only: run "
		     "once online to check it, or add --no-verify");
	else
		hint("run once without --offline to fill the cache");
	return ret;
}

static int default_keyrings(const struct fetch_ctx *c, struct strvec *files)
{
	char *dir = ukb_data_path(c->item ? c->item->keydir : "keys");
	char *pattern;
	glob_t g;
	int ret = 0;

	pattern = xasprintf("%s/*.asc", dir);
	if (!glob(pattern, 0, NULL, &g)) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			strvec_push(files, g.gl_pathv[i]);
		globfree(&g);
	}
	if (!files->nr) {
		ret = error(-UKB_EUSAGE, "no trusted keys in '%s'", dir);
		hint("pass the release signers' keys with --keyring FILE");
	}
	free(pattern);
	free(dir);
	return ret;
}

static int make_scratch(struct fetch_ctx *c)
{
	c->tmp = xasprintf("%s/tmp-XXXXXX", c->dl);
	if (!mkdtemp(c->tmp)) {
		int ret = -errno;

		error(ret, "cannot create '%s': %s", c->tmp, strerror(errno));
		free(c->tmp);
		c->tmp = NULL;
		return ret;
	}
	tmp_register(c->tmp);
	return 0;
}

static int fetch_online(struct fetch_ctx *c, const char *const *mirrors,
			size_t nr, struct fetched *out)
{
	struct strvec keyfiles = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (!c->o->no_verify) {
		if (c->o->nr_keyrings)
			for (size_t i = 0; i < c->o->nr_keyrings; i++)
				strvec_push(&keyfiles, c->o->keyrings[i]);
		else
			ret = default_keyrings(c, &keyfiles);
		if (!ret)
			ret = sigverify_keys_load(&c->keys, keyfiles.v,
						  keyfiles.nr);
	}
	if (!ret)
		ret = make_scratch(c);
	if (ret)
		goto out;
	c->h = curl_easy_init();
	if (!c->h) {
		ret = error(-ENOMEM, "cannot start libcurl");
		goto out;
	}
	if (c->item)
		curl_easy_setopt(c->h, CURLOPT_PRIVATE, (void *)"the mirror");
	for (size_t i = 0; i < nr; i++) {
		strbuf_reset(&why);
		if (c->item)
			ret = fetch_item_from(c, mirrors[i], out, &why);
		else if (c->o->no_verify)
			ret = fetch_unverified_from(c, mirrors[i], out, &why);
		else
			ret = fetch_verified_from(c, mirrors[i], out, &why);
		if (!ret || !why.len)
			break;  /* done, or a failure already reported */
		if (i + 1 < nr) {
			char *next = url_redact(mirrors[i + 1]);

			warning("%s", why.buf);
			info("trying the next mirror, '%s'", next);
			free(next);
			continue;
		}
		error(ret, "%s", why.buf);
		if (ret == -UKB_ENETWORK && in_cache(c))
			hint("the cache holds a copy: --offline uses it "
			     "without the network");
	}
out:
	strvec_clear(&keyfiles);
	strbuf_release(&why);
	return ret;
}

/* Mirrors checked, under the cache lock lockname: cache, then network. */
static int fetch_run(struct fetch_ctx *c, const char *const *mirrors,
		     size_t nr, const char *lockname, const char *label,
		     struct fetched *out)
{
	struct cache_lock lk = { .fd = -1 };
	const struct fetch_opts *o = c->o;
	int ret;

	for (size_t i = 0; !o->offline && i < nr; i++) {
		const char *why = fetch_url_refused(mirrors[i]);

		if (why) {
			char *shown = url_redact(mirrors[i]);

			ret = error(-UKB_EUSAGE, "refusing mirror '%s': %s",
				    shown, why);
			free(shown);
			return ret;
		}
	}
	c->dl = cache_dir("downloads");
	if (!c->dl)
		return -UKB_EHOST;
	/* one run per release at a time: the other waits, then finds it */
	ret = cache_lock(lockname, &lk);
	if (ret)
		goto out;
	if (o->no_verify)
		warning("--no-verify: '%s' is used without checking its "
			"checksum or signature", label);
	if (o->offline) {
		ret = fetch_offline(c, out);
	} else {
		ret = o->no_verify ? cache_lookup_any(c, 0, out) : 0;
		if (!ret)
			ret = fetch_online(c, mirrors, nr, out);
		else if (ret > 0)
			ret = 0;
	}
out:
	if (c->h)
		curl_easy_cleanup(c->h);
	if (c->tmp) {
		rmtree(c->tmp);
		tmp_forget(c->tmp);
		free(c->tmp);
	}
	sigverify_keys_release(&c->keys);
	cache_unlock(&lk);
	free(c->dl);
	if (ret)
		fetched_release(out);
	return ret;
}

int fetch_tarball(const struct kver *v, const struct fetch_opts *o,
		  struct fetched *out)
{
	static const char *const defaults[] = { FETCH_DEFAULT_MIRROR };
	struct fetch_ctx c = { .v = v, .o = o };
	const char *const *mirrors = o->nr_mirrors ? o->mirrors : defaults;
	size_t nr = o->nr_mirrors ? o->nr_mirrors : 1;
	char ver[48], *lockname, *label;
	int ret;

	memset(out, 0, sizeof(*out));
	kver_format(v, ver, sizeof(ver));
	if (v->rc) {
		ret = error(-UKB_EUSAGE, "kernel.org publishes no tarballs of "
			    "-rc releases such as '%s'", ver);
		hint("build it from git with --git URL --ref v%s", ver);
		return ret;
	}
	lockname = xasprintf("download-linux-%s", ver);
	label = xasprintf("linux-%s", ver);
	ret = fetch_run(&c, mirrors, nr, lockname, label, out);
	free(lockname);
	free(label);
	return ret;
}

int fetch_file(const struct fetch_item *it, const struct fetch_opts *o,
	       struct fetched *out)
{
	const char *const defaults[] = { it->default_mirror };
	struct fetch_opts fo = *o;
	struct fetch_ctx c = { .item = it, .o = &fo };
	const char *const *mirrors = o->nr_mirrors ? o->mirrors : defaults;
	size_t nr = o->nr_mirrors ? o->nr_mirrors : 1;
	char *lockname;
	int ret;

	memset(out, 0, sizeof(*out));
	fo.no_verify = 0;
	lockname = xasprintf("download-%s", it->name);
	ret = fetch_run(&c, mirrors, nr, lockname, it->name, out);
	free(lockname);
	return ret;
}

int fetch_small(const char *url, size_t max, struct strbuf *out)
{
	struct strbuf why = STRBUF_INIT;
	const char *refused = fetch_url_refused(url);
	CURL *h;
	int ret;

	if (refused) {
		char *shown = url_redact(url);

		ret = error(-UKB_EUSAGE, "refusing mirror '%s': %s", shown,
			    refused);
		free(shown);
		return ret;
	}
	h = curl_easy_init();
	if (!h)
		return error(-ENOMEM, "cannot start libcurl");
	curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)"the mirror");
	ret = get_mem(h, url, max, out, &why);
	if (ret && why.len)
		error(ret, "%s", why.buf);
	curl_easy_cleanup(h);
	strbuf_release(&why);
	return ret;
}

void fetched_release(struct fetched *f)
{
	free(f->path);
	free(f->url);
	free(f->signer);
	memset(f, 0, sizeof(*f));
}

void fetch_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_global_cleanup(void)
{
	curl_global_cleanup();
}
