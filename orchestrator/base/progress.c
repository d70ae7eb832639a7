#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/strbuf.h"
#include "base/wrapper.h"
#include "base/banned.h"

#define DELAY_MS 1000
#define REDRAW_MS 200

struct progress {
	char *title;            /* quoted: it may name a downloaded file */
	uint64_t total;
	uint64_t done;
	int bytes;
	int shown;
	uint64_t start_ms;
	uint64_t last_ms;
};

static struct progress *active;

static void progress_clear_line(void);

static void human(char *buf, size_t size, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB" };
	unsigned i = 0;

	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	snprintf(buf, size, i ? "%.1f %s" : "%.0f %s", v, unit[i]);
}

static void draw(struct progress *p, uint64_t t, const char *end)
{
	double secs = (double)(t - p->start_ms) / 1000.0;
	char a[32], b[32], r[32];

	if (p->bytes) {
		double rate = secs > 0 ? (double)p->done / secs : 0;

		human(a, sizeof(a), (double)p->done);
		human(r, sizeof(r), rate);
		if (p->total) {
			human(b, sizeof(b), (double)p->total);
			fprintf(stderr, "\r%s: %3u%% (%s/%s), %s/s, ETA %.0fs%s",
				p->title, (unsigned)(p->done * 100 / p->total),
				a, b, r,
				rate > 0 ? (double)(p->total - p->done) / rate : 0,
				end);
		} else {
			fprintf(stderr, "\r%s: %s, %s/s%s", p->title, a, r, end);
		}
	} else if (p->total) {
		fprintf(stderr, "\r%s: %3u%% (%llu/%llu)%s", p->title,
			(unsigned)(p->done * 100 / p->total),
			(unsigned long long)p->done,
			(unsigned long long)p->total, end);
	} else {
		fprintf(stderr, "\r%s: %llu, %.0fs%s", p->title,
			(unsigned long long)p->done, secs, end);
	}
	fflush(stderr);
	p->shown = 1;
	p->last_ms = t;
}

struct progress *progress_start(const char *title, uint64_t total, int bytes)
{
	struct progress *p;

	if (!log_interactive())
		return NULL;
	p = xcalloc(1, sizeof(*p));
	{
		struct strbuf sb = STRBUF_INIT;

		quote_ctrl_str(&sb, title);
		p->title = strbuf_detach(&sb, NULL);
	}
	p->total = total;
	p->bytes = bytes;
	p->start_ms = clock_ms();
	active = p;
	log_set_clear_hook(progress_clear_line);
	return p;
}

void progress_update(struct progress *p, uint64_t done)
{
	uint64_t t;

	if (!p)
		return;
	p->done = done;
	t = clock_ms();
	if (t - p->start_ms < DELAY_MS || t - p->last_ms < REDRAW_MS)
		return;
	draw(p, t, "\033[K");
}

void progress_stop(struct progress **pp)
{
	struct progress *p = *pp;

	if (!p)
		return;
	if (p->shown)
		draw(p, clock_ms(), ", done.\033[K\n");
	if (active == p)
		active = NULL;
	free(p->title);
	free(p);
	*pp = NULL;
}

/* Erase a progress line before other output is printed. */
static void progress_clear_line(void)
{
	if (active && active->shown) {
		fputs("\r\033[K", stderr);
		active->shown = 0;
		active->last_ms = 0;
	}
}
