/*
 * manifest: metadata.json built through dotted paths, written, loaded
 * back; SHA256SUMS for an artifact directory.
 */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

/* only to look at what was written */
#include <jansson.h>

#include "base/fsutil.h"
#include "base/manifest.h"
#include "base/strbuf.h"

static char tmp[64];

static const char *tp(const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", tmp, name);
	return b;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_manifest.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmtree(tmp);
}

static json_t *load_json(const char *path)
{
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);

	if (!root)
		fail_msg("%s:%d: %s", path, err.line, err.text);
	return root;
}

static struct manifest *sample(void)
{
	struct manifest *m = manifest_new();

	manifest_set_str(m, "schema", "umlkbuild/1");
	manifest_set_str(m, "source.version", "6.1.158");
	manifest_set_str(m, "source.sha256", "ab12");
	manifest_set_str(m, "build.arch", "x86_64");
	manifest_set_int(m, "build.jobs", 8);
	manifest_set_real(m, "build.duration.compile", 123.5);
	manifest_set_bool(m, "build.static", 1);
	manifest_set_bool(m, "boot.skipped", 0);
	manifest_set_str(m, "build.note", NULL);
	manifest_append(m, "patches", "{s:s, s:b}", "name",
			"0001-um-drop-xstat-exports.patch", "skipped", 0);
	manifest_append(m, "patches", "{s:s, s:b}", "name",
			"0002-um-unregister-glibc-rseq.patch", "skipped", 1);
	manifest_append(m, "build.fragments", "s", "10-static.config");
	manifest_pack(m, "toolchain", "{s:s, s:[s, s]}", "cc", "gcc 12.2.0",
		      "tools", "make", "bison");
	return m;
}

static void test_set_and_get(void **state)
{
	struct manifest *m = sample();

	(void)state;
	assert_string_equal(manifest_get_str(m, "schema"), "umlkbuild/1");
	assert_string_equal(manifest_get_str(m, "source.version"), "6.1.158");
	assert_string_equal(manifest_get_str(m, "build.arch"), "x86_64");
	assert_string_equal(manifest_get_str(m, "toolchain.cc"), "gcc 12.2.0");
	/* not strings, or not there */
	assert_null(manifest_get_str(m, "build.jobs"));
	assert_null(manifest_get_str(m, "build.note"));
	assert_null(manifest_get_str(m, "build"));
	assert_null(manifest_get_str(m, "build.missing"));
	assert_null(manifest_get_str(m, "nothing.at.all"));
	assert_null(manifest_get_str(m, "schema.sub"));
	assert_null(manifest_get_str(m, "patches.name"));

	/* setting again replaces; a deeper path replaces a leaf by an object */
	manifest_set_str(m, "build.arch", "i386");
	assert_string_equal(manifest_get_str(m, "build.arch"), "i386");
	manifest_set_str(m, "schema.major", "1");
	assert_string_equal(manifest_get_str(m, "schema.major"), "1");
	assert_null(manifest_get_str(m, "schema"));
	manifest_free(m);
	manifest_free(NULL);
}

static void test_write_load(void **state)
{
	struct manifest *m = sample(), *back;
	json_t *root, *arr, *v;
	struct strbuf text = STRBUF_INIT;
	char leftover[64];

	(void)state;
	assert_int_equal(manifest_write(m, tp("metadata.json")), 0);
	manifest_free(m);
	/* no temporary file left next to it */
	assert_true(path_exists(tp("metadata.json")));
	snprintf(leftover, sizeof(leftover), "metadata.json.tmp.%ld",
		 (long)getpid());
	assert_false(path_exists(tp(leftover)));

	back = manifest_load(tp("metadata.json"));
	assert_non_null(back);
	assert_string_equal(manifest_get_str(back, "source.version"), "6.1.158");
	assert_string_equal(manifest_get_str(back, "source.sha256"), "ab12");
	assert_string_equal(manifest_get_str(back, "build.arch"), "x86_64");
	manifest_free(back);

	/* the types as written, looked at with jansson itself */
	root = load_json(tp("metadata.json"));
	v = json_object_get(json_object_get(root, "build"), "jobs");
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), 8);
	v = json_object_get(json_object_get(json_object_get(root, "build"),
					    "duration"), "compile");
	assert_true(json_is_real(v));
	assert_true(json_real_value(v) == 123.5);
	assert_true(json_is_true(json_object_get(json_object_get(root, "build"),
						 "static")));
	assert_true(json_is_false(json_object_get(json_object_get(root, "boot"),
						  "skipped")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "build"),
						 "note")));
	arr = json_object_get(root, "patches");
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(arr, 1), "name")),
			    "0002-um-unregister-glibc-rseq.patch");
	assert_true(json_is_true(json_object_get(json_array_get(arr, 1),
						 "skipped")));
	arr = json_object_get(json_object_get(root, "build"), "fragments");
	assert_int_equal(json_array_size(arr), 1);
	assert_string_equal(json_string_value(json_array_get(arr, 0)),
			    "10-static.config");
	arr = json_object_get(json_object_get(root, "toolchain"), "tools");
	assert_int_equal(json_array_size(arr), 2);
	assert_string_equal(json_string_value(json_array_get(arr, 1)), "bison");
	json_decref(root);

	/* stable text: sorted keys, two-space indent, one trailing newline */
	assert_int_equal(strbuf_read_file(&text, tp("metadata.json")), 0);
	assert_true(text.len > 2);
	assert_int_equal(text.buf[0], '{');
	assert_int_equal(text.buf[text.len - 1], '\n');
	assert_int_equal(text.buf[text.len - 2], '}');
	assert_non_null(strstr(text.buf, "\n  \"boot\": {"));
	assert_true(strstr(text.buf, "\"boot\"") < strstr(text.buf, "\"build\""));
	assert_true(strstr(text.buf, "\"build\"") < strstr(text.buf, "\"patches\""));
	strbuf_release(&text);
}

