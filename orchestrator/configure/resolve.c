#include <string.h>

#include "base/errors.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "base/manifest.h"
#include "base/strbuf.h"
#include "configure/configure.h"
#include "configure/kcheck.h"
#include "configure/kconfig.h"
#include "configure/kcset.h"
#include "configure/resolve.h"
#include "base/banned.h"

int configure_apply_file(const char *cfg_path, const struct kc_set *requested)
{
	struct strbuf cfg = STRBUF_INIT, applied = STRBUF_INIT;
	int ret;

	ret = strbuf_read_file(&cfg, cfg_path);
	if (ret) {
		error_errno(ret, "cannot read '%s'", cfg_path);
		ret = -UKB_EBUILD;
	}
	if (!ret) {
		kc_apply(cfg.buf, cfg.len, requested, &applied);
		ret = write_file_atomic(cfg_path, applied.buf, applied.len, 0644);
		if (ret) {
			error_errno(ret, "cannot write '%s'", cfg_path);
			ret = -UKB_EBUILD;
		}
	}
	strbuf_release(&cfg);
	strbuf_release(&applied);
	return ret;
}

static void record_check(struct manifest *m, const struct kc_report *rep)
{
	for (size_t i = 0; i < rep->nr; i++) {
		const struct kc_result *r = &rep->r[i];

		manifest_append(m, r->required ? "results.config_check.required" :
						 "results.config_check.requested",
				"{s:s, s:s, s:s?, s:b, s:s, s:i}", "symbol",
				r->name, "requested", r->requested, "actual",
				r->actual, "ok", r->ok, "file", r->file,
				"line", (int)r->line);
	}
	manifest_set_int(m, "results.config_check.required_failed",
			 (long long)rep->required_failed);
	manifest_set_int(m, "results.config_check.warnings",
			 (long long)rep->warnings);
}

int configure_check_file(const struct configure_check_in *in,
			 struct kc_set *config, struct kc_report *rep,
			 struct manifest *m)
{
	struct strbuf cfg = STRBUF_INIT;
	int ret;

	ret = strbuf_read_file(&cfg, in->cfg_path);
	if (ret) {
		error_errno(ret, "cannot read '%s'", in->cfg_path);
		ret = -UKB_EBUILD;
		goto out;
	}
	kc_parse_config(config, in->cfg_path, cfg.buf, cfg.len);
	ret = configure_check(in->srcdir, in->objdir, config, in->required,
			      in->requested, in->version, in->arch, rep);
	record_check(m, rep);
	if (ret)
		hint("nothing was compiled; fix the fragments and run again");
out:
	strbuf_release(&cfg);
	return ret;
}
