/*
 * Transfers through libcurl, the only file that includes curl/curl.h: the
 * mirror URL policy and redaction (judged by curl's own URL parser), GETs
 * into memory, and downloads into a .part file with retry and resume.
 * See http.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/sha256.h"
#include "base/sigchain.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "source/dlcache.h"
#include "source/http.h"
#include "base/banned.h"

#ifndef UKB_VERSION
#define UKB_VERSION "0"
#endif

#define TRIES 3

unsigned fetch_retry_base_ms = 1000;

struct http {
	CURL *curl;
};

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
		x->write_err = write_in_full(x->fd, ptr, len);
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

/*
 * Map a finished request to 0 or an error code with why filled in. Long
 * because it is one table: each libcurl result and HTTP status with its
 * words, read best in one place.
 */
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
		return error_errno(x->write_err ? x->write_err : -EIO,
				   "cannot save '%s'", x->shown);
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

/* ---- Downloads into a .part file -------------------------------------- */

static int download_once(CURL *h, const char *url, const char *part,
			 const char *title, char actual[65], int *resumed,
			 struct strbuf *why)
{
	struct xfer x = { .h = h, .url = url, .fd = -1, .title = title };
	char *shown = url_redact(url);
	int ret, restarted = 0;

	ret = dlcache_part_open(part, &x.fd, &x.hash, &x.base);
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
		ret = dlcache_part_restart(part, x.fd, &x.hash);
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

/* ---- The handle -------------------------------------------------------- */

struct http *http_new(const char *publisher)
{
	CURL *curl = curl_easy_init();
	struct http *h;

	if (!curl)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->curl = curl;
	if (publisher)
		curl_easy_setopt(curl, CURLOPT_PRIVATE, (void *)publisher);
	return h;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

int http_get(struct http *h, const char *url, size_t max, struct strbuf *out,
	     struct strbuf *why)
{
	return get_mem(h->curl, url, max, out, why);
}

int http_download(struct http *h, const char *url, const char *part,
		  const char *title, const char *expected, char actual[65],
		  struct strbuf *why)
{
	return download(h->curl, url, part, title, expected, actual, why);
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

void fetch_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void fetch_global_cleanup(void)
{
	curl_global_cleanup();
}
