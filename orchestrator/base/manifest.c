#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "base/banned.h"

struct manifest {
	json_t *root;
};

struct manifest *manifest_new(void)
{
	struct manifest *m = xcalloc(1, sizeof(*m));

	m->root = json_object();
	return m;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	json_decref(m->root);
	free(m);
}

/* The object that holds path's last component; *leaf points at it. */
static json_t *parent_of(json_t *root, const char *path, const char **leaf)
{
	json_t *obj = root;
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		char *key = xstrndup(path, (size_t)(dot - path));
		json_t *next = json_object_get(obj, key);

		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(obj, key, next);
		}
		free(key);
		obj = next;
		path = dot + 1;
	}
	*leaf = path;
	return obj;
}

static void set(struct manifest *m, const char *path, json_t *v)
{
	const char *leaf;
	json_t *obj = parent_of(m->root, path, &leaf);

	json_object_set_new(obj, leaf, v ? v : json_null());
}

void manifest_set_str(struct manifest *m, const char *path, const char *v)
{
	set(m, path, v ? json_string(v) : json_null());
}

void manifest_set_doc(struct manifest *m, const char *path,
		      const struct manifest *doc)
{
	set(m, path, json_deep_copy(doc->root));
}

void manifest_set_int(struct manifest *m, const char *path, long long v)
{
	set(m, path, json_integer(v));
}

void manifest_set_real(struct manifest *m, const char *path, double v)
{
	set(m, path, json_real(v));
}

void manifest_set_bool(struct manifest *m, const char *path, int v)
{
	set(m, path, json_boolean(v));
}

void manifest_append(struct manifest *m, const char *path, const char *fmt, ...)
{
	const char *leaf;
	json_t *obj = parent_of(m->root, path, &leaf);
	json_t *arr = json_object_get(obj, leaf);
	json_error_t err;
	va_list ap;
	json_t *v;

	if (!json_is_array(arr)) {
		arr = json_array();
		json_object_set_new(obj, leaf, arr);
	}
	va_start(ap, fmt);
	v = json_vpack_ex(&err, 0, fmt, ap);
	va_end(ap);
	if (!v)
		abort(); /* a programming error in fmt */
	json_array_append_new(arr, v);
}

void manifest_pack(struct manifest *m, const char *path, const char *fmt, ...)
{
	json_error_t err;
	va_list ap;
	json_t *v;

	va_start(ap, fmt);
	v = json_vpack_ex(&err, 0, fmt, ap);
	va_end(ap);
	if (!v)
		abort();
	set(m, path, v);
}

char *manifest_dumps(const struct manifest *m)
{
	char *text = json_dumps(m->root, JSON_INDENT(2) | JSON_SORT_KEYS |
					      JSON_REAL_PRECISION(6));
	size_t len;

	if (!text)
		return NULL;
	len = strlen(text);
	text = xrealloc(text, len + 2);
	text[len++] = '\n';
	text[len] = '\0';
	return text;
}

int manifest_write(const struct manifest *m, const char *path)
{
	char *text = manifest_dumps(m);
	int ret;

	if (!text)
		return -ENOMEM;
	ret = write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	return ret;
}

/* A metadata file is one JSON object; anything else is refused here. */
static struct manifest *loaded(json_t *root, const json_error_t *err,
			       const char *name)
{
	struct manifest *m;

	if (!root) {
		if (err->line < 1)
			error(-UKB_EUSAGE, "cannot read '%s': %s", name, err->text);
		else
			error(-UKB_EUSAGE, "%s:%d: %s", name, err->line, err->text);
		return NULL;
	}
	if (!json_is_object(root)) {
		error(-UKB_EUSAGE, "'%s' is not a JSON object", name);
		json_decref(root);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->root = root;
	return m;
}

struct manifest *manifest_load(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct manifest *m;

	/* bounded, and never blocking on a FIFO */
	if (read_input_file(&sb, path, UKB_INPUT_MAX, "metadata file"))
		return NULL;
	m = manifest_loadb(sb.buf, sb.len, path);
	strbuf_release(&sb);
	return m;
}

struct manifest *manifest_loadb(const char *buf, size_t len, const char *name)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err);

	return loaded(root, &err, name);
}

