/*
 * A throw-away OpenPGP signing key in a private GNUPGHOME, for the unit
 * tests of sigverify and fetch. gpg runs through proc.h like everything
 * else; the user's ~/.gnupg is never touched. Header-only: each test
 * program is built from one .c file.
 */
#ifndef UKB_TEST_GPG_FIXTURE_H
#define UKB_TEST_GPG_FIXTURE_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fsutil.h"
#include "base/proc.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/wrapper.h"

struct gpgfx {
	char *home;     /* GNUPGHOME */
	char *pub;      /* armored public key file */
	char *fpr;      /* primary key fingerprint */
};

/* Run gpg with home as GNUPGHOME; args up to NULL. 0 on success. */
static int gpgfx_run(const char *home, struct strbuf *capture, ...)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct proc p = { .quiet_log = 1, .timeout_ms = 120000 };
	const char *a;
	va_list ap;
	int ret;

	strvec_pushl(&argv, "gpg", "--batch", "--quiet", "--no-tty",
		     "--homedir", home, NULL);
	va_start(ap, capture);
	while ((a = va_arg(ap, const char *)))
		strvec_push(&argv, a);
	va_end(ap);
	strvec_pushf(&env, "GNUPGHOME=%s", home);
	strvec_push(&env, "LC_ALL=C");
	p.argv = argv.v;
	p.env = env.v;
	p.capture = capture;
	ret = proc_run(&p);
	strvec_clear(&argv);
	strvec_clear(&env);
	return ret;
}

/* A new key called name, its home and public key under dir. */
static int gpgfx_init(struct gpgfx *g, const char *dir, const char *name)
{
	struct strbuf out = STRBUF_INIT;
	char *uid = xasprintf("umlkbuild unit test %s <%s@umlkbuild.invalid>",
			      name, name);
	char *email = xasprintf("<%s@umlkbuild.invalid>", name);
	const char *fpr;
	int ret;

	memset(g, 0, sizeof(*g));
	g->home = xasprintf("%s/%s-home", dir, name);
	g->pub = xasprintf("%s/%s.asc", dir, name);
	ret = mkdir_p(g->home, 0700);
	if (!ret)
		ret = gpgfx_run(g->home, NULL, "--passphrase", "",
				"--quick-gen-key", uid, "ed25519", "sign",
				"never", NULL);
	if (!ret)
		ret = gpgfx_run(g->home, NULL, "--armor", "--output", g->pub,
				"--export", email, NULL);
	if (!ret)
		ret = gpgfx_run(g->home, &out, "--with-colons", "--list-keys",
				email, NULL);
	fpr = ret ? NULL : strstr(out.buf, "\nfpr:");
	if (fpr) {
		/* fpr:::::::::<FINGERPRINT>: */
		const char *start = fpr + 1;

		for (int i = 0; i < 9 && start; i++) {
			start = strchr(start, ':');
			if (start)
				start++;
		}
		if (start)
			g->fpr = xstrndup(start, strcspn(start, ":"));
	}
	if (!ret && !g->fpr)
		ret = -1;
	strbuf_release(&out);
	free(uid);
	free(email);
	return ret;
}

static int gpgfx_detach_sign(const struct gpgfx *g, const char *file,
			     const char *sig)
{
	char *user = xasprintf("%s!", g->fpr);
	int ret = gpgfx_run(g->home, NULL, "--yes", "--local-user", user,
			    "--armor", "--output", sig, "--detach-sign", file,
			    NULL);

	free(user);
	return ret;
}

static int gpgfx_clearsign(const struct gpgfx *g, const char *file,
			   const char *out)
{
	char *user = xasprintf("%s!", g->fpr);
	int ret = gpgfx_run(g->home, NULL, "--yes", "--local-user", user,
			    "--output", out, "--clearsign", file, NULL);

	free(user);
	return ret;
}

static void gpgfx_release(struct gpgfx *g)
{
	const char *argv[] = { "gpgconf", "--homedir", g->home, "--kill",
			       "all", NULL };
	struct strbuf sink = STRBUF_INIT;

	if (g->home)
		proc_capture(argv, &sink);
	strbuf_release(&sink);
	free(g->home);
	free(g->pub);
	free(g->fpr);
	memset(g, 0, sizeof(*g));
}

/* Run a tool (tar, xz, gzip) quietly; 0 on success. */
static int fx_tool(const char *first, ...)
{
	struct strvec argv = STRVEC_INIT;
	struct proc p = { .quiet_log = 1, .timeout_ms = 120000 };
	const char *a = first;
	va_list ap;
	int ret;

	va_start(ap, first);
	for (; a; a = va_arg(ap, const char *))
		strvec_push(&argv, a);
	va_end(ap);
	p.argv = argv.v;
	ret = proc_run(&p);
	strvec_clear(&argv);
	return ret;
}

#endif
