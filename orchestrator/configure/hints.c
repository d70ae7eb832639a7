/*
 * The hints under a failed config check: what keeps each required symbol
 * from its value, and the `umlkbuild explain` command that tells the rest.
 */
#include <string.h>

#include "base/log.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "configure/explain.h"
#include "configure/hints.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"
#include "configure/ktree.h"
#include "base/banned.h"

/*
 * The variables of source paths, for the arch a .config names in its
 * header ("# Linux/um 6.1.0 Kernel Configuration"). UML's sub-arch is x86:
 * umlkbuild builds x86_64 and i386 only.
 */
void explain_tree_vars(const char *arch, struct strvec *vars)
{
	const char *src = !strcmp(arch, "x86_64") || !strcmp(arch, "i386") ?
				  "x86" : arch;

	strvec_pushf(vars, "ARCH=%s", arch);
	strvec_pushf(vars, "SRCARCH=%s", src);
	strvec_pushf(vars, "HEADER_ARCH=%s", strcmp(src, "um") ? src : "x86");
	strvec_pushf(vars, "SUBARCH=%s", strcmp(src, "um") ? src : "x86");
}

static void add_shell_word(struct strbuf *sb, const char *s)
{
	if (*s && !strpbrk(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~")) {
		strbuf_addstr(sb, s);
		return;
	}
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

void explain_hints(const char *srcdir, const char *objdir,
		   const struct kc_set *config, const struct kc_report *rep)
{
	struct ktree t = KTREE_INIT;
	struct strvec vars = STRVEC_INIT;
	struct strbuf cmd = STRBUF_INIT;

	explain_tree_vars("um", &vars);
	if (ktree_load(&t, srcdir, vars.v))
		goto out;
	strbuf_addstr(&cmd, "umlkbuild explain -C ");
	if (objdir)
		add_shell_word(&cmd, objdir);
	for (size_t i = 0; i < rep->nr; i++) {
		const struct kc_result *r = &rep->r[i];
		struct strbuf why = STRBUF_INIT, arg = STRBUF_INIT;
		int n;

		if (!r->required || r->ok)
			continue;
		n = explain_blockers(&t, config, r->name, r->requested, &why);
		if (n < 0) {
			hint("%s exists in no Kconfig file this tree reads",
			     r->name);
		} else if (!n) {
			hint("nothing in the Kconfig files keeps %s from %s",
			     r->name, r->requested);
		} else {
			hint("%s=%s is kept out by:", r->name, r->requested);
			for (char *line = why.buf, *nl; *line; line = nl) {
				nl = strchrnul(line, '\n');
				hint("  %.*s", (int)(nl - line), line);
				if (*nl)
					nl++;
			}
		}
		strbuf_addf(&arg, "%s=%s", r->name, r->requested);
		strbuf_addch(&cmd, ' ');
		add_shell_word(&cmd, arg.buf);
		strbuf_release(&arg);
		strbuf_release(&why);
	}
	if (objdir)
		hint("the whole story: %s", cmd.buf);
out:
	ktree_release(&t);
	strvec_clear(&vars);
	strbuf_release(&cmd);
}
