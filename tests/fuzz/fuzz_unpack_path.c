/*
 * libFuzzer harness for unpack's pure path checks. Input: an entry name,
 * a NUL, a symlink target. Besides crashes, it checks both functions
 * against a naive model: a name passes exactly when the model says so, and
 * no target that passes ever resolves, lexically, above the tree.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "source/unpack-policy.h"

#define CHECK(x)                                                              \
	do {                                                                  \
		if (!(x))                                                     \
			abort();                                              \
	} while (0)

/* Walk s component by component (split on '/'); calls fn on each. */
static void each_component(const char *s,
			   void (*fn)(const char *p, size_t len, void *ctx),
			   void *ctx)
{
	const char *p = s;

	while (*p) {
		size_t len = 0;

		while (p[len] && p[len] != '/')
			len++;
		if (len)
			fn(p, len, ctx);
		p += len;
		while (*p == '/')
			p++;
	}
}

struct walk {
	long depth;     /* directories below the top */
	long comps;     /* components that are not "." */
	int dotdot;     /* a ".." was seen */
	int escaped;    /* resolution went above the top */
};

static void visit(const char *p, size_t len, void *ctx)
{
	struct walk *w = ctx;

	if (len == 1 && p[0] == '.')
		return;
	if (len == 2 && p[0] == '.' && p[1] == '.') {
		w->dotdot = 1;
		if (--w->depth < 0)
			w->escaped = 1;
		return;
	}
	w->comps++;
	w->depth++;
}

static int model_path_ok(const char *name)
{
	struct walk w = { 0 };

	if (!*name || *name == '/' || strlen(name) >= PATH_MAX)
		return 0;
	each_component(name, visit, &w);
	return !w.dotdot;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 2);
	const char *name, *target, *why;
	struct walk w = { 0 };

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	buf[size + 1] = '\0';
	name = buf;
	target = buf + strlen(buf) + 1;

	why = unpack_check_path(name);
	CHECK((why == NULL) == model_path_ok(name));
	CHECK(!why || *why);
	why = unpack_check_path(target);
	CHECK((why == NULL) == model_path_ok(target));

	why = unpack_check_symlink(name, target);
	CHECK(!why || *why);
	if (!why) {
		/* the link's own name is safe and not the top itself */
		CHECK(model_path_ok(name));
		each_component(name, visit, &w);
		CHECK(w.comps > 1);
		/* resolve from the link's directory; the top one is the root */
		w.depth = w.comps - 2;
		w.escaped = 0;
		CHECK(*target && *target != '/');
		each_component(target, visit, &w);
		CHECK(!w.escaped);
	}
	free(buf);
	return 0;
}
