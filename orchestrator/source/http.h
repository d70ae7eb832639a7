/*
 * Transfers through libcurl (http.c is the only file that includes
 * curl/curl.h): which URLs may serve as mirrors or git remotes, URLs
 * without their credentials for messages, and GETs into memory or into a
 * resumable .part file, retried on transient failures. Failures worth
 * trying another mirror for are described in a strbuf why, not printed.
 */
#ifndef UKB_HTTP_H
#define UKB_HTTP_H

#include <stddef.h>

#include "base/strbuf.h"

/*
 * Whether url may serve as a mirror: https://, file://, or http:// to a
 * loopback host (127.0.0.0/8, ::1, localhost). NULL when allowed, else a
 * static reason. Pure.
 */
const char *fetch_url_refused(const char *url);

/*
 * Whether url may serve as a git remote: https://, file://, a local path,
 * or http:// or git:// to a loopback host. ssh:// and scp-like HOST:PATH
 * are refused. NULL when allowed, else a static reason. Pure.
 */
const char *fetch_git_url_refused(const char *url);

/*
 * url without its userinfo ("https://user:pass@host/x" gives
 * "https://host/x"; git's "user@host:path" gives "host:path"), for every
 * message, log line and metadata field that shows a URL. Anything else is
 * returned as it is. Caller frees.
 */
char *url_redact(const char *url);

/* One connection, reused for the requests of a fetch. */
struct http;

/*
 * NULL when libcurl cannot start. publisher is who a 404 names ("the
 * mirror"); NULL names kernel.org.
 */
struct http *http_new(const char *publisher);
void http_free(struct http *h);
/*
 * GET url into out (reset first), at most max bytes. Returns 0,
 * -UKB_ENOTFOUND, -UKB_ENETWORK (both described in why), -UKB_EINTR or
 * -errno (reported).
 */
int http_get(struct http *h, const char *url, size_t max, struct strbuf *out,
	     struct strbuf *why);
/*
 * Download url into the .part file part, resuming what is there, with
 * title for the progress meter; actual gets its sha256. A resumed file
 * that does not end up with expected (when given) is downloaded once more
 * from the start. Returns as http_get(); an interrupted part stays.
 */
int http_download(struct http *h, const char *url, const char *part,
		  const char *title, const char *expected, char actual[65],
		  struct strbuf *why);

/*
 * GET url (a mirror checked with fetch_url_refused()) into out, at most
 * max bytes. Returns 0, -UKB_ENOTFOUND, -UKB_ENETWORK, -UKB_EUSAGE or
 * -UKB_EINTR, reported once.
 */
int fetch_small(const char *url, size_t max, struct strbuf *out);

/* libcurl's process-wide set-up and tear-down; main calls them once. */
void fetch_global_init(void);
void fetch_global_cleanup(void);

/* Pause before retry n (1, 2, ...) of a transient failure: base << (n-1). */
extern unsigned fetch_retry_base_ms;

#endif
