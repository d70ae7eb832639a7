/*
 * deny-syscall NAME[,NAME...] PROGRAM [ARG...]: run PROGRAM with the named
 * system calls failing with ENOSYS, as on a host kernel that predates
 * them (libseccomp). The tests use it to play an old host on a new one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	char *names, *name, *save = NULL;

	if (argc < 3) {
		fputs("usage: deny-syscall NAME[,NAME...] PROGRAM [ARG...]\n", stderr);
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		fputs("deny-syscall: seccomp_init failed\n", stderr);
		return 1;
	}
	names = strdup(argv[1]);
	for (name = strtok_r(names, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "deny-syscall: unknown system call '%s'\n", name);
			return 2;
		}
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0) {
			fprintf(stderr, "deny-syscall: cannot deny '%s'\n", name);
			return 1;
		}
	}
	free(names);
	if (seccomp_load(ctx) < 0) {
		fputs("deny-syscall: seccomp_load failed\n", stderr);
		return 1;
	}
	seccomp_release(ctx);
	execvp(argv[2], argv + 2);
	fprintf(stderr, "deny-syscall: cannot run '%s': %s\n", argv[2], strerror(errno));
	return 127;
}
