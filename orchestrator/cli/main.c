/* umlkbuild: build User-mode Linux kernels with TCP BBR as the default. */
#include <stdlib.h>

#include "base/errors.h"
#include "base/sigchain.h"
#include "cli/cli.h"
#include "source/fetch.h"
#include "source/gitsrc.h"
#include "base/banned.h"

int main(int argc, char **argv)
{
	int ret;

	sigchain_install();
	fetch_global_init();
	gitsrc_global_init();
	ret = cli_run(argc, argv);
	gitsrc_global_cleanup();
	fetch_global_cleanup();
	if (sigchain_pending())
		sigchain_reraise();
	tmp_remove_all();
	return ukb_exit_code(ret);
}
