#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "host/fw-iptables.h"
#include "inet.h"
#include "log.h"
#include "proc.h"
#include "strvec.h"
#include "wrapper.h"
#include "banned.h"

/* our chains: the table, the built-in chain that jumps to it, its suffix */
static const struct hook {
	const char *table, *from, *suffix;
} hooks[] = {
	{ "nat", "PREROUTING", "PRE" },
	{ "nat", "POSTROUTING", "PST" },
	{ "filter", "FORWARD", "FWD" },
};
#define NR_HOOKS ARRAY_SIZE(hooks)

struct tools {
	const char *save, *restore;
	bool wait;              /* restore takes -w (iptables 1.6.2 and on) */
};

static void chain(struct strbuf *sb, const char *name, size_t h)
{
	strbuf_addf(sb, "UKB-%s-%s", name, hooks[h].suffix);
}

static void ports(struct strbuf *sb, const struct port_range *r,
		  const char *proto)
{
	strbuf_addf(sb, " -p %s", proto);
	if (netspec_is_all(r))
		return;
	if (r->lo == r->hi)
		strbuf_addf(sb, " --dport %u", r->lo);
	else
		strbuf_addf(sb, " --dport %u:%u", r->lo, r->hi);
}

/* one rule per protocol of r in the PRE chain */
static void pre_rules(struct strbuf *sb, const struct netspec *n,
		      const char *wan, const struct port_range *r,
		      const char *target)
{
	static const char *const names[] = { "tcp", "udp" };

	for (unsigned p = 0; p < 2; p++) {
		if (!(r->proto & (1u << p)))
			continue;
		strbuf_addstr(sb, "-A ");
		chain(sb, n->name, 0);
		strbuf_addf(sb, " -i %s", wan);
		ports(sb, r, names[p]);
		strbuf_addf(sb, " -j %s\n", target);
	}
}

static void render_nat(const struct netspec *n, const char *wan,
		       const bool *jumped, struct strbuf *sb)
{
	char g[16], net[16], *dnat;

	inet_ntoa_r(n->guest_ip, g, sizeof(g));
	inet_ntoa_r(n->host_ip & inet_mask(n->prefix), net, sizeof(net));
	strbuf_addstr(sb, "*nat\n");
	for (size_t h = 0; h < 2; h++) {
		strbuf_addch(sb, ':');
		chain(sb, n->name, h);
		strbuf_addstr(sb, " - [0:0]\n");
	}
	for (size_t h = 0; h < 2; h++) {
		if (jumped[h])
			continue;
		strbuf_addf(sb, "-I %s -j ", hooks[h].from);
		chain(sb, n->name, h);
		strbuf_addch(sb, '\n');
	}
	/* reserved ports first: they never reach a DNAT */
	for (size_t i = 0; i < n->nr_reserve; i++)
		pre_rules(sb, n, wan, &n->reserve[i], "RETURN");
	dnat = xasprintf("DNAT --to-destination %s", g);
	for (size_t i = 0; i < n->nr_fwd; i++)
		pre_rules(sb, n, wan, &n->fwd[i], dnat);
	free(dnat);
	strbuf_addstr(sb, "-A ");
	chain(sb, n->name, 1);
	strbuf_addf(sb, " -s %s/%u -o %s -j MASQUERADE\nCOMMIT\n", net,
		    n->prefix, wan);
}

static void render_filter(const struct netspec *n, const bool *jumped,
			  struct strbuf *sb)
{
	char g[16];

	inet_ntoa_r(n->guest_ip, g, sizeof(g));
	strbuf_addstr(sb, "*filter\n:");
	chain(sb, n->name, 2);
	strbuf_addstr(sb, " - [0:0]\n");
	if (!jumped[2]) {
		strbuf_addf(sb, "-I %s -j ", hooks[2].from);
		chain(sb, n->name, 2);
		strbuf_addch(sb, '\n');
	}
	/* the guest's own traffic out; in, only answers and our DNATs */
	strbuf_addstr(sb, "-A ");
	chain(sb, n->name, 2);
	strbuf_addf(sb, " -s %s/32 -i %s -j ACCEPT\n", g, n->tap);
	strbuf_addstr(sb, "-A ");
	chain(sb, n->name, 2);
	strbuf_addf(sb, " -d %s/32 -o %s -m conntrack --ctstate "
		    "RELATED,ESTABLISHED,DNAT -j ACCEPT\nCOMMIT\n", g, n->tap);
}

void fw_ipt_render(const struct netspec *n, const char *wan_if,
		   struct strbuf *out)
{
	static const bool none[NR_HOOKS];

