#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/sigchain.h"
#include "base/wrapper.h"
#include "base/banned.h"

static volatile sig_atomic_t pending;
static char **tmp_paths;
static size_t tmp_nr, tmp_alloc;

static void on_signal(int sig)
{
	pending = sig;
}

void sigchain_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int sigchain_pending(void)
{
	return pending;
}

void sigchain_reraise(void)
{
	int sig = pending;

	tmp_remove_all();
	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

void tmp_register(const char *path)
{
	ALLOC_GROW(tmp_paths, tmp_nr + 1, tmp_alloc);
	tmp_paths[tmp_nr++] = xstrdup(path);
}

void tmp_forget(const char *path)
{
	for (size_t i = tmp_nr; i-- > 0;) {
		if (strcmp(tmp_paths[i], path))
			continue;
		free(tmp_paths[i]);
		memmove(tmp_paths + i, tmp_paths + i + 1,
			(tmp_nr - i - 1) * sizeof(*tmp_paths));
		tmp_nr--;
		return;
	}
}

void tmp_remove_all(void)
{
	while (tmp_nr) {
		char *p = tmp_paths[--tmp_nr];

		rmtree(p);
		free(p);
	}
	free(tmp_paths);
	tmp_paths = NULL;
	tmp_alloc = 0;
}
