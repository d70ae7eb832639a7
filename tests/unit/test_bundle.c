/*
 * bundle: the SHA256SUMS parser, the top directory's name, and the tar.xz
 * writer and reader (bundlear) round trip: a sparse file comes back whole,
 * hashed with its holes, and the same members give the same bytes; a
 * bundle made member by member checked and installed as deploy --bundle
 * does (sparse, staged, refused when it is not what was checked).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/strvec.h"
#include "bundle/bundle.h"
#include "bundle/bundlear.h"

static void test_sums(void **state)
{
	struct strvec p = STRVEC_INIT;
	const char *why = NULL;
	size_t line;
	char ok[200];

	(void)state;
	snprintf(ok, sizeof(ok), "%064d  vmlinux\n%064d  rootfs.img\n", 1, 2);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok), &p, &why, &line), 0);
	assert_int_equal(p.nr, 4);
	assert_string_equal(p.v[0], "vmlinux");
	assert_string_equal(p.v[3] + 60, "0002");
	strvec_clear(&p);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok) - 1, &p, &why, &line), -EINVAL);
	assert_string_equal(why, "the last line has no newline");
	strvec_clear(&p);
	snprintf(ok, sizeof(ok), "%064d  a/b\n", 1);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok), &p, &why, &line), -EINVAL);
	strvec_clear(&p);
	snprintf(ok, sizeof(ok), "%064d  x\n%064d  x\n", 1, 2);
	assert_int_equal(bundle_parse_sums(ok, strlen(ok), &p, &why, &line), -EINVAL);
	assert_string_equal(why, "a name listed twice");
	assert_int_equal(line, 2);
	strvec_clear(&p);
	assert_int_equal(bundle_parse_sums("XYZ  x\n", 7, &p, &why, &line), -EINVAL);
	strvec_clear(&p);
}

static void test_top_name(void **state)
{
	char *n;

	(void)state;
	n = bundle_top_name("/a/b/uml-x86_64.tar.xz");
	assert_string_equal(n, "uml-x86_64");
	free(n);
	assert_null(bundle_top_name("uml.tgz"));
	assert_null(bundle_top_name(".tar.xz"));
	assert_null(bundle_top_name("dir/...tar.xz"));
	assert_null(bundle_top_name("a\nb.tar.xz"));
}

/* a 16 MiB file with data at 0, 5 MiB and its last byte: holes between */
static void sparse_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "head", 4, 0), 4);
	assert_int_equal(pwrite(fd, "middle", 6, 5 << 20), 6);
	assert_int_equal(pwrite(fd, "!", 1, (16 << 20) - 1), 1);
	close(fd);
}

static void write_one(const char *dir, const char *out, const char *src)
{
	struct bar_writer *w;

	assert_int_equal(bar_create(out, 1700000000, &w), 0);
	assert_int_equal(bar_add_dir(w, "top/"), 0);
	assert_int_equal(bar_add_buf(w, "top/README", "hi\n", 3, 0644), 0);
	assert_int_equal(bar_add_file(w, "top/img", src, 0600), 0);
	assert_int_equal(bar_close(w), 0);
	(void)dir;
}

static void test_roundtrip(void **state)
{
	char dir[] = "/tmp/ukb-test-bundle.XXXXXX", src[80], a[80], b[80];
	char want[SHA256_HEX_LEN + 1], ha[SHA256_HEX_LEN + 1], hb[SHA256_HEX_LEN + 1];
	struct bar_members ms = { 0 };
	const struct bar_member *m;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/img", dir);
	snprintf(a, sizeof(a), "%s/a.tar.xz", dir);
	snprintf(b, sizeof(b), "%s/b.tar.xz", dir);
	sparse_file(src);
	assert_int_equal(sha256_file(src, want), 0);
	write_one(dir, a, src);
	write_one(dir, b, src);
	assert_int_equal(sha256_file(a, ha), 0);
	assert_int_equal(sha256_file(b, hb), 0);
	assert_string_equal(ha, hb);
	assert_int_equal(bar_scan(a, 1024, &ms), 0);
	assert_int_equal(ms.nr, 3);
	assert_int_equal(ms.m[0].type, BAR_DIR);
	m = bar_find(&ms, "top/img");
	assert_non_null(m);
	assert_int_equal(m->type, BAR_FILE);
	assert_int_equal(m->size, 16 << 20);
	assert_int_equal(m->mode, 0600);
	assert_string_equal(m->sha256, want);
	assert_int_equal(m->data.len, 0);      /* over keep_max: not kept */
	m = bar_find(&ms, "top/README");
	assert_int_equal(m->data.len, 3);
	assert_memory_equal(m->data.buf, "hi\n", 3);
	bar_members_release(&ms);
	/* not an archive */
	assert_int_equal(bar_scan(src, 1024, &ms), -UKB_ESOURCE);
	bar_members_release(&ms);
	rmtree(dir);
}

