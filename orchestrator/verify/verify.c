#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/scope.h"
#include "verify/verify.h"
#include "base/banned.h"

static int read_elf(const char *path, struct elf_facts *f, int quiet);

/* Read facts; returns 0 or -UKB_EARTIFACT/-errno with a message. */
static int verify_read_elf(const char *path, struct elf_facts *f)
{
	return read_elf(path, f, 0);
}

int verify_read_elf_quiet(const char *path, struct elf_facts *f)
{
	return read_elf(path, f, 1);
}

static int read_elf(const char *path, struct elf_facts *f, int quiet)
{
	GElf_Ehdr eh;
	struct stat st;
	Elf_Scn *scn = NULL;
	size_t shstrndx, nphdr;
	Elf *e = NULL;
	int fd, ret = 0;

	memset(f, 0, sizeof(*f));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return quiet ? -UKB_EARTIFACT :
			error(-UKB_EARTIFACT, "libelf is unusable: %s",
			      elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return quiet ? -errno : error_errno(0, "cannot open '%s'", path);
	if (fstat(fd, &st) == 0)
		f->file_size = (uint64_t)st.st_size;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		ret = quiet ? -UKB_EARTIFACT :
			error(-UKB_EARTIFACT, "'%s' is not an ELF file", path);
		goto out;
	}
	f->elf_class = gelf_getclass(e) == ELFCLASS32 ? 32 : 64;
	f->machine = eh.e_machine;
	f->is_static = 1;
	if (elf_getphdrnum(e, &nphdr) == 0) {
		for (size_t i = 0; i < nphdr; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(e, (int)i, &ph))
				continue;
			if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
				f->is_static = 0;
		}
	}
	f->stripped = 1;
	if (elf_getshdrstrndx(e, &shstrndx) == 0) {
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;

			if (!gelf_getshdr(scn, &sh))
				continue;
			if (sh.sh_type == SHT_SYMTAB)
				f->stripped = 0;
			if (!(sh.sh_flags & SHF_ALLOC))
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			if (sh.sh_type == SHT_NOBITS)
				f->bss_size += sh.sh_size;
			else if (sh.sh_flags & SHF_EXECINSTR)
				f->text_size += sh.sh_size;
			else if (sh.sh_flags & SHF_WRITE)
				f->data_size += sh.sh_size;
			else if (name && !strncmp(name, ".rodata", 7))
				f->text_size += sh.sh_size;
		}
	}
out:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

void verify_describe(const struct elf_facts *f, char *buf, size_t size)
{
	snprintf(buf, size, "ELF %d-bit %s, %s, %s", f->elf_class,
		 f->machine == EM_X86_64 ? "x86-64" :
		 f->machine == EM_386 ? "Intel 80386" : "other machine",
		 f->is_static ? "statically linked" : "dynamically linked",
		 f->stripped ? "stripped" : "not stripped");
}

int verify_artifact(const char *path, unsigned arch, int want_static,
		    int want_stripped, struct elf_facts *f)
{
	int want_class = arch == ARCH_I386 ? 32 : 64;
	int want_machine = arch == ARCH_I386 ? EM_386 : EM_X86_64;
	char desc[128];
	int ret = verify_read_elf(path, f);

	if (ret)
		return ret;
	verify_describe(f, desc, sizeof(desc));
	if (f->elf_class != want_class || f->machine != want_machine)
		return error(-UKB_EARTIFACT, "'%s' is %s, not a %s binary", path,
			     desc, arch == ARCH_I386 ? "i386" : "x86_64");
	if (want_static && !f->is_static)
		return error(-UKB_EARTIFACT,
			     "'%s' is %s: it would need the build host's libraries",
			     path, desc);
	if (want_stripped && !f->stripped)
		return error(-UKB_EARTIFACT, "'%s' is %s", path, desc);
	return 0;
}
