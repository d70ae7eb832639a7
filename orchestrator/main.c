/* umlkbuild: build User-mode Linux kernels with TCP BBR as the default. */
#include <stdlib.h>

#include "cli.h"
#include "errors.h"
#include "sigchain.h"
#include "banned.h"

int main(int argc, char **argv)
{
	int ret;

	sigchain_install();
	ret = cli_run(argc, argv);
	if (sigchain_pending())
		sigchain_reraise();
	tmp_remove_all();
	return ukb_exit_code(ret);
}