static void test_append_to_non_array(void **state)
{
	struct manifest *m = manifest_new();

	(void)state;
	manifest_set_str(m, "warnings", "oops");
	manifest_append(m, "warnings", "s", "first");
	manifest_append(m, "warnings", "s", "second");
	assert_int_equal(manifest_write(m, tp("w.json")), 0);
	manifest_free(m);
	{
		json_t *root = load_json(tp("w.json"));
		json_t *arr = json_object_get(root, "warnings");

		assert_true(json_is_array(arr));
		assert_int_equal(json_array_size(arr), 2);
		json_decref(root);
	}
}

static void test_dumps(void **state)
{
	struct manifest *m = manifest_new();
	char *text;
	json_t *root;

	(void)state;
	manifest_set_str(m, "config", "a/.config");
	manifest_pack(m, "symbols", "[]");
	manifest_append(m, "symbols", "{s:s, s:s?}", "name", "CONFIG_X",
			"actual", NULL);
	text = manifest_dumps(m);
	manifest_free(m);
	assert_non_null(text);
	assert_int_equal(text[strlen(text) - 1], '\n');
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "config")),
			    "a/.config");
	assert_true(json_is_null(json_object_get(
		json_array_get(json_object_get(root, "symbols"), 0), "actual")));
	json_decref(root);
	free(text);
}

static void test_load_bad(void **state)
{
	(void)state;
	assert_null(manifest_load(tp("does-not-exist.json")));
	assert_int_equal(write_file_atomic(tp("bad.json"), "{\"a\": ", 6, 0644),
			 0);
	assert_null(manifest_load(tp("bad.json")));
}

/* Types, for validating a loaded file field by field (reproduce). */
static void test_types(void **state)
{
	static const char doc[] =
		"{\"s\":\"x\",\"n\":1,\"b\":true,\"z\":null,\"o\":{\"a\":[1,\"y\",{\"k\":false}]}}";
	struct manifest *m = manifest_loadb(doc, sizeof(doc) - 1, "doc");

	(void)state;
	assert_non_null(m);
	assert_int_equal(manifest_type(m, "s"), MANIFEST_STRING);
	assert_int_equal(manifest_type(m, "n"), MANIFEST_NUMBER);
	assert_int_equal(manifest_type(m, "b"), MANIFEST_BOOL);
	assert_int_equal(manifest_type(m, "z"), MANIFEST_NULL);
	assert_int_equal(manifest_type(m, "o"), MANIFEST_OBJECT);
	assert_int_equal(manifest_type(m, "o.a"), MANIFEST_ARRAY);
	assert_int_equal(manifest_type(m, "missing"), MANIFEST_ABSENT);
	/* through a non-object: absent, not a crash */
	assert_int_equal(manifest_type(m, "s.x"), MANIFEST_ABSENT);
	assert_int_equal(manifest_array_type(m, "o.a", 0, NULL), MANIFEST_NUMBER);
	assert_int_equal(manifest_array_type(m, "o.a", 1, NULL), MANIFEST_STRING);
	assert_int_equal(manifest_array_type(m, "o.a", 2, "k"), MANIFEST_BOOL);
	assert_int_equal(manifest_array_type(m, "o.a", 0, "k"), MANIFEST_ABSENT);
	assert_int_equal(manifest_array_type(m, "o.a", 9, NULL), MANIFEST_ABSENT);
	assert_int_equal(manifest_array_type(m, "s", 0, NULL), MANIFEST_ABSENT);
	/* the plain getters give NULL for another type */
	assert_null(manifest_array_str(m, "o.a", 0, NULL));
	assert_null(manifest_get_str(m, "n"));
	assert_string_equal(manifest_type_name(MANIFEST_NUMBER), "a number");
	manifest_free(m);
	/* a metadata file is an object */
	assert_null(manifest_loadb("[1]", 3, "array"));
	assert_null(manifest_loadb("{", 1, "truncated"));
}

static void test_sums(void **state)
{
	static const char *const names[] = { "vmlinux", "config" };
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(mkdir_p(tp("art"), 0755), 0);
	assert_int_equal(write_file_atomic(tp("art/vmlinux"), "hello\n", 6,
					   0755), 0);
	assert_int_equal(write_file_atomic(tp("art/config"), "", 0, 0644), 0);
	assert_int_equal(manifest_write_sums(tp("art"), names, 2), 0);
	assert_int_equal(strbuf_read_file(&sb, tp("art/SHA256SUMS")), 0);
	/* `sha256sum vmlinux config`, in the order given */
	assert_string_equal(sb.buf,
		"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  vmlinux\n"
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  config\n");
	strbuf_release(&sb);

	/* nothing to sum: an empty file */
	assert_int_equal(manifest_write_sums(tp("art"), NULL, 0), 0);
	assert_int_equal(strbuf_read_file(&sb, tp("art/SHA256SUMS")), 0);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

static void test_sums_missing(void **state)
{
	static const char *const names[] = { "vmlinux", "nope" };

	(void)state;
	assert_int_equal(mkdir_p(tp("art2"), 0755), 0);
	assert_int_equal(write_file_atomic(tp("art2/vmlinux"), "x", 1, 0755), 0);
	assert_true(manifest_write_sums(tp("art2"), names, 2) < 0);
	/* no partial SHA256SUMS */
	assert_false(path_exists(tp("art2/SHA256SUMS")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_get),
		cmocka_unit_test(test_write_load),
		cmocka_unit_test(test_append_to_non_array),
		cmocka_unit_test(test_dumps),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_sums_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
