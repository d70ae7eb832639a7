#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>


#include "base/errors.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "boot/hostkernel.h"
#include "cli/doctor.h"
#include "compile/kbuild.h"
#include "compile/preflight.h"
#include "verify/kmodcheck.h"
#include "base/banned.h"

static int add(struct doctor_report *rep, const char *name, int ok,
	       const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int add(struct doctor_report *rep, const char *name, int ok,
	       const char *fix, const char *fmt, ...)
{
	struct doctor_item *it;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(rep->items, rep->nr + 1, rep->alloc);
	it = &rep->items[rep->nr++];
	it->name = name;
	it->ok = ok;
	it->detail = strbuf_detach(&sb, NULL);
	it->fix = !ok && fix ? xstrdup(fix) : NULL;
	return !ok;
}

void doctor_report_release(struct doctor_report *rep)
{
	for (size_t i = 0; i < rep->nr; i++) {
		free(rep->items[i].detail);
		free(rep->items[i].fix);
	}
	free(rep->items);
	memset(rep, 0, sizeof(*rep));
}

/*
 * Run fn in a child (fork, never exec a shell); its exit code comes back.
 * For checks that must not touch this process: ptrace, namespaces, exec.
 */
static int in_child(int (*fn)(void), int *status)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(fn());
	while (waitpid(pid, status, WUNTRACED) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSTOPPED(*status)) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return 0;
}

/* In a private network namespace when we may, so the host sees nothing. */
static int child_tap(void)
{
	struct ifreq ifr;
	int fd;

	(void)unshare(CLONE_NEWNET);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 100 + (errno & 0x3f);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "ukbdoc%%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return 200 + (errno & 0x3f);
	return 0;
}

static int check_tun_device(struct doctor_report *rep)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), status = 0;

	if (fd < 0 && errno == ENOENT)
		return add(rep, "tun_device", 0,
			   "mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun",
			   "/dev/net/tun does not exist");
	if (fd < 0)
		return add(rep, "tun_device", 0,
			   geteuid() ? "chmod 0666 /dev/net/tun (as root), or on OpenVZ: vzctl set CTID --devnodes net/tun:rw --save" :
				       "on OpenVZ: vzctl set CTID --devnodes net/tun:rw --capability net_admin:on --save",
			   "cannot open /dev/net/tun: %s", strerror(errno));
	close(fd);
	if (in_child(child_tap, &status) < 0 || !WIFEXITED(status))
		return add(rep, "tun_device", 0, NULL,
			   "cannot test creating a TAP device");
	if (WEXITSTATUS(status) >= 200 && geteuid())
		/* an ordinary user gets a TAP that root made for them */
		return add(rep, "tun_device", 0,
			   "ip tuntap add tap0 mode tap user $USER (as root), then eth0=tuntap,tap0",
			   "/dev/net/tun opens, but creating a TAP device needs CAP_NET_ADMIN");
	if (WEXITSTATUS(status))
		return add(rep, "tun_device", 0,
			   "ip tuntap add tap0 mode tap",
			   "/dev/net/tun opens, but creating a TAP device fails: %s",
			   strerror(WEXITSTATUS(status) % 100));
	return add(rep, "tun_device", 1, NULL,
		   "/dev/net/tun opens and creates TAP devices");
}

static int check_tun_driver(struct doctor_report *rep)
{
	struct strbuf d = STRBUF_INIT;
	enum kmodcheck_host s = kmodcheck_host_module("tun", &d);
	int present = access("/sys/class/misc/tun", F_OK) == 0, ret;

	switch (s) {
	case KMODCHECK_HOST_BUILTIN:
	case KMODCHECK_HOST_LOADED:
		ret = add(rep, "tun_driver", 1, NULL, "tun %s", d.buf);
		break;
	case KMODCHECK_HOST_LOADABLE:
		ret = add(rep, "tun_driver", 1, NULL,
			  "tun %s (opening /dev/net/tun loads it)", d.buf);
		break;
	case KMODCHECK_HOST_NO_INDEX:
		ret = add(rep, "tun_driver", present,
			  "ask the host's administrator to load it: modprobe tun",
			  "%s; the tun driver %s", d.buf,
			  present ? "is present (/sys/class/misc/tun)" :
				    "is not present");
		break;
	default:
		ret = add(rep, "tun_driver", present,
			  "a host kernel with CONFIG_TUN=y or =m is needed",
			  "tun %s%s", d.buf,
			  present ? ", yet /sys/class/misc/tun exists" : "");
	}
	strbuf_release(&d);
	return ret;
}

/* As arch/um/os-Linux/mem.c chooses: TMPDIR, TMP, TEMP, /dev/shm if tmpfs, /tmp. */
const char *doctor_uml_tempdir(int *from_env)
{
	static const char *const vars[] = { "TMPDIR", "TMP", "TEMP" };
	struct statfs st;

	*from_env = 1;
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *dir = getenv(vars[i]);

		if (dir && *dir)
			return dir;
	}
	*from_env = 0;
	if (statfs("/dev/shm", &st) == 0 && st.f_type == TMPFS_MAGIC)
		return "/dev/shm";
	return "/tmp";
}

