/*
 * Unit tests for verify: the ELF facts of small binaries compiled here
 * (64-bit and 32-bit, static and dynamic, stripped and not) and the
 * artifact check built on them. The 32-bit one is only read, never run.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/proc.h"
#include "base/scope.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "verify/verify.h"
#include "testlib.h"

static char *top;
static char *s64, *s64strip, *d64, *s32, *notelf;

static const char prog[] =
	"static char buf[4096];\n"
	"int data = 42;\n"
	"int main(void) { buf[0] = (char)data; return buf[1]; }\n";

/* compile prog with extra flags into top/name */
static char *build(const char *name, const char *const *flags)
{
	char *src = path_join(top, "prog.c"), *out = path_join(top, name);
	const char *argv[16] = { "cc", "-O1", "-o", out, src };
	struct strbuf sb = STRBUF_INIT;
	size_t n = 5;

	for (; *flags; flags++)
		argv[n++] = *flags;
	argv[n] = NULL;
	if (proc_capture(argv, &sb))
		fail_msg("cannot compile '%s': %s", name, sb.buf);
	strbuf_release(&sb);
	free(src);
	return out;
}

static int setup(void **state)
{
	char *src;

	(void)state;
	top = test_tmpdir("verify");
	src = path_join(top, "prog.c");
	assert_int_equal(write_file_atomic(src, prog, strlen(prog), 0644), 0);
	free(src);
	s64 = build("s64", (const char *[]){ "-static", NULL });
	s64strip = build("s64strip", (const char *[]){ "-static", "-s", NULL });
	d64 = build("d64", (const char *[]){ NULL });
	/* gcc-multilib: the project builds build/ukb-init-i386 the same way */
	s32 = build("s32", (const char *[]){ "-m32", "-static", NULL });
	notelf = path_join(top, "prog.c");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmtree(top);
	free(top);
	free(s64);
	free(s64strip);
	free(d64);
	free(s32);
	free(notelf);
	return 0;
}

static void test_facts(void **state)
{
	struct elf_facts f, g;
	struct stat st;
	char desc[128];

	(void)state;
	assert_int_equal(verify_read_elf_quiet(s64, &f), 0);
	assert_int_equal(f.elf_class, 64);
	assert_int_equal(f.machine, EM_X86_64);
	assert_true(f.is_static);
	assert_false(f.stripped);
	assert_int_equal(stat(s64, &st), 0);
	assert_int_equal(f.file_size, (uint64_t)st.st_size);
	/* buf is 4 KiB of .bss; libc brings more */
	assert_true(f.bss_size >= 4096);
	assert_true(f.text_size > 0 && f.data_size > 0);
	verify_describe(&f, desc, sizeof(desc));
	assert_string_equal(desc, "ELF 64-bit x86-64, statically linked, not stripped");

	/* stripping drops .symtab, not the loaded sections */
	assert_int_equal(verify_read_elf_quiet(s64strip, &g), 0);
	assert_true(g.stripped);
	assert_true(g.file_size < f.file_size);
	assert_int_equal(g.text_size, f.text_size);
	assert_int_equal(g.data_size, f.data_size);
	assert_int_equal(g.bss_size, f.bss_size);

	assert_int_equal(verify_read_elf_quiet(d64, &f), 0);
	assert_false(f.is_static);
	verify_describe(&f, desc, sizeof(desc));
	assert_string_equal(desc, "ELF 64-bit x86-64, dynamically linked, not stripped");

	assert_int_equal(verify_read_elf_quiet(s32, &f), 0);
	assert_int_equal(f.elf_class, 32);
	assert_int_equal(f.machine, EM_386);
	assert_true(f.is_static);
	verify_describe(&f, desc, sizeof(desc));
	assert_string_equal(desc, "ELF 32-bit Intel 80386, statically linked, not stripped");
}

static void test_artifact_checks(void **state)
{
	struct elf_facts f;

	(void)state;
	capture_start();
	assert_int_equal(verify_artifact(s64strip, ARCH_X86_64, 1, 1, &f), 0);
	assert_int_equal(verify_artifact(s32, ARCH_I386, 1, 0, &f), 0);
	assert_string_equal(captured(), "");

	assert_int_equal(verify_artifact(s32, ARCH_X86_64, 1, 0, &f),
			 -UKB_EARTIFACT);
	assert_logged("^error: '.*/s32' is ELF 32-bit Intel 80386, statically "
		      "linked, not stripped, not a x86_64 binary$");
	assert_int_equal(verify_artifact(s64, ARCH_I386, 0, 0, &f),
			 -UKB_EARTIFACT);
	assert_logged("not a i386 binary$");
	assert_int_equal(verify_artifact(d64, ARCH_X86_64, 1, 0, &f),
			 -UKB_EARTIFACT);
	assert_logged("^error: '.*/d64' is ELF 64-bit x86-64, dynamically "
		      "linked, not stripped: it would need the build host's libraries$");
	/* a dynamic kernel is fine when asked for (--link dynamic) */
	assert_int_equal(verify_artifact(d64, ARCH_X86_64, 0, 0, &f), 0);
	assert_int_equal(verify_artifact(s64, ARCH_X86_64, 1, 1, &f),
			 -UKB_EARTIFACT);
	assert_logged("^error: '.*/s64' is ELF 64-bit x86-64, statically linked, not stripped$");
	assert_int_equal(captured_count(LOG_LEVEL_ERROR), 4);
	free(capture_stop());
}

static void test_not_elf(void **state)
{
	struct elf_facts f;
	char *missing = path_join(top, "missing");

	(void)state;
	capture_start();
	assert_int_equal(verify_read_elf_quiet(notelf, &f), -UKB_EARTIFACT);
	assert_int_equal(verify_read_elf_quiet(missing, &f), -ENOENT);
	/* quiet means quiet */
	assert_string_equal(captured(), "");
	assert_int_equal(verify_artifact(notelf, ARCH_X86_64, 0, 0, &f),
			 -UKB_EARTIFACT);
	assert_logged("^error: '.*/prog\\.c' is not an ELF file$");
	assert_int_equal(verify_artifact(missing, ARCH_X86_64, 0, 0, &f),
			 -ENOENT);
	assert_logged("^error: cannot open '.*/missing': No such file or directory$");
	free(capture_stop());
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_artifact_checks),
		cmocka_unit_test(test_not_elf),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
