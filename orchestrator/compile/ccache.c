#include <stdlib.h>
#include <string.h>

#include "base/proc.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "compile/ccache.h"
#include "base/banned.h"

/* ccache's counters (hits, misses) for its store, or -1s without ccache. */
void ccache_counts(const char *dir, long long *hits, long long *misses)
{
	const char *argv[] = { "ccache", "--print-stats", NULL };
	struct strvec env = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT;
	struct proc p = { .argv = argv, .capture = &out, .quiet_log = 1,
			  .timeout_ms = 30000 };

	*hits = *misses = -1;
	if (!dir)
		return;
	strvec_pushf(&env, "CCACHE_DIR=%s", dir);
	p.env = env.v;
	if (!proc_run(&p)) {
		*hits = *misses = 0;
		for (char *l = out.buf, *nl; *l; l = nl) {
			long long v;
			char *tab;

			nl = strchrnul(l, '\n');
			if (*nl)
				*nl++ = '\0';
			tab = strchr(l, '\t');
			if (!tab)
				continue;
			v = strtoll(tab + 1, NULL, 10);
			*tab = '\0';
			if (!strcmp(l, "direct_cache_hit") ||
			    !strcmp(l, "preprocessed_cache_hit"))
				*hits += v;
			else if (!strcmp(l, "cache_miss"))
				*misses += v;
		}
	}
	strvec_clear(&env);
	strbuf_release(&out);
}