static const char *fs_name(long type)
{
	switch (type) {
	case EXT4_SUPER_MAGIC:
		return "ext2/3/4";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs";
	case NFS_SUPER_MAGIC:
		return "nfs";
	default:
		return "not tmpfs";
	}
}

static int check_tmpfs(struct doctor_report *rep, const char *dir, int from_env)
{
	struct statfs st;
	const char *fix = from_env ? "export TMPDIR=/dev/shm (or unset TMPDIR, TMP and TEMP)" :
				     "mount -t tmpfs -o size=50%,mode=1777 tmpfs /dev/shm";

	if (statfs(dir, &st) < 0)
		return add(rep, "tmpfs", 0, fix, "UML's memory directory '%s': %s",
			   dir, strerror(errno));
	if (st.f_type != TMPFS_MAGIC)
		return add(rep, "tmpfs", 0, fix,
			   "UML's memory directory '%s' is on %s, not tmpfs: guest memory would be written back to disk",
			   dir, fs_name((long)st.f_type));
	return add(rep, "tmpfs", 1, NULL, "UML's memory directory '%s' is on tmpfs",
		   dir);
}

/* What check_tmpexec() in arch/um/os-Linux/mem.c does at boot. */
static int check_exec_mmap(struct doctor_report *rep, const char *dir)
{
	char *fix = xasprintf("mount -o remount,exec %s", dir);
	long page = sysconf(_SC_PAGESIZE);
	void *addr;
	int fd, ret;

	fd = open(dir, O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC, 0700);
	if (fd < 0) {
		ret = add(rep, "exec_mmap", 0, "export TMPDIR=/dev/shm",
			  "cannot create UML's memory file in '%s': %s", dir,
			  strerror(errno));
		goto out;
	}
	if (ftruncate(fd, page) < 0) {
		ret = add(rep, "exec_mmap", 0, NULL, "cannot size a file in '%s': %s",
			  dir, strerror(errno));
		goto out;
	}
	addr = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE, fd, 0);
	if (addr == MAP_FAILED) {
		ret = add(rep, "exec_mmap", 0, fix,
			  "a file in '%s' cannot be mapped with PROT_EXEC: %s%s",
			  dir, strerror(errno),
			  errno == EPERM ? " (mounted noexec)" : "");
		goto out;
	}
	munmap(addr, (size_t)page);
	ret = add(rep, "exec_mmap", 1, NULL, "files in '%s' map with PROT_EXEC", dir);
out:
	if (fd >= 0)
		close(fd);
	free(fix);
	return ret;
}

static int child_traceme(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		return 100 + (errno & 0x3f);
	raise(SIGSTOP);
	return 0;
}

static int check_ptrace(struct doctor_report *rep)
{
	int status = 0;

	if (in_child(child_traceme, &status) < 0)
		return add(rep, "ptrace", 0, NULL, "cannot fork: %s", strerror(errno));
	if (WIFSTOPPED(status))
		return add(rep, "ptrace", 1, NULL,
			   "a child can PTRACE_TRACEME and be traced");
	return add(rep, "ptrace", 0,
		   "sysctl -w kernel.yama.ptrace_scope=1; in a container: allow ptrace (docker run --cap-add SYS_PTRACE --security-opt seccomp=unconfined)",
		   "PTRACE_TRACEME fails: %s",
		   WIFEXITED(status) && WEXITSTATUS(status) >= 100 ?
			   strerror(WEXITSTATUS(status) - 100) : "the child died");
}

/* exit(42) as an i386 ELF: does this host run 32-bit binaries? */
static int child_exec32(void)
{
	static const unsigned char code[] = {
		0xbb, 42, 0, 0, 0,      /* mov $42, %ebx */
		0xb8, 1, 0, 0, 0,       /* mov $1, %eax (exit) */
		0xcd, 0x80,             /* int $0x80 */
	};
	const Elf32_Addr base = 0x08048000;
	struct {
		Elf32_Ehdr eh;
		Elf32_Phdr ph;
		unsigned char code[sizeof(code)];
	} __attribute__((packed)) img;
	char *const argv[] = { (char *)"ukb-exec32", NULL };
	char *const envp[] = { NULL };
	int fd;

	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS32;
	img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img.eh.e_ident[EI_VERSION] = EV_CURRENT;
	img.eh.e_type = ET_EXEC;
	img.eh.e_machine = EM_386;
	img.eh.e_version = EV_CURRENT;
	img.eh.e_entry = base + offsetof(__typeof__(img), code);
	img.eh.e_phoff = sizeof(img.eh);
	img.eh.e_ehsize = sizeof(img.eh);
	img.eh.e_phentsize = sizeof(img.ph);
	img.eh.e_phnum = 1;
	img.ph.p_type = PT_LOAD;
	img.ph.p_vaddr = img.ph.p_paddr = base;
	img.ph.p_filesz = img.ph.p_memsz = sizeof(img);
	img.ph.p_flags = PF_R | PF_X;
	img.ph.p_align = 0x1000;
	memcpy(img.code, code, sizeof(code));
	fd = memfd_create("ukb-exec32", MFD_CLOEXEC);
	if (fd < 0 || write(fd, &img, sizeof(img)) != (ssize_t)sizeof(img))
		return 100;
	fexecve(fd, argv, envp);
	return 101;
}

