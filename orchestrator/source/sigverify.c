#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/proc.h"
#include "base/sigchain.h"
#include "base/wrapper.h"
#include "source/sigverify.h"
#include "source/xzpump.h"
#include "base/banned.h"

#define STATUS_PREFIX "[GNUPG:] "
#define ERRSIG_NO_PUBKEY 9

/* What gpgv said through --status-fd, plus its last line of prose. */
struct gpgv_status {
	int goodsig, badsig, expkeysig, revkeysig, nodata, no_pubkey;
	char *validsig;     /* primary key fingerprint */
	char *keyid;        /* from BADSIG, NO_PUBKEY, ERRSIG, ... */
	struct strbuf prose;
};

/* The start of a key file, refusing a FIFO or a device, bounded. */
static int read_key_head(const char *name, unsigned char *buf, size_t size,
			 size_t *got)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = read_input_file(&sb, name, UKB_INPUT_MAX, "key file");

	*got = sb.len < size ? sb.len : size;
	memcpy(buf, sb.buf, *got);
	strbuf_release(&sb);
	return ret;
}

static void last_line(void *ctx, const char *line, size_t len)
{
	struct strbuf *sb = ctx;

	if (!len)
		return;
	strbuf_reset(sb);
	strbuf_add(sb, line, len);
}

static int is_armored_key(const unsigned char *buf, size_t len)
{
	static const char begin[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

	return memmem(buf, len, begin, sizeof(begin) - 1) != NULL;
}

void sigverify_keys_release(struct sigverify_keys *k)
{
	if (k->home) {
		rmtree(k->home);
		tmp_forget(k->home);
		free(k->home);
		k->home = NULL;
	}
	strvec_clear(&k->rings);
}

static int make_home(struct sigverify_keys *k)
{
	const char *tmp = getenv("TMPDIR");
	char *tpl = xasprintf("%s/umlkbuild-gpg-XXXXXX",
			      tmp && *tmp == '/' ? tmp : "/tmp");

	if (!mkdtemp(tpl)) {
		int ret = error_errno(0, "cannot create a temporary "
				      "directory '%s'", tpl);

		free(tpl);
		return ret;
	}
	k->home = tpl;
	tmp_register(k->home);
	return 0;
}

static int dearmor(const struct sigverify_keys *k, const char *in,
		   const char *out)
{
	struct strbuf last = STRBUF_INIT, why = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	const char *const env[] = { "LC_ALL=C", NULL };
	struct proc p = { .env = env, .on_line = last_line, .ctx = &last,
			  .timeout_ms = 60000 };
	int ret;

	strvec_pushl(&argv, "gpg", "--batch", "--no-options", "--quiet",
		     "--homedir", k->home, "--dearmor", "--output", out, "--",
		     in, NULL);
	p.argv = argv.v;
	ret = proc_run(&p);
	if (ret == -ENOENT) {
		ret = error(-UKB_EHOST, "cannot convert key file '%s': gpg "
			    "is not installed", in);
		hint("install Debian's 'gpg' package, or pass a binary "
		     "keyring with --keyring");
	} else if (ret == -UKB_ECHILD) {
		proc_describe(&p, &why);
		ret = error(-UKB_EUSAGE, "cannot read key file '%s': gpg "
			    "--dearmor %s%s%s", in, why.buf,
			    last.len ? ": " : "", last.buf);
	} else if (ret && ret != -UKB_EINTR) {
		ret = error_errno(ret, "cannot run gpg");
	}
	strvec_clear(&argv);
	strbuf_release(&last);
	strbuf_release(&why);
	return ret;
}

int sigverify_keys_load(struct sigverify_keys *k, const char *const *files,
			size_t nr)
{
	int ret = 0;

	memset(k, 0, sizeof(*k));
	if (!nr) {
		ret = error(-UKB_EUSAGE, "no trusted keys to check signatures "
			    "with");
		hint("pass a key file with --keyring FILE");
		return ret;
	}
	ret = make_home(k);
	for (size_t i = 0; !ret && i < nr; i++) {
		unsigned char head[8192];
		size_t got = 0;
		char *abs = path_absolute(files[i]);

		ret = read_key_head(files[i], head, sizeof(head), &got);
		if (ret) {
			/* said by the reader */
		} else if (got && (head[0] & 0x80)) {
			/* an OpenPGP packet: already a binary keyring */
			strvec_push(&k->rings, abs);
		} else if (is_armored_key(head, got)) {
			char *out = xasprintf("%s/key%zu.gpg", k->home, i);

			ret = dearmor(k, abs, out);
			if (!ret)
				strvec_push(&k->rings, out);
			free(out);
		} else {
			ret = error(-UKB_EUSAGE, "'%s' holds no OpenPGP public "
				    "key", files[i]);
		}
		free(abs);
	}
	return ret;
}

/* Split a status line's words; returns how many (at most max). */
static size_t split_words(char *s, char **words, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		words[n++] = s;
		s += strcspn(s, " ");
	}
	return n;
}