int manifest_text_ok(const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);

	json_decref(v);
	return v != NULL && !memchr(s, '\0', len);
}

struct manifest *manifest_try_load(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t err;
	json_t *root = NULL;
	struct manifest *m = NULL;

	/* an existing --out is the user's: bounded, no FIFO, no message */
	if (!read_input_file(&sb, path, UKB_INPUT_MAX, NULL))
		root = json_loadb(sb.buf, sb.len, 0, &err);
	strbuf_release(&sb);
	if (root) {
		m = xcalloc(1, sizeof(*m));
		m->root = root;
	}
	return m;
}

static json_t *lookup(const struct manifest *m, const char *path)
{
	json_t *obj = m->root;
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		char *key = xstrndup(path, (size_t)(dot - path));

		obj = json_object_get(obj, key);
		free(key);
		if (!json_is_object(obj))
			return NULL;
		path = dot + 1;
	}
	return json_object_get(obj, path);
}

static enum manifest_type type_of(const json_t *v)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING: return MANIFEST_STRING;
	case JSON_TRUE:
	case JSON_FALSE: return MANIFEST_BOOL;
	case JSON_INTEGER:
	case JSON_REAL: return MANIFEST_NUMBER;
	case JSON_ARRAY: return MANIFEST_ARRAY;
	case JSON_OBJECT: return MANIFEST_OBJECT;
	default: return v ? MANIFEST_NULL : MANIFEST_ABSENT;
	}
}

enum manifest_type manifest_type(const struct manifest *m, const char *path)
{
	return type_of(lookup(m, path));
}

const char *manifest_type_name(enum manifest_type t)
{
	static const char *const names[] = {
		[MANIFEST_ABSENT] = "absent", [MANIFEST_NULL] = "null",
		[MANIFEST_STRING] = "a string", [MANIFEST_BOOL] = "a boolean",
		[MANIFEST_NUMBER] = "a number", [MANIFEST_ARRAY] = "an array",
		[MANIFEST_OBJECT] = "an object",
	};

	return t < ARRAY_SIZE(names) ? names[t] : "?";
}

const char *manifest_get_str(const struct manifest *m, const char *path)
{
	return json_string_value(lookup(m, path));
}

long long manifest_get_int(const struct manifest *m, const char *path,
			   long long dflt)
{
	json_t *v = lookup(m, path);

	return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

size_t manifest_array_size(const struct manifest *m, const char *path)
{
	return json_array_size(lookup(m, path));
}

static json_t *item(const struct manifest *m, const char *path, size_t i,
		    const char *key)
{
	json_t *v = json_array_get(lookup(m, path), i);

	return key ? json_object_get(v, key) : v;
}

enum manifest_type manifest_array_type(const struct manifest *m,
				       const char *path, size_t i,
				       const char *key)
{
	json_t *v = json_array_get(lookup(m, path), i);

	if (key && !json_is_object(v))
		return MANIFEST_ABSENT;
	return type_of(key ? json_object_get(v, key) : v);
}

const char *manifest_array_str(const struct manifest *m, const char *path,
			       size_t i, const char *key)
{
	return json_string_value(item(m, path, i, key));
}

int manifest_array_bool(const struct manifest *m, const char *path, size_t i,
			const char *key, int dflt)
{
	json_t *v = item(m, path, i, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int manifest_write_sums(const char *dir, const char *const *names, size_t nr)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	char *path;
	int ret = 0;

	for (size_t i = 0; i < nr; i++) {
		path = path_join(dir, names[i]);
		ret = sha256_file(path, hex);
		free(path);
		if (ret)
			goto out;
		strbuf_addf(&sb, "%s  %s\n", hex, names[i]);
	}
	path = path_join(dir, "SHA256SUMS");
	ret = write_file_atomic(path, sb.buf, sb.len, 0644);
	free(path);
out:
	strbuf_release(&sb);
	return ret;
}
