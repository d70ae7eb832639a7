/*
 * metadata.json (TuxMake-like, through jansson) and SHA256SUMS. Keys are
 * dotted paths ("build.arch"); objects are created on the way.
 */
#ifndef UKB_MANIFEST_H
#define UKB_MANIFEST_H

#include <stddef.h>

struct manifest;

struct manifest *manifest_new(void);
void manifest_free(struct manifest *m);
void manifest_set_str(struct manifest *m, const char *path, const char *v);
void manifest_set_int(struct manifest *m, const char *path, long long v);
void manifest_set_real(struct manifest *m, const char *path, double v);
void manifest_set_bool(struct manifest *m, const char *path, int v);
/* Set path to a deep copy of another document's whole content. */
void manifest_set_doc(struct manifest *m, const char *path,
		      const struct manifest *doc);
/* Append to the array at path a value built with a jansson pack format. */
void manifest_append(struct manifest *m, const char *path, const char *fmt, ...);
/* Set path to a value built with a jansson pack format. */
void manifest_pack(struct manifest *m, const char *path, const char *fmt, ...);
/* The JSON text, indented, keys sorted, with a final newline; NULL when
 * out of memory. Caller frees. */
char *manifest_dumps(const struct manifest *m);
/* Write atomically (temporary file + rename). Returns 0 or -errno. */
int manifest_write(const struct manifest *m, const char *path);
/* Load a metadata.json; NULL with a message when it is unreadable. */
struct manifest *manifest_load(const char *path);
/* The same without a message. */
struct manifest *manifest_try_load(const char *path);
/* Load metadata from memory, as manifest_load() does a file; name is
 * what messages call it. */
struct manifest *manifest_loadb(const char *buf, size_t len, const char *name);

/* The JSON type of a value, to validate a loaded file field by field. */
enum manifest_type {
	MANIFEST_ABSENT, MANIFEST_NULL, MANIFEST_STRING, MANIFEST_BOOL,
	MANIFEST_NUMBER, MANIFEST_ARRAY, MANIFEST_OBJECT,
};
/* The type at path; MANIFEST_ABSENT when a component is missing or not an
 * object. */
enum manifest_type manifest_type(const struct manifest *m, const char *path);
/* The type of item i of the array at path (key NULL) or of its member key. */
enum manifest_type manifest_array_type(const struct manifest *m,
				       const char *path, size_t i,
				       const char *key);
/* "a string", "an array", ... for messages. */
const char *manifest_type_name(enum manifest_type t);
/* Whether s[0..len) can be recorded as a metadata string: UTF-8, no NUL. */
int manifest_text_ok(const char *s, size_t len);

/* The string at path, or NULL. */
const char *manifest_get_str(const struct manifest *m, const char *path);
/* The integer at path, or dflt when absent or not an integer. */
long long manifest_get_int(const struct manifest *m, const char *path,
			   long long dflt);
/* The length of the array at path (0 when absent). */
size_t manifest_array_size(const struct manifest *m, const char *path);
/* Item i of the array at path: the string itself (key NULL) or its
 * member key; NULL when absent. */
const char *manifest_array_str(const struct manifest *m, const char *path,
			       size_t i, const char *key);
/* Item i's boolean member key, or dflt. */
int manifest_array_bool(const struct manifest *m, const char *path, size_t i,
			const char *key, int dflt);

/* Write dir/SHA256SUMS for the names given ("<sha256>  <name>" lines). */
int manifest_write_sums(const char *dir, const char *const *names, size_t nr);

#endif