static void on_gpgv_line(void *ctx, const char *line, size_t len)
{
	struct gpgv_status *st = ctx;
	size_t plen = strlen(STATUS_PREFIX), n;
	char *copy, *w[12];
	const char *kw;

	if (len < plen || memcmp(line, STATUS_PREFIX, plen)) {
		last_line(&st->prose, line, len);
		return;
	}
	copy = xstrndup(line + plen, len - plen);
	n = split_words(copy, w, ARRAY_SIZE(w));
	kw = n ? w[0] : "";
	if (n > 1 && (!strcmp(kw, "BADSIG") || !strcmp(kw, "NO_PUBKEY") ||
		      !strcmp(kw, "ERRSIG") || !strcmp(kw, "EXPKEYSIG") ||
		      !strcmp(kw, "REVKEYSIG") || !strcmp(kw, "GOODSIG"))) {
		free(st->keyid);
		st->keyid = xstrdup(w[1]);
	}
	if (!strcmp(kw, "GOODSIG")) {
		st->goodsig = 1;
	} else if (!strcmp(kw, "BADSIG")) {
		st->badsig = 1;
	} else if (!strcmp(kw, "EXPKEYSIG")) {
		st->expkeysig = 1;
	} else if (!strcmp(kw, "REVKEYSIG")) {
		st->revkeysig = 1;
	} else if (!strcmp(kw, "NO_PUBKEY")) {
		st->no_pubkey = 1;
	} else if (!strcmp(kw, "NODATA")) {
		st->nodata = 1;
	} else if (!strcmp(kw, "ERRSIG")) {
		/* ERRSIG keyid pkalgo hashalgo class time rc [fpr] */
		if (n > 6 && atoi(w[6]) == ERRSIG_NO_PUBKEY)
			st->no_pubkey = 1;
	} else if (!strcmp(kw, "VALIDSIG") && n > 1) {
		/* VALIDSIG fpr date ts expire ver reserved pk hash class
		 * [primary-fpr]: the primary key names the signer */
		free(st->validsig);
		st->validsig = xstrdup(n > 10 ? w[10] : w[1]);
	}
	free(copy);
}

/* What feeds gpgv's stdin, and its verdict once gpgv is done. */
struct gpgv_feed {
	int fd;
	int (*finish)(struct gpgv_feed *f);  /* 0 or an error, reported */
	struct xzpump *xz;
	const char *what;
};

/*
 * Run gpgv on args (after the keyrings), its stdin from feed when given,
 * and judge its verdict (after the feed's, which outranks it).
 */
static int run_gpgv_in(const struct sigverify_keys *k, struct strvec *args,
		       const char *what, char **signer, struct gpgv_feed *feed)
{
	struct gpgv_status st = { .prose = STRBUF_INIT };
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct proc p = { .on_line = on_gpgv_line, .ctx = &st };
	const char *key;
	int ret;

	strvec_pushl(&argv, "gpgv", "--homedir", k->home, "--status-fd", "1",
		     NULL);
	for (size_t i = 0; i < k->rings.nr; i++)
		strvec_pushl(&argv, "--keyring", k->rings.v[i], NULL);
	strvec_pushv(&argv, args->v);
	strvec_push(&env, "LC_ALL=C");
	strvec_pushf(&env, "GNUPGHOME=%s", k->home);
	p.argv = argv.v;
	p.env = env.v;
	p.stdin_fd = feed ? feed->fd : -1;

	ret = proc_run(&p);
	key = st.keyid ? st.keyid : "unknown";
	if (feed && ret != -UKB_EINTR && ret != -ENOENT) {
		int fret = feed->finish(feed);

		if (fret)
			ret = fret;
	}
	if (ret == -UKB_ESOURCE) {
		/* the feed said why */
	} else if (ret == -ENOENT) {
		ret = error(-UKB_EHOST, "cannot check the signature on '%s': "
			    "gpgv is not installed", what);
		hint("install Debian's 'gpgv' package");
	} else if (ret == -UKB_EINTR) {
		/* unwinding; main reports the signal */
	} else if (ret && ret != -UKB_ECHILD) {
		ret = error_errno(ret, "cannot run gpgv");
	} else if (st.badsig) {
		ret = error(-UKB_ESIGNATURE, "bad signature on '%s' by key %s: "
			    "the file is not what was signed", what, key);
	} else if (st.expkeysig || st.revkeysig) {
		ret = error(-UKB_ESIGNATURE, "'%s' is signed by key %s, which "
			    "has %s", what, key,
			    st.revkeysig ? "been revoked" : "expired");
	} else if (st.no_pubkey) {
		ret = error(-UKB_ESIGNATURE, "'%s' is signed by key %s, which "
			    "is not in the trusted keyrings", what, key);
		hint("pass the signer's key with --keyring FILE if you trust "
		     "it");
	} else if (st.nodata) {
		ret = error(-UKB_ESIGNATURE, "no OpenPGP signature found in "
			    "'%s'", what);
	} else if (!st.goodsig) {
		ret = error(-UKB_ESIGNATURE, "no valid OpenPGP signature on "
			    "'%s'%s%s", what, st.prose.len ? ": " : "",
			    st.prose.buf);
	} else if (ret || !st.validsig) {
		proc_describe(&p, &why);
		ret = error(-UKB_ESIGNATURE, "cannot verify '%s': gpgv %s%s%s",
			    what, why.buf, st.prose.len ? ": " : "",
			    st.prose.buf);
	} else {
		debug("good signature on '%s' by %s", what, st.validsig);
		if (signer) {
			*signer = st.validsig;
			st.validsig = NULL;
		}
	}
	free(st.validsig);
	free(st.keyid);
	strbuf_release(&st.prose);
	strbuf_release(&why);
	strvec_clear(&argv);
	strvec_clear(&env);
	return ret;
}