static int check_arch(struct doctor_report *rep)
{
	struct utsname u;
	int status = 0, runs32;

	if (uname(&u) < 0)
		return add(rep, "arch", 0, NULL, "uname: %s", strerror(errno));
	if (!strcmp(u.machine, "i386") || !strcmp(u.machine, "i686"))
		return add(rep, "arch", 1, NULL,
			   "32-bit %s host: use the i386 artifact (umlkbuild --arch i386)",
			   u.machine);
	if (strcmp(u.machine, "x86_64"))
		return add(rep, "arch", 0,
			   "run the artifact on an x86_64 or i386 host",
			   "%s host: umlkbuild's UML artifacts are x86 only",
			   u.machine);
	runs32 = in_child(child_exec32, &status) == 0 && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 42;
	return add(rep, "arch", 1, NULL, "64-bit x86_64 host, %s",
		   runs32 ? "runs 32-bit binaries too: the x86_64 and the i386 artifact fit" :
			    "cannot run 32-bit binaries: use the x86_64 artifact");
}

/* The newest UML line this host's kernel runs (boot/hostkernel.h). */
static int check_host_kernel(struct doctor_report *rep)
{
	struct hostkernel hk;
	char newest[32];

	hostkernel_probe(&hk);
	hostkernel_newest_line(&hk, newest, sizeof(newest));
	if (hk.has_execveat && hk.has_memfd)
		return add(rep, "host_kernel", 1, NULL,
			   "Linux %s has execveat and memfd_create: it runs every UML line",
			   hk.release);
	/* not a failure: the older lines run; the artifact must fit */
	return add(rep, "host_kernel", 1, NULL,
		   "Linux %s lacks %s: it runs UML %s and older (6.13 and later start their processes with execveat of a memfd)",
		   hk.release, hk.has_execveat ? "memfd_create" : "execveat",
		   newest);
}

int doctor_run(struct doctor_report *rep)
{
	int from_env, failed = 0;
	const char *dir = doctor_uml_tempdir(&from_env);

	failed += check_tun_device(rep);
	failed += check_tun_driver(rep);
	failed += check_tmpfs(rep, dir, from_env);
	failed += check_exec_mmap(rep, dir);
	failed += check_ptrace(rep);
	failed += check_arch(rep);
	failed += check_host_kernel(rep);
	return failed;
}

static void print_json(const struct doctor_report *rep, int failed)
{
	struct manifest *m = manifest_new();
	char *text;

	manifest_set_bool(m, "ok", !failed);
	manifest_set_int(m, "failed", failed);
	manifest_pack(m, "checks", "[]");
	for (size_t i = 0; i < rep->nr; i++) {
		const struct doctor_item *it = &rep->items[i];

		if (it->fix)
			manifest_append(m, "checks", "{s:s, s:b, s:s, s:s}",
					"name", it->name, "ok", it->ok,
					"detail", it->detail, "fix", it->fix);
		else
			manifest_append(m, "checks", "{s:s, s:b, s:s}",
					"name", it->name, "ok", it->ok,
					"detail", it->detail);
	}
	text = manifest_dumps(m);
	if (text)
		fputs(text, stdout);
	free(text);
	manifest_free(m);
}

int doctor_report(int json, int build, unsigned arch)
{
	struct doctor_report rep = { 0 };
	int failed;

	failed = doctor_run(&rep);
	if (build) {
		/* preflight names each missing tool and its package on stderr */
		int bad = preflight_build(arch, NULL, NULL) != 0;

		failed += add(&rep, "build_tools", !bad, "toolchain/install.sh",
			      bad ? "tools a %s build needs are missing (named above)" :
				    "the tools a %s build needs are installed",
			      kbuild_arch_name(arch));
	}
	if (json) {
		print_json(&rep, failed);
	} else {
		for (size_t i = 0; i < rep.nr; i++) {
			printf("%s %s: %s\n", rep.items[i].ok ? "ok" : "fail",
			       rep.items[i].name, rep.items[i].detail);
			if (rep.items[i].fix)
				printf("  fix: %s\n", rep.items[i].fix);
		}
	}
	doctor_report_release(&rep);
	if (failed)
		return error(-UKB_EHOST, "%d of the host checks failed", failed);
	return 0;
}