static void test_extract(void **state)
{
	char dir[] = "/tmp/ukb-test-bundle.XXXXXX", src[80], a[80], out[80];
	char want[SHA256_HEX_LEN + 1], got[SHA256_HEX_LEN + 1];
	struct bar_out o[2] = {
		{ .name = "top/img", .mode = 0640 },
		{ .name = "top/nope", .mode = 0644 },
	};
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/img", dir);
	snprintf(a, sizeof(a), "%s/a.tar.xz", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	sparse_file(src);
	assert_int_equal(sha256_file(src, want), 0);
	write_one(dir, a, src);
	o[0].dest = out;
	o[1].dest = "/nonexistent/never";
	assert_int_equal(bar_extract(a, o, 2), 0);
	assert_true(o[0].found);
	assert_false(o[1].found);
	assert_string_equal(o[0].sha256, want);
	assert_int_equal(sha256_file(out, got), 0);
	assert_string_equal(got, want);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_size, 16 << 20);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_true(st.st_blocks * 512 < (1 << 20));     /* holes kept */
	/* never over an existing file */
	assert_int_equal(bar_extract(a, o, 1), -UKB_EHOST);
	/* not an archive */
	unlink(out);
	assert_int_equal(bar_extract(src, o, 1), -UKB_ESOURCE);
	rmtree(dir);
}

/* A bundle as `umlkbuild bundle` lays it out, from a small kernel and a
 * sparse image, its metadata written by hand. */
static void fake_bundle(const char *dir, const char *out)
{
	static const char run[] = "#!/bin/sh\n", readme[] = "read me\n";
	char k[80], img[80], ks[65], is[65], rs[65], ds[65], ms[65];
	struct strbuf meta = STRBUF_INIT, sums = STRBUF_INIT;
	struct bar_writer *w;

	snprintf(k, sizeof(k), "%s/vmlinux", dir);
	snprintf(img, sizeof(img), "%s/rootfs.img", dir);
	assert_int_equal(write_file_atomic(k, "\177ELF kernel", 11, 0755), 0);
	sparse_file(img);
	assert_int_equal(sha256_file(k, ks), 0);
	assert_int_equal(sha256_file(img, is), 0);
	sha256_buf(run, strlen(run), rs);
	sha256_buf(readme, strlen(readme), ds);
	strbuf_addf(&meta, "{\"bundle\": {\"format\": 1, \"members\": ["
		    "{\"name\": \"vmlinux\", \"sha256\": \"%s\"},"
		    "{\"name\": \"rootfs.img\", \"sha256\": \"%s\"},"
		    "{\"name\": \"run.sh\", \"sha256\": \"%s\"},"
		    "{\"name\": \"README\", \"sha256\": \"%s\"}],"
		    "\"run\": {\"tap\": \"tap7\", \"mem\": \"96m\", "
		    "\"forward\": \"tcp:8080\", \"net\": \"vector\"}},"
		    "\"kernel\": {\"vmlinux\": {\"sha256\": \"%s\"}, "
		    "\"source\": {\"kernelversion\": \"6.1.1\"}},"
		    "\"rootfs\": {\"image\": {\"sha256\": \"%s\"}, "
		    "\"settings\": {\"guest_ip\": \"10.9.0.2/16\", "
		    "\"gateway\": \"10.9.0.1\"}}}\n", ks, is, rs, ds, ks, is);
	sha256_buf(meta.buf, meta.len, ms);
	strbuf_addf(&sums, "%s  vmlinux\n%s  rootfs.img\n%s  run.sh\n"
		    "%s  README\n%s  metadata.json\n", ks, is, rs, ds, ms);
	assert_int_equal(bar_create(out, 1700000000, &w), 0);
	assert_int_equal(bar_add_dir(w, "b/"), 0);
	assert_int_equal(bar_add_buf(w, "b/README", readme, strlen(readme), 0644), 0);
	assert_int_equal(bar_add_buf(w, "b/run.sh", run, strlen(run), 0755), 0);
	assert_int_equal(bar_add_buf(w, "b/metadata.json", meta.buf, meta.len, 0644), 0);
	assert_int_equal(bar_add_buf(w, "b/SHA256SUMS", sums.buf, sums.len, 0644), 0);
	assert_int_equal(bar_add_file(w, "b/vmlinux", k, 0755), 0);
	assert_int_equal(bar_add_file(w, "b/rootfs.img", img, 0644), 0);
	assert_int_equal(bar_close(w), 0);
	strbuf_release(&meta);
	strbuf_release(&sums);
}