static int run_gpgv(const struct sigverify_keys *k, struct strvec *args,
		    const char *what, char **signer)
{
	return run_gpgv_in(k, args, what, signer, NULL);
}

int sigverify_clearsigned(const struct sigverify_keys *k, const char *path,
			  const char *what, struct strbuf *text,
			  char **signer)
{
	struct strvec args = STRVEC_INIT;
	char *out = xasprintf("%s/clearsigned.txt", k->home);
	int ret;

	unlink(out);
	strvec_pushl(&args, "--output", out, "--", path, NULL);
	ret = run_gpgv(k, &args, what, signer);
	if (!ret) {
		ret = strbuf_read_file(text, out);
		if (ret)
			error_errno(ret, "cannot read '%s'", out);
	}
	unlink(out);
	free(out);
	strvec_clear(&args);
	return ret;
}

int sigverify_detached(const struct sigverify_keys *k, const char *sig,
		       const char *data, const char *what, char **signer)
{
	struct strvec args = STRVEC_INIT;
	int ret;

	strvec_pushl(&args, "--", sig, data, NULL);
	ret = run_gpgv(k, &args, what, signer);
	strvec_clear(&args);
	return ret;
}

/* The decoder's verdict: a damaged stream is a bad source, whatever gpgv
 * made of the part it read. */
static int feed_finish(struct gpgv_feed *f)
{
	const char *why = NULL;
	int err = 0;

	switch (xzpump_finish(f->xz, &why, &err)) {
	case XZPUMP_OK:
		return 0;
	case XZPUMP_FAILED:
		return error(-UKB_ESOURCE, "cannot decompress '%s': %s",
			     f->what, err ? ukb_strerror(err) : why);
	default:
		return error(-UKB_ESOURCE, "'%s' does not decompress: %s",
			     f->what, why);
	}
}

/*
 * The signature covers the uncompressed tar: decode it with liblzma or
 * zlib (xzpump) straight into gpgv's stdin, one pass and no temporary
 * file. gpgv's verdict counts only when the stream also decoded cleanly
 * to its end.
 */
int sigverify_tarball(const struct sigverify_keys *k, const char *sig,
		      const char *tarball, const char *what, char **signer)
{
	struct gpgv_feed feed = { .finish = feed_finish };
	struct strvec args = STRVEC_INIT;
	struct xzpump *xz = NULL;
	enum xzpump_codec codec;
	int fd, plain = -1, ret;

	fd = open(tarball, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_errno(-errno, "cannot read '%s'", tarball);
	codec = xzpump_detect(fd);
	if (codec == XZPUMP_NONE) {
		close(fd);
		return sigverify_detached(k, sig, tarball, what, signer);
	}
	ret = xzpump_start(&xz, fd, codec, &plain);
	if (ret) {
		close(fd);
		return error_errno(ret, "cannot decompress '%s'", what);
	}
	info("checking the signature on the uncompressed '%s'", what);
	feed.fd = plain;
	feed.xz = xz;
	feed.what = what;
	strvec_pushl(&args, "--", sig, "-", NULL);
	ret = run_gpgv_in(k, &args, what, signer, &feed);
	xzpump_free(xz);
	close(fd);
	strvec_clear(&args);
	return ret;
}
