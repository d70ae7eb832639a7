#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/proc.h"
#include "verify/strip.h"
#include "base/banned.h"

int strip_artifact(const char *src, const char *dst, unsigned arch,
		   int want_static, struct elf_facts *elf,
		   char sha256[SHA256_HEX_LEN + 1], struct manifest *m)
{
	const char *argv[] = { "strip", "-s", dst, NULL };
	struct proc p = { .argv = argv };
	char desc[128];
	int ret;

	ret = copy_file(src, dst);
	if (ret) {
		error_errno(ret, "cannot copy '%s'", src);
		return -UKB_EBUILD;
	}
	ret = proc_run(&p);
	if (ret)
		return error(ret == -UKB_EINTR ? ret : -UKB_EBUILD,
			     "strip -s '%s' failed", dst);
	ret = verify_artifact(dst, arch, want_static, 1, elf);
	if (ret)
		return ret;
	ret = sha256_file(dst, sha256);
	if (ret)
		return ret;
	verify_describe(elf, desc, sizeof(desc));
	info("vmlinux: %s, %llu bytes", desc,
	     (unsigned long long)elf->file_size);
	manifest_pack(m, "vmlinux", "{s:s, s:I, s:I, s:I, s:I, s:i, s:b, s:b, s:s}",
		      "sha256", sha256, "file_size", (long long)elf->file_size,
		      "text_size", (long long)elf->text_size,
		      "data_size", (long long)elf->data_size,
		      "bss_size", (long long)elf->bss_size,
		      "elf_class", elf->elf_class, "static", elf->is_static,
		      "stripped", elf->stripped, "description", desc);
	return 0;
}
