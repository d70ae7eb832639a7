/*
 * Kernel sources from git (libgit2; the only file that includes git2.h).
 * Each remote gets one bare mirror in the cache, <cache>/git/<sha256 of
 * the URL>.git, holding all its branches and tags. libgit2 1.5 has
 * no shallow clone, so the first use fetches the history once and later
 * uses fetch only what is new: a second tag costs its new objects (over
 * git://, https:// or ssh; from a local path libgit2 packs each new
 * commit's whole tree, though none of the old history).
 */
#ifndef UKB_GITSRC_H
#define UKB_GITSRC_H

struct git_export {
	char commit[41];          /* the resolved commit id */
	long long commit_time;    /* its committer time, seconds since 1970 */
	char *tree_dir;           /* dest, absolute; caller frees */
};

/*
 * Bring the mirror of url up to date (skipped when ref is a tag or full
 * commit id it already holds), resolve ref (a tag, annotated or not, a
 * branch, a full or abbreviated commit id, or a full refs/... name) to a
 * commit, and write that commit's tree into dest, which must not exist and
 * is created (and removed again on any failure). No .git directory is
 * written. Holds the cache lock "git-<sha256 of url>" meanwhile. A remote
 * that fetch_git_url_refused() refuses is refused first (-UKB_EUSAGE);
 * url is shown and recorded through url_redact(). Returns
 * 0; -UKB_ENOTFOUND for an unknown ref or a missing repository;
 * -UKB_ENETWORK when the remote cannot be fetched; -EEXIST for an existing
 * dest; -UKB_EINTR; or -errno; reported once. Release out with
 * git_export_release().
 */
int gitsrc_export(const char *url, const char *ref, const char *dest,
		  struct git_export *out);
void git_export_release(struct git_export *out);

/* libgit2's process-wide set-up and tear-down; main calls them once. */
void gitsrc_global_init(void);
void gitsrc_global_cleanup(void);

#endif
