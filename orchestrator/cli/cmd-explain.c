/*
 * `umlkbuild explain` on a configured build directory, and the hints under
 * a failed config check that point at it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/strvec.h"
#include "base/wrapper.h"
#include "cli/cmd.h"
#include "configure/explain.h"
#include "configure/hints.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "configure/kdecl.h"
#include "base/banned.h"

struct elsewhere {
	const char *name;
	size_t skip;         /* the tree's path and its slash */
	struct strvec *hits; /* "FILE:LINE" */
};

static void find_decl(const char *path, unsigned line, const char *w,
		      size_t len, void *data)
{
	struct elsewhere *ew = data;

	if (len == strlen(ew->name) && !memcmp(w, ew->name, len))
		strvec_pushf(ew->hits, "%s:%u", path + ew->skip, line);
}

/* A symbol no file of the tree defines: say whether an unread one does. */
static int undefined(const char *srcdir, const char *name, const char *arch)
{
	struct strvec hits = STRVEC_INIT;
	/* the walk does not follow links, the "source" link of O= included */
	char *real = realpath(srcdir, NULL);
	const char *top = real ? real : srcdir;
	struct elsewhere ew = { name, strlen(top) + 1, &hits };
	int ret;

	kc_walk_decls(top, find_decl, &ew);
	free(real);
	if (!hits.nr) {
		ret = error(-UKB_ECONFIG, "CONFIG_%s is defined in no Kconfig file of '%s'",
			    name, srcdir);
	} else {
		char *where = strvec_join(&hits, ", ");

		ret = error(-UKB_ECONFIG, "CONFIG_%s is defined only in Kconfig files that ARCH=%s does not read: %s",
			    name, arch, where);
		free(where);
	}
	strvec_clear(&hits);
	return ret;
}

/* The arch a .config's header names; "um" when it names none. */
static char *config_arch(const char *text)
{
	const char *p = strstr(text, "\n# Linux/"), *e;

	if (!p)
		return xstrdup("um");
	p += 9;
	for (e = p; *e && !isspace((unsigned char)*e); e++)
		;
	return e > p ? xstrndup(p, (size_t)(e - p)) : xstrdup("um");
}

/* "CONFIG_X=V", "X=V", "X": name into *name (caller frees), value or NULL. */
static int parse_arg(const char *arg, char **name, const char **want)
{
	const char *eq = strchr(arg, '='), *p = arg;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

	if (len > 7 && !strncmp(arg, "CONFIG_", 7)) {
		p += 7;
		len -= 7;
	}
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			len = 0;
	if (!len || (eq && !eq[1]))
		return error(-UKB_EUSAGE, "'%s' is not CONFIG_X or CONFIG_X=VALUE",
			     arg);
	*name = xstrndup(p, len);
	*want = eq ? eq + 1 : NULL;
	return 0;
}

/* The kernel tree: dir itself, or the one its 'source' link points to. */
static int find_srcdir(const char *dir, char **srcdir)
{
	*srcdir = path_join(dir, "Kconfig");
	if (path_exists(*srcdir)) {
		free(*srcdir);
		*srcdir = xstrdup(dir);
		return 0;
	}
	free(*srcdir);
	*srcdir = path_join(dir, "source/Kconfig");
	if (!path_exists(*srcdir))
		return error(-UKB_EUSAGE, "'%s' is neither a kernel tree nor a build directory with a 'source' link to one",
			     dir);
	free(*srcdir);
	*srcdir = path_join(dir, "source");
	return 0;
}

static int explain_cmd(int argc, char **argv)
{
	const char *dir = ".";
	char *cfg_path = NULL, *srcdir = NULL, *arch = NULL;
	struct strbuf text = STRBUF_INIT, out = STRBUF_INIT;
	struct kc_set config = KC_SET_INIT;
	struct strvec vars = STRVEC_INIT;
	struct ktree t = KTREE_INIT;
	struct opt_parser p;
	int ret = 0, failed = 0;

	opts_begin(&p, &cmd_explain, argc, argv);
	while (opts_next(&p))
		dir = p.arg;    /* -C, its one option */
	ret = opts_end(&p);
	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	if (optind >= argc) {
		error(-UKB_EUSAGE, "explain needs a symbol: CONFIG_X or CONFIG_X=VALUE");
		hint("see 'umlkbuild explain --help'");
		return -UKB_EUSAGE;
	}
	cfg_path = path_join(dir, ".config");
	ret = read_input_file(&text, cfg_path, UKB_INPUT_MAX, ".config");
	if (ret) {
		hint("give a configured kernel build directory with -C DIR");
		goto out;
	}
	kc_parse_config(&config, cfg_path, text.buf, text.len);
	ret = find_srcdir(dir, &srcdir);
	if (ret)
		goto out;
	arch = config_arch(text.buf);
	explain_tree_vars(arch, &vars);
	ret = ktree_load(&t, srcdir, vars.v);
	for (int i = optind; !ret && i < argc; i++) {
		char *name = NULL;
		const char *want = NULL;

		ret = parse_arg(argv[i], &name, &want);
		if (ret)
			break;
		if (explain_symbol(&t, &config, name, want, &out)) {
			undefined(srcdir, name, arch);
			failed = 1;
		} else {
			/* the tree's text: no escape sequence reaches the terminal */
			struct strbuf q = STRBUF_INIT;

			quote_ctrl_lines(&q, out.buf, out.len);
			fputs(q.buf, stdout);
			strbuf_release(&q);
			if (i + 1 < argc)
				putchar('\n');
		}
		strbuf_reset(&out);
		free(name);
	}
	if (!ret && failed)
		ret = -UKB_ECONFIG;
out:
	ktree_release(&t);
	strvec_clear(&vars);
	kc_set_release(&config);
	strbuf_release(&text);
	strbuf_release(&out);
	free(cfg_path);
	free(srcdir);
	free(arch);
	return ret;
}

static const struct opt explain_opts[] = {
	{ "directory", 1, 'C', required_argument, "DIR",
	  "the configured kernel build directory (default .)" },
	OPT_END,
};

const struct cmd cmd_explain = {
	.name = "explain",
	.fn = explain_cmd,
	.help = "why a Kconfig symbol has its value, and what keeps it from another",
	.usage = "usage: umlkbuild explain [-C DIR] CONFIG_X[=VALUE]...\n"
		 "\nFor each symbol, from the configured kernel build directory DIR\n"
		 "(default .; its .config, and the tree at DIR or DIR/source): its\n"
		 "value, type, where it is defined, every condition on it with the\n"
		 "values of the symbols it names, what selects or implies it, and\n"
		 "which of those keep it from VALUE (without one, a summary).\n"
		 "Exit 5 when a symbol is defined in no Kconfig file the tree reads.\n"
		 "\noptions:\n",
	.opts = explain_opts,
};
