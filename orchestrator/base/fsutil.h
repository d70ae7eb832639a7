/* File-system helpers: directories, atomic writes, copies, removal. */
#ifndef UKB_FSUTIL_H
#define UKB_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

struct strbuf;

struct strvec;

/* mkdir -p; returns 0 or -errno. */
int mkdir_p(const char *path, mode_t mode);
/* The same, pushing each directory it made onto created (if not NULL),
 * outermost first, so a failed run can remove them again. */
int mkdir_p_track(const char *path, mode_t mode, struct strvec *created);
/* rm -rf without following links; a missing path is success. */
int rmtree(const char *path);
/* All of len bytes of data to fd, through short writes and EINTR; 0 or
 * -errno. */
int write_in_full(int fd, const void *data, size_t len);
/* Write data to path through a temporary file and rename(2); 0 or -errno
 * (the caller reports it). */
__attribute__((warn_unused_result))
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);
/* Copy a regular file (data and mode). */
int copy_file(const char *src, const char *dst);
/* A new "dir/name" the caller frees. */
char *path_join(const char *dir, const char *name);
/* An absolute version of path (which need not exist), caller frees. */
char *path_absolute(const char *path);
/*
 * A path from a configuration file: absolute as it is, "~/x" under $HOME,
 * otherwise relative to base (the file's directory) when given, else to
 * the current directory. Caller frees.
 */
char *path_expand(const char *base, const char *value);
/* The relative path from directory from to path to (both absolute and
 * without "." or ".." parts), e.g. "../../trees/X"; caller frees. */
char *path_relative(const char *from, const char *to);
int path_exists(const char *path);

/* The size limits of input files (README "Limits"). */
#define UKB_INPUT_MAX ((size_t)16 << 20)  /* fragments, .config, INI, JSON, keys */
#define UKB_PATCH_MAX ((size_t)64 << 20)  /* a patch file */

/*
 * Append the regular file path, of at most max bytes, to sb, without
 * blocking on a FIFO or a device. Returns 0; -EINVAL for what is not a
 * regular file, -EFBIG for a file over max, or another -errno. With what
 * ("fragment", "config file", ...), the problem is also said, once, and
 * -UKB_EUSAGE returned; with what NULL nothing is printed.
 */
int read_input_file(struct strbuf *sb, const char *path, size_t max,
		    const char *what);
int is_dir(const char *path);

#endif
