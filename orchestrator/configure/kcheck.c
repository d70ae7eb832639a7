#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/scope.h"
#include "base/wrapper.h"
#include "configure/kcheck.h"
#include "configure/kcset.h"
#include "base/banned.h"

void kc_required_release(struct kc_required *req)
{
	kc_set_release(&req->syms);
	free(req->scopes);
	req->scopes = NULL;
}

static int numeric(const char *s, long long *out)
{
	char *end;

	if (!*s || *s == '"')
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 0);
	return !errno && !*end;
}

int kc_value_satisfied(const char *requested, const char *actual)
{
	long long a, b;

	if (!strcmp(requested, "n"))
		return !actual || !strcmp(actual, "n");
	if (!actual)
		return 0;
	if (numeric(requested, &a) && numeric(actual, &b))
		return a == b;
	return !strcmp(requested, actual);
}

static void add_result(struct kc_report *rep, const struct kc_entry *want,
		       const struct kc_entry *have, int required)
{
	struct kc_result *r;

	ALLOC_GROW(rep->r, rep->nr + 1, rep->alloc);
	r = &rep->r[rep->nr++];
	r->name = want->name;
	r->requested = want->value;
	r->actual = have ? have->value : NULL;
	r->file = want->file;
	r->line = want->line;
	r->required = required;
	r->ok = kc_value_satisfied(want->value, r->actual);
}

int kc_check(const struct kc_set *config, const struct kc_required *req,
	     const struct kc_set *requested, const struct kver *v,
	     unsigned arch, struct kc_report *rep)
{
	for (size_t i = 0; req && i < req->syms.nr; i++) {
		const struct kc_entry *want = &req->syms.e[i];
		const struct kc_entry *have;

		if (!scope_matches(&req->scopes[i], v, arch))
			continue;
		have = kc_find(config, want->name);
		add_result(rep, want, have, 1);
		if (rep->r[rep->nr - 1].ok)
			continue;
		rep->required_failed++;
		error(-UKB_ECONFIG,
		      "required %s=%s, but the configuration has %s%s%s",
		      want->name, want->value, have ? want->name : "",
		      have ? "=" : "no such symbol", have ? have->value : "");
	}
	for (size_t i = 0; requested && i < requested->nr; i++) {
		const struct kc_entry *want = &requested->e[i];
		const struct kc_entry *have = kc_find(config, want->name);

		if (req && kc_find(&req->syms, want->name))
			continue;
		add_result(rep, want, have, 0);
		if (rep->r[rep->nr - 1].ok)
			continue;
		rep->warnings++;
		warning("%s:%u: %s=%s did not make it into the configuration (%s%s%s)",
			want->file, want->line, want->name, want->value,
			have ? "it is " : "absent", have ? have->value : "",
			"");
	}
	return rep->required_failed ? -UKB_ECONFIG : 0;
}

void kc_report_release(struct kc_report *rep)
{
	free(rep->r);
	memset(rep, 0, sizeof(*rep));
}
