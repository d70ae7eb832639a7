#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cache.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/opts.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "cli/cmd.h"
#include "base/banned.h"

/* getopt_long's val for the i-th entry; letters stay below it */
#define LONG_BASE 0x10000

enum { G_CACHE = 1, G_QUIET, G_VERBOSE, G_HELP, G_LIST };

/* taken by every command, wherever they stand */
static const struct opt globals[] = {
	{ "cache", G_CACHE, 0, required_argument, "DIR", NULL },
	{ "quiet", G_QUIET, 'q', no_argument, NULL, NULL },
	{ "verbose", G_VERBOSE, 'v', no_argument, NULL, NULL },
	{ "help", G_HELP, 'h', no_argument, NULL, NULL },
	{ "list-options", G_LIST, 0, no_argument, NULL, NULL },
};

static int is_global(const struct opt *e)
{
	return e >= globals && e < globals + ARRAY_SIZE(globals);
}

static const struct opt *find_clash(const struct opt *t, const struct opt *g)
{
	for (; t->name || t->help; t++)
		if (t->name && (!strcmp(t->name, g->name) ||
				(g->short_name && t->short_name == g->short_name)))
			return t;
	return NULL;
}

static void add_entry(struct opt_parser *p, size_t *n, const struct opt *e)
{
	p->entries[*n] = e;
	p->longopts[*n] = (struct option){ e->name, e->has_arg, NULL,
					   LONG_BASE + (int)*n };
	if (e->short_name) {
		strbuf_addch(&p->shortopts, e->short_name);
		if (e->has_arg == required_argument)
			strbuf_addch(&p->shortopts, ':');
	}
	(*n)++;
}

void opts_begin(struct opt_parser *p, const struct cmd *cmd, int argc,
		char **argv)
{
	size_t n = 0, max = ARRAY_SIZE(globals) + 1;
	const struct opt *t;

	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	for (t = cmd->opts; t->name || t->help; t++)
		max++;
	p->entries = xcalloc(max, sizeof(*p->entries));
	p->longopts = xcalloc(max, sizeof(*p->longopts));
	strbuf_init(&p->shortopts, 32);
	strbuf_addstr(&p->shortopts, cmd->flags & CMD_POSIX ? "+:" : ":");
	for (t = cmd->opts; t->name || t->help; t++)
		if (t->name)
			add_entry(p, &n, t);
	/* a command's own option of the same name wins */
	for (size_t i = 0; i < ARRAY_SIZE(globals); i++)
		if (!find_clash(cmd->opts, &globals[i]))
			add_entry(p, &n, &globals[i]);
	optind = 0;     /* a full restart of getopt's state */
	opterr = 0;
}

static const struct opt *entry_of(const struct opt_parser *p, int c)
{
	if (c >= LONG_BASE)
		return p->entries[c - LONG_BASE];
	for (size_t i = 0; p->longopts[i].name; i++)
		if (p->entries[i]->short_name == c)
			return p->entries[i];
	return NULL;
}

/* A global option, or a command's --help: 0 to go on, else stop. */
static int take_global(struct opt_parser *p, const struct opt *e)
{
	switch (e->id) {
	case G_CACHE:
		cache_set_root(optarg);
		return 0;
	case G_QUIET:
		log_set_verbosity(LOG_QUIET);
		return 0;
	case G_VERBOSE:
		log_set_verbosity(LOG_VERBOSE);
		return 0;
	case G_HELP:
		opts_usage(stdout, p->cmd);
		break;
	default:
		opts_list(stdout, p->cmd);
	}
	p->ret = OPTS_DONE;
	return 1;
}

int opts_next(struct opt_parser *p)
{
	const struct opt *e;
	int c;

	while (!p->ret) {
		c = getopt_long(p->argc, p->argv, p->shortopts.buf, p->longopts,
				NULL);
		if (c == -1)
			return 0;
		e = entry_of(p, c);
		if (!e) {
			p->ret = opts_error(c, p->argv);
			return 0;
		}
		p->arg = optarg;
		if (!is_global(e))
			return e->id;
		if (take_global(p, e))
			return 0;
	}
	return 0;
}

/* "--cache", "--cache=DIR", "-q", "--quiet", "-v", "--verbose" */
static const char *global_word(const char *w)
{
	if (w[0] != '-')
		return NULL;
	for (size_t i = 0; i < 3; i++) {
		const struct opt *g = &globals[i];
		size_t len = strlen(g->name);

		if (w[1] == '-' && !strncmp(w + 2, g->name, len) &&
		    (!w[2 + len] || w[2 + len] == '='))
			return g->name;
		if (g->short_name && w[1] == g->short_name && !w[2])
			return g->name;
	}
	return NULL;
}

int opts_end(struct opt_parser *p)
{
	int ret = p->ret;

	if (!ret && (p->cmd->flags & CMD_POSIX) && optind > 0 &&
	    optind <= p->argc && strcmp(p->argv[optind - 1], "--")) {
		for (int i = optind; i < p->argc; i++) {
			const char *w = p->argv[i];
			int len = (int)strcspn(w, "=");

			if (!global_word(w))
				continue;
			ret = error(-UKB_EUSAGE, "'%.*s' is a global option: put it before the command",
				    len, w);
			hint("umlkbuild %.*s%s %s ...", len, w,
			     strcmp(global_word(w), "cache") ? "" : " DIR",
			     p->cmd->name);
			break;
		}
	}
	free(p->entries);
	free(p->longopts);
	strbuf_release(&p->shortopts);
	p->entries = NULL;
	p->longopts = NULL;
	return ret;
}

int opts_finish(struct opt_parser *p, int max_operands)
{
	int ret = opts_end(p);

	if (ret)
		return ret;
	if (p->argc - optind > max_operands)
		return error(-UKB_EUSAGE, "%s: unexpected argument '%s'",
			     p->cmd->name, p->argv[optind + max_operands]);
	return 0;
}

static void print_help(FILE *f, const char *help, int indent)
{
	const char *nl;

	while ((nl = strchr(help, '\n'))) {
		fprintf(f, "%.*s\n%*s", (int)(nl - help), help, indent, "");
		help = nl + 1;
	}
	fprintf(f, "%s\n", help);
}

void opts_usage(FILE *f, const struct cmd *cmd)
{
	fputs(cmd->usage, f);
	for (const struct opt *t = cmd->opts; t->name || t->help; t++) {
		struct strbuf left = STRBUF_INIT;

		if (!t->name) {
			fprintf(f, "\n%s\n", t->help);
			continue;
		}
		strbuf_addstr(&left, "  ");
		if (t->short_name)
			strbuf_addf(&left, "-%c, ", t->short_name);
		strbuf_addf(&left, "--%s", t->name);
		if (t->arg)
			strbuf_addf(&left, " %s", t->arg);
		if (left.len > 22)
			fprintf(f, "%s\n%24s", left.buf, "");
		else
			fprintf(f, "%-24s", left.buf);
		print_help(f, t->help, 24);
		strbuf_release(&left);
	}
	if (cmd->footer)
		fprintf(f, "\n%s", cmd->footer);
}

void opts_list(FILE *f, const struct cmd *cmd)
{
	const struct opt *t;
	int help = 1;

	for (t = cmd->opts; t->name || t->help; t++) {
		if (!t->name)
			continue;
		if (t->short_name)
			fprintf(f, "-%c\n", t->short_name);
		fprintf(f, "--%s\n", t->name);
		if (!strcmp(t->name, "help"))
			help = 0;
	}
	if (help)
		fputs("-h\n--help\n", f);
}
