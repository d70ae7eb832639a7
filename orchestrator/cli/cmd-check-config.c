/* `umlkbuild check-config`: a .config against the required symbols. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/scope.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "base/version.h"
#include "cli/args.h"
#include "cli/cmd.h"
#include "compile/kbuild.h"
#include "configure/configure.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "base/banned.h"

enum { O_VERSION = 1, O_ARCH, O_FRAGMENT, O_JSON };

static const struct opt check_config_opts[] = {
	{ "version", O_VERSION, 0, required_argument, "V",
	  "the kernel version the .config is for (default: what it names)" },
	{ "arch", O_ARCH, 0, required_argument, "A",
	  "x86_64 or i386 (default: what the .config was made for)" },
	{ "fragment", O_FRAGMENT, 0, required_argument, "F",
	  "also check a fragment's symbols, as warnings (repeatable)" },
	{ "json", O_JSON, 0, no_argument, NULL,
	  "print the verdicts as one JSON document" },
	OPT_END,
};

/* check-config --json: one document, the verdicts in the report's order. */
static void print_check_json(const char *file, const struct kver *v,
			     unsigned arch, const struct kc_report *rep)
{
	struct manifest *m = manifest_new();
	char ver[48], *text;

	kver_format(v, ver, sizeof(ver));
	manifest_set_str(m, "config", file);
	manifest_set_str(m, "version", ver);
	manifest_set_str(m, "arch", kbuild_arch_name(arch));
	manifest_set_bool(m, "ok", !rep->required_failed);
	manifest_set_int(m, "required_failed", (long long)rep->required_failed);
	manifest_set_int(m, "warnings", (long long)rep->warnings);
	manifest_pack(m, "symbols", "[]");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct kc_result *r = &rep->r[i];

		manifest_append(m, "symbols", "{s:s, s:b, s:s, s:s?, s:b, s:s, s:i}",
				"name", r->name, "required", r->required,
				"requested", r->requested, "actual", r->actual,
				"ok", r->ok, "file", r->file, "line", (int)r->line);
	}
	text = manifest_dumps(m);
	if (text)
		fputs(text, stdout);
	free(text);
	manifest_free(m);
}

/*
 * What the .config itself says of what --version and --arch did not:
 * v and arch are NULL when given on the command line.
 */
static void guess_target(const struct kc_set *config, const char *text,
			 const char *file, struct kver *v, unsigned *arch)
{
	if (arch) {
		/* a UML .config says which sub-arch it was made for */
		const struct kc_entry *e32 = kc_find(config, "CONFIG_X86_32");

		if (e32 && !strcmp(e32->value, "y"))
			*arch = ARCH_I386;
	}
	if (v) {
		/* "# Linux/um 6.1.192 Kernel Configuration" */
		const char *p = strstr(text, "# Linux/");
		int have_version = 0;

		if (p && (p = strchr(p + 8, ' ')) && p[1]) {
			const char *e = strchr(p + 1, ' ');

			if (e && !kver_parse(p + 1, (size_t)(e - p - 1), v, NULL))
				have_version = 1;
		}
		if (!have_version)
			warning("'%s' names no kernel version; checking as 6.1 (use --version)",
				file);
	}
}

/* The --fragment files, merged in order into requested. */
static int read_fragments(const struct strvec *frags, struct kc_set *requested)
{
	int ret = 0;

	for (size_t i = 0; i < frags->nr && !ret; i++) {
		struct strbuf fb = STRBUF_INIT;
		struct kc_set f = KC_SET_INIT;

		ret = read_input_file(&fb, frags->v[i], UKB_INPUT_MAX,
				      "fragment");
		if (!ret)
			ret = kc_parse_fragment(&f, frags->v[i], fb.buf, fb.len, NULL);
		if (!ret)
			kc_merge(requested, &f);
		kc_set_release(&f);
		strbuf_release(&fb);
	}
	return ret;
}

static int check_config_cmd(int argc, char **argv)
{
	struct kver v = { 6, 1, 0, 0 };
	unsigned arch = ARCH_X86_64;
	struct strvec frags = STRVEC_INIT;
	struct kc_set config = KC_SET_INIT, requested = KC_SET_INIT;
	struct kc_required req = { 0 };
	struct kc_report rep = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *why, *file;
	struct opt_parser op;
	int c, ret = 0, have_version = 0, have_arch = 0, json = 0;

	opts_begin(&op, &cmd_check_config, argc, argv);
	while ((c = opts_next(&op))) {
		switch (c) {
		case O_JSON:
			json = 1;
			break;
		case O_VERSION:
			if (kver_parse(op.arg, strlen(op.arg), &v, &why))
				op.ret = error(-UKB_EUSAGE, "invalid kernel version '%s': %s",
					      op.arg, why);
			have_version = 1;
			break;
		case O_ARCH:
			op.ret = args_parse_arch(op.arg, &arch);
			have_arch = 1;
			break;
		case O_FRAGMENT:
			strvec_push(&frags, op.arg);
			break;
		}
	}
	ret = opts_end(&op);
	if (ret == OPTS_DONE) {
		ret = 0;
		goto out;
	}
	if (!ret && optind != argc - 1)
		ret = error(-UKB_EUSAGE, "check-config takes one .config file");
	if (ret)
		goto out;
	file = argv[optind];
	ret = read_input_file(&sb, file, UKB_INPUT_MAX, ".config");
	if (ret)
		goto out;
	kc_parse_config(&config, file, sb.buf, sb.len);
	why = kc_not_config(sb.buf, sb.len, &config);
	if (why) {
		ret = error(-UKB_EUSAGE, "'%s' is not a Kconfig .config: %s",
			    file, why);
		goto out;
	}
	guess_target(&config, sb.buf, file, have_version ? NULL : &v,
		     have_arch ? NULL : &arch);
	ret = read_fragments(&frags, &requested);
	if (!ret)
		ret = configure_required(&req);
	if (ret)
		goto out;
	ret = kc_check(&config, &req, &requested, &v, arch, &rep);
	if (json) {
		print_check_json(file, &v, arch, &rep);
		goto out;
	}
	for (size_t i = 0; i < rep.nr; i++)
		printf("%s %s=%s%s%s\n", rep.r[i].ok ? "ok  " :
		       rep.r[i].required ? "FAIL" : "warn", rep.r[i].name,
		       rep.r[i].actual ? rep.r[i].actual : "(absent)",
		       rep.r[i].ok ? "" : " wanted ",
		       rep.r[i].ok ? "" : rep.r[i].requested);
out:
	kc_report_release(&rep);
	kc_required_release(&req);
	kc_set_release(&config);
	kc_set_release(&requested);
	strvec_clear(&frags);
	strbuf_release(&sb);
	return ret;
}

const struct cmd cmd_check_config = {
	.name = "check-config",
	.fn = check_config_cmd,
	.help = "check a .config against the required symbols",
	.usage = "usage: umlkbuild check-config [--version V] [--arch A] [--fragment F]... [--json] CONFIG\n"
		 "\nCheck a .config against kconfig-fragments/required.list (and the\n"
		 "given fragments, as warnings). Exit 5 when a required symbol fails.\n"
		 "--json prints the verdicts as one JSON document.\n"
		 "\noptions:\n",
	.opts = check_config_opts,
};
