/* `umlkbuild console NAME [N]`: the host pty of the guest's console N. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "cli/hostcmds.h"
#include "host/deployment.h"
#include "host/vmstate.h"
#include "base/banned.h"

static int pick(const char *s, unsigned *n)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 1 || v >= VM_CONSOLES)
		return error(-UKB_EUSAGE, "invalid console '%s': expected 1 to "
			     "%d", s, VM_CONSOLES - 1);
	*n = (unsigned)v;
	return 0;
}

static int show(const char *name, unsigned n)
{
	char *run = deployment_run_dir(name);
	char *state = path_join(run, "state.json");
	struct vmstate st;
	int ret = 0;

	vmstate_init(&st);
	vmstate_read(&st, state);
	if (!vm_is_ours(st.vm_pid, name)) {
		ret = error(-UKB_EHOST, "the VM of '%s' is not running", name);
		hint("'umlkbuild status %s' says why", name);
	} else if (!st.pts[n]) {
		ret = error(-UKB_EHOST, "console %u of '%s' has no pty yet: the "
			    "guest has not opened it", n, name);
	} else {
		puts(st.pts[n]);
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			info("attach with: screen %s", st.pts[n]);
	}
	vmstate_release(&st);
	free(run);
	free(state);
	return ret;
}

static int console_cmd(int argc, char **argv)
{
	struct deployment d;
	const char *name = NULL;
	unsigned n = 1;
	int ret = hostcmd_parse_name(&cmd_console, argc, argv, 2, &name);

	if (ret)
		return ret == OPTS_DONE ? 0 : ret;
	if (optind + 1 < argc && (ret = pick(argv[optind + 1], &n)))
		return ret;
	ret = deployment_load(&d, name, 0);
	if (!ret)
		ret = show(name, n);
	deployment_release(&d);
	return ret;
}

static const struct opt console_opts[] = { OPT_END };

const struct cmd cmd_console = {
	.name = "console",
	.fn = console_cmd,
	.help = "print the host pty of a deployment's guest console",
	.usage = "usage: umlkbuild console NAME [N]\n"
		 "\n"
		 "Prints the host pty of the guest's console N (default 1, its tty1),\n"
		 "for `screen /dev/pts/M` or any terminal program.\n",
	.opts = console_opts,
	.flags = CMD_POSIX,
};
