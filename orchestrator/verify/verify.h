/* Facts about a built kernel binary, read with libelf, and their check. */
#ifndef UKB_VERIFY_H
#define UKB_VERIFY_H

#include <stdint.h>

struct elf_facts {
	int elf_class;          /* 32 or 64 */
	int machine;            /* EM_X86_64 or EM_386 */
	int is_static;          /* no PT_INTERP and no PT_DYNAMIC */
	int stripped;           /* no .symtab */
	uint64_t file_size;
	uint64_t text_size, data_size, bss_size;
};

/* Read facts without a message (a probe). */
int verify_read_elf_quiet(const char *path, struct elf_facts *f);
/*
 * Check an artifact for arch (ARCH_*): right class and machine, static
 * when want_static, and stripped when want_stripped. Returns 0 or -UKB_EARTIFACT.
 */
int verify_artifact(const char *path, unsigned arch, int want_static,
		    int want_stripped, struct elf_facts *f);
/* "ELF 64-bit x86-64, statically linked, stripped" into buf. */
void verify_describe(const struct elf_facts *f, char *buf, size_t size);

#endif
