/*
 * `umlkbuild reproduce METADATA.json`: rebuild an artifact from the
 * inputs its metadata.json records and say whether the new vmlinux has the
 * recorded sha256, the way a user checks a downloaded binary.
 */
#ifndef UKB_REPRODUCE_H
#define UKB_REPRODUCE_H

struct build_opts;
struct manifest;
struct strvec;

/*
 * Rebuild from the metadata.json file (into out_opt, or a scratch dir in
 * the cache) with the given mirrors and keyrings, which may be empty, and
 * compare; prints "reproduced: SHA256". Returns 0, -UKB_EARTIFACT when
 * the sha256 differs, or another error (reported).
 */
int reproduce_run(const char *file, const char *out_opt,
		  const struct strvec *mirrors, const struct strvec *keyrings);
/*
 * Check every field of the metadata m (loaded from file) that a rebuild
 * uses, as the command line checks its options, and fill o from it;
 * nothing is written. Returns 0 or -UKB_EUSAGE (reported). o's strings
 * point into m; the caller clears o's strvecs.
 */
int reproduce_setup(const struct manifest *m, const char *file,
		    struct build_opts *o);

#endif