	render_nat(n, wan_if, none, out);
	render_filter(n, none, out);
}

/* "iptables-restore v1.8.9 (legacy)": the variant, and whether -w works */
static int restore_version(const char *restore, bool *nft, bool *wait)
{
	const char *argv[] = { restore, "--version", NULL };
	struct strbuf out = STRBUF_INIT;
	unsigned a = 0, b = 0, c = 0;
	const char *v;
	int ret = proc_capture(argv, &out);

	*nft = strstr(out.buf, "nf_tables") != NULL;
	v = strstr(out.buf, " v");
	if (!ret && v && sscanf(v, " v%u.%u.%u", &a, &b, &c) >= 2)
		*wait = a > 1 || (a == 1 && (b > 6 || (b == 6 && c >= 2)));
	else
		*wait = false;
	strbuf_release(&out);
	return ret;
}

static int tools(bool legacy, struct tools *t)
{
	const char *own = legacy ? "iptables-legacy-restore" :
				   "iptables-nft-restore";
	bool nft;

	t->save = legacy ? "iptables-legacy-save" : "iptables-nft-save";
	t->restore = own;
	if (!proc_have(own)) {
		/* older hosts: one iptables, whichever it is */
		t->save = "iptables-save";
		t->restore = "iptables-restore";
		if (!proc_have(t->restore) || !proc_have(t->save))
			return -ENOENT;
	}
	if (restore_version(t->restore, &nft, &t->wait) &&
	    t->restore == own)
		return -ENOENT;
	if (nft == legacy && t->restore != own)
		return -ENOENT;
	return 0;
}

int fw_ipt_usable(bool legacy, const char **save)
{
	struct tools t;
	int ret = tools(legacy, &t);

	if (!ret && save)
		*save = t.save;
	return ret;
}

static int run_save(const struct tools *t, struct strbuf *out)
{
	const char *argv[] = { t->save, NULL };
	int ret = proc_capture(argv, out);

	if (ret) {
		strbuf_rtrim(out);
		return error(-UKB_EHOST, "'%s' failed: %s", t->save,
			     out->len ? out->buf : ukb_strerror(ret));
	}
	return 0;
}

static int run_restore(const struct tools *t, const struct strbuf *in)
{
	const char *argv[] = { t->restore, "--noflush",
			       t->wait ? "-w" : NULL, NULL };
	struct strbuf out = STRBUF_INIT;
	struct proc p = { .argv = argv, .capture = &out, .quiet_log = 1,
			  .timeout_ms = 60000, .input = in->buf,
			  .input_len = in->len };
	int ret = proc_run(&p);

	if (ret) {
		strbuf_rtrim(&out);
		if (!out.len)
			proc_describe(&p, &out);
		ret = error(-UKB_EHOST, "'%s --noflush' refused the rules: %.*s",
			    t->restore, (int)strcspn(out.buf, "\n"), out.buf);
		hint("`umlkbuild deploy --dry-run` prints them");
	}
	strbuf_release(&out);
	return ret;
}

struct scan {
	bool chain[NR_HOOKS];   /* declared */
	bool jump[NR_HOOKS];    /* jumped to exactly as we do it */
	struct strbuf undo[2];  /* "-D ..." of every jump to ours: nat, filter */
};

/* whether line jumps or goes to the chain called c */
static bool targets(const char *line, const char *c)
{
	size_t len = strlen(c);

	for (const char *p = line; (p = strstr(p, " -")); p += 2) {
		if ((p[2] != 'j' && p[2] != 'g') || p[3] != ' ')
			continue;
		if (!strncmp(p + 4, c, len) && (!p[4 + len] || p[4 + len] == ' '))
			return true;
	}
	return false;
}

/* whether the rule line is in one of the chains of name */
static bool in_ours(const char *line, const char *name)
{
	struct strbuf c = STRBUF_INIT;
	bool ours = false;

	for (size_t h = 0; h < NR_HOOKS && !ours; h++) {
		strbuf_reset(&c);
		chain(&c, name, h);
		ours = !strncmp(line + 3, c.buf, c.len) &&
		       line[3 + c.len] == ' ';
	}
	strbuf_release(&c);
	return ours;
}

static void scan_line(const char *line, int table, const char *name,
		      struct scan *s)
{
	struct strbuf c = STRBUF_INIT, jump = STRBUF_INIT;
	bool rule = !strncmp(line, "-A ", 3) && !in_ours(line, name);