static void test_install(void **state)
{
	char dir[] = "/tmp/ukb-test-bundle.XXXXXX", b[80], inst[80], p[120];
	char want[SHA256_HEX_LEN + 1];
	struct bundle_info bi;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(b, sizeof(b), "%s/b.tar.xz", dir);
	snprintf(inst, sizeof(inst), "%s/state/x", dir);
	fake_bundle(dir, b);
	assert_int_equal(bundle_check(b, &bi), 0);
	assert_string_equal(bi.top, "b");
	assert_string_equal(bi.tap, "tap7");
	assert_string_equal(bi.mem, "96m");
	assert_string_equal(bi.net, "vector");
	assert_string_equal(bi.guest_ip, "10.9.0.2/16");
	assert_string_equal(bi.gateway, "10.9.0.1");
	assert_null(bi.arch);
	assert_int_equal(bi.nr_members, 6);

	assert_int_equal(bundle_install(b, &bi, inst), 0);
	snprintf(p, sizeof(p), "%s/rootfs.img", inst);
	assert_int_equal(sha256_file(p, want), 0);
	assert_string_equal(want, bi.rootfs);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(st.st_blocks * 512 < (1 << 20));
	snprintf(p, sizeof(p), "%s/vmlinux", inst);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* never over what is there */
	assert_int_equal(bundle_install(b, &bi, inst), -UKB_EHOST);
	/* only what it installed: a file of someone else's stays, and dir */
	snprintf(p, sizeof(p), "%s/notes", inst);
	assert_int_equal(write_file_atomic(p, "x", 1, 0644), 0);
	assert_int_equal(bundle_uninstall(inst), 0);
	assert_true(path_exists(p));
	snprintf(p, sizeof(p), "%s/vmlinux", inst);
	assert_false(path_exists(p));
	snprintf(p, sizeof(p), "%s/notes", inst);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(bundle_uninstall(inst), 0);
	assert_false(path_exists(inst));
	assert_int_equal(bundle_uninstall(inst), 0);

	/* the file is not the bundle that was checked: nothing left */
	bi.rootfs[0] = bi.rootfs[0] == '0' ? '1' : '0';
	assert_int_equal(bundle_install(b, &bi, inst), -UKB_EARTIFACT);
	assert_false(path_exists(inst));
	snprintf(p, sizeof(p), "%s/state", dir);
	assert_int_equal(rmdir(p), 0);     /* empty: no staging left */
	bundle_info_release(&bi);

	/* what bundle --verify refuses, bundle_check refuses the same way */
	assert_int_equal(bundle_check(inst, &bi), -UKB_EUSAGE);
	bundle_info_release(&bi);
	snprintf(p, sizeof(p), "%s/vmlinux", dir);
	assert_int_equal(bundle_check(p, &bi), -UKB_ESOURCE);
	assert_int_equal(bundle_verify(p), -UKB_ESOURCE);
	bundle_info_release(&bi);
	rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums),
		cmocka_unit_test(test_top_name),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_install),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
