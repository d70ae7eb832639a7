/* umlkbuild: build User-mode Linux kernels with TCP BBR as the default. */
#include <stdlib.h>

#include "cli.h"
#include "errors.h"
#include "fetch.h"
#include "gitsrc.h"
#include "sigchain.h"
#include "banned.h"

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
