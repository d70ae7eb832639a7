#include <errno.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "host/fw-nft.h"
#include "inet.h"
#include "log.h"
#include "wrapper.h"
#include "banned.h"

/* Run one batch; the output and the error text into out and err (NULL
 * to drop them). Returns 0, -EIO when nft refused it, or -ENOMEM. */
static int run(const char *cmd, struct strbuf *out, struct strbuf *err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *s;
	int ret;

	if (!ctx)
		return -ENOMEM;
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	ret = nft_run_cmd_from_buffer(ctx, cmd) ? -EIO : 0;
	s = nft_ctx_get_output_buffer(ctx);
	if (out && s)
		strbuf_addstr(out, s);
	s = nft_ctx_get_error_buffer(ctx);
	if (err && s)
		strbuf_addstr(err, s);
	nft_ctx_free(ctx);
	return ret;
}

static void rules(struct strbuf *sb, const char *wan,
		  const struct port_range *r, const char *verdict)
{
	static const char *const names[] = { "tcp", "udp" };

	for (unsigned p = 0; p < 2; p++) {
		if (!(r->proto & (1u << p)))
			continue;
		strbuf_addf(sb, "\t\tiifname \"%s\" ", wan);
		if (netspec_is_all(r))
			strbuf_addf(sb, "meta l4proto %s", names[p]);
		else if (r->lo == r->hi)
			strbuf_addf(sb, "%s dport %u", names[p], r->lo);
		else
			strbuf_addf(sb, "%s dport %u-%u", names[p], r->lo,
				    r->hi);
		strbuf_addf(sb, " %s\n", verdict);
	}
}

static void table_cmd(struct strbuf *sb, const char *name)
{
	/* "add" then "delete": no error whether or not it was there */
	strbuf_addf(sb, "table ip umlkbuild-%s\n", name);
	strbuf_addf(sb, "delete table ip umlkbuild-%s\n", name);
}

void fw_nft_render(const struct netspec *n, const char *wan,
		   struct strbuf *sb)
{
	char g[16], net[16], *dnat;

	inet_ntoa_r(n->guest_ip, g, sizeof(g));
	inet_ntoa_r(n->host_ip & inet_mask(n->prefix), net, sizeof(net));
	table_cmd(sb, n->name);
	strbuf_addf(sb, "table ip umlkbuild-%s {\n", n->name);
	strbuf_addstr(sb, "\tchain prerouting {\n\t\ttype nat hook prerouting "
		      "priority -100; policy accept;\n");
	/* reserved ports first: they never reach a DNAT */
	for (size_t i = 0; i < n->nr_reserve; i++)
		rules(sb, wan, &n->reserve[i], "return");
	dnat = xasprintf("dnat to %s", g);
	for (size_t i = 0; i < n->nr_fwd; i++)
		rules(sb, wan, &n->fwd[i], dnat);
	free(dnat);
	strbuf_addstr(sb, "\t}\n\tchain postrouting {\n\t\ttype nat hook "
		      "postrouting priority 100; policy accept;\n");
	strbuf_addf(sb, "\t\toifname \"%s\" ip saddr %s/%u masquerade\n", wan,
		    net, n->prefix);
	strbuf_addstr(sb, "\t}\n\tchain forward {\n\t\ttype filter hook "
		      "forward priority 0; policy accept;\n");
	/* the guest's own traffic out; in, only answers and our DNATs */
	strbuf_addf(sb, "\t\tiifname \"%s\" ip saddr %s accept\n", n->tap, g);
	strbuf_addf(sb, "\t\toifname \"%s\" ip daddr %s ct state "
		    "established,related accept\n", n->tap, g);
	strbuf_addf(sb, "\t\toifname \"%s\" ip daddr %s ct status dnat "
		    "accept\n", n->tap, g);
	strbuf_addstr(sb, "\t}\n}\n");
}

static int refused(const char *what, const char *name, struct strbuf *err)
{
	strbuf_rtrim(err);
	return error(-UKB_EHOST, "nft refused %s table 'ip umlkbuild-%s': %.*s",
		     what, name, (int)strcspn(err->buf, "\n"), err->buf);
}

int fw_nft_apply(const struct netspec *n, const char *wan_if)
{
	struct strbuf script = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	fw_nft_render(n, wan_if, &script);
	ret = run(script.buf, NULL, &err);
	if (ret) {
		ret = refused("the rules of", n->name, &err);
		hint("`umlkbuild deploy --dry-run` prints them");
	}
	strbuf_release(&script);
	strbuf_release(&err);
	return ret;
}

int fw_nft_remove(const char *name)
{
	struct strbuf script = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	table_cmd(&script, name);
	ret = run(script.buf, NULL, &err);
	if (ret)
		ret = refused("to delete", name, &err);
	strbuf_release(&script);
	strbuf_release(&err);
	return ret;
}

int fw_nft_present(const char *name)
{
	struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	strbuf_addf(&cmd, "list table ip umlkbuild-%s", name);
	ret = run(cmd.buf, &out, &err);
	if (!ret)
		ret = strstr(out.buf, "chain prerouting {") &&
		      strstr(out.buf, "chain postrouting {") &&
		      strstr(out.buf, "chain forward {");
	else if (strstr(err.buf, "No such file or directory"))
		ret = 0;
	else
		ret = refused("to list", name, &err);
	strbuf_release(&cmd);
	strbuf_release(&out);
	strbuf_release(&err);
	return ret;
}

int fw_nft_kernel(void)
{
	return run("list tables", NULL, NULL);
}