	for (size_t h = 0; h < NR_HOOKS; h++) {
		if (strcmp(hooks[h].table, table ? "filter" : "nat"))
			continue;
		strbuf_reset(&c);
		chain(&c, name, h);
		if (line[0] == ':' && !strncmp(line + 1, c.buf, c.len) &&
		    line[1 + c.len] == ' ')
			s->chain[h] = true;
		if (!rule || !targets(line, c.buf))
			continue;
		strbuf_addf(&s->undo[table], "-D %s\n", line + 3);
		strbuf_reset(&jump);
		strbuf_addf(&jump, "-A %s -j %s", hooks[h].from, c.buf);
		if (!strcmp(line, jump.buf))
			s->jump[h] = true;
	}
	strbuf_release(&c);
	strbuf_release(&jump);
}

static void scan(const char *save, const char *name, struct scan *s)
{
	int table = -1;

	memset(s, 0, sizeof(*s));
	strbuf_init(&s->undo[0], 0);
	strbuf_init(&s->undo[1], 0);
	for (const char *p = save; *p; ) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);

		if (line[0] == '*')
			table = !strcmp(line, "*nat") ? 0 :
				!strcmp(line, "*filter") ? 1 : -1;
		else if (table >= 0)
			scan_line(line, table, name, s);
		free(line);
		p += len + (p[len] == '\n');
	}
}

static void scan_release(struct scan *s)
{
	strbuf_release(&s->undo[0]);
	strbuf_release(&s->undo[1]);
}

static int look(bool legacy, const char *name, struct tools *t,
		struct scan *s)
{
	struct strbuf out = STRBUF_INIT;
	int ret = tools(legacy, t);

	if (ret)
		return error(-UKB_EHOST, "no %s on this host",
			     legacy ? "iptables-legacy" : "iptables-nft");
	ret = run_save(t, &out);
	if (!ret)
		scan(out.buf, name, s);
	strbuf_release(&out);
	return ret;
}

int fw_ipt_apply(const struct netspec *n, const char *wan_if, bool legacy)
{
	struct strbuf in = STRBUF_INIT;
	struct tools t;
	struct scan s;
	int ret = look(legacy, n->name, &t, &s);

	if (ret)
		return ret;
	/* declaring our chains flushes them: the jumps are kept */
	render_nat(n, wan_if, s.jump, &in);
	render_filter(n, s.jump, &in);
	ret = run_restore(&t, &in);
	strbuf_release(&in);
	scan_release(&s);
	return ret;
}

int fw_ipt_remove(const char *name, bool legacy)
{
	struct strbuf in = STRBUF_INIT, c = STRBUF_INIT;
	struct tools t;
	struct scan s;
	int ret = look(legacy, name, &t, &s);

	if (ret)
		return ret;
	for (int table = 0; table < 2; table++) {
		size_t start = in.len;

		strbuf_addf(&in, "*%s\n", table ? "filter" : "nat");
		strbuf_addstr(&in, s.undo[table].buf);
		for (size_t h = 0; h < NR_HOOKS; h++) {
			if (!s.chain[h] || (hooks[h].table[0] == 'f') != table)
				continue;
			strbuf_reset(&c);
			chain(&c, name, h);
			strbuf_addf(&in, "-F %s\n-X %s\n", c.buf, c.buf);
		}
		if (in.len == start + strlen(table ? "*filter\n" : "*nat\n"))
			strbuf_setlen(&in, start);
		else
			strbuf_addstr(&in, "COMMIT\n");
	}
	if (in.len)
		ret = run_restore(&t, &in);
	strbuf_release(&in);
	strbuf_release(&c);
	scan_release(&s);
	return ret;
}

int fw_ipt_present(const char *name, bool legacy)
{
	struct tools t;
	struct scan s;
	int ret = look(legacy, name, &t, &s);

	if (ret)
		return ret;
	ret = 1;
	for (size_t h = 0; h < NR_HOOKS; h++)
		if (!s.chain[h] || !s.jump[h])
			ret = 0;
	scan_release(&s);
	return ret;
}

int fw_ipt_forward_drops(bool legacy)
{
	struct strbuf out = STRBUF_INIT, names = STRBUF_INIT;
	const char *argv[] = { NULL, "-t", "filter", NULL };
	struct tools t;
	int ret = 0;

	/* a legacy table that is not loaded has no policy to read */
	if (legacy && (strbuf_read_file(&names, "/proc/net/ip_tables_names") ||
		       !strstr(names.buf, "filter")))
		goto out;
	if (tools(legacy, &t))
		goto out;
	argv[0] = t.save;
	if (!proc_capture(argv, &out))
		ret = strstr(out.buf, "\n:FORWARD DROP") != NULL;
out:
	strbuf_release(&out);
	strbuf_release(&names);
	return ret;
}
