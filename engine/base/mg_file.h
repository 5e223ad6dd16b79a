/* mg_file.h — files are complete or absent.
 *
 * Every file the library writes goes through these calls: the bytes go to a
 * temporary file created exclusively (O_EXCL, O_NOFOLLOW: a planted link or
 * file is never followed or reused) in the target's directory; on commit it
 * is flushed to disk (fsync), renamed over the target and the directory is
 * synced, so a reader, or the disk after a crash, sees the old file or the
 * whole new one. Any failure removes the temporary file and leaves the target
 * untouched. Reading whole files is bounded (see mg_limits.h). */
#ifndef MG_FILE_H
#define MG_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

/* Writes len bytes to path atomically. MG_OK or MG_EIO/MG_ENOMEM. */
MG_API mg_code mg_file_write_atomic(const char *path, const char *data, size_t len, mg_error *err);
/* Writes all len bytes to the open descriptor fd (retrying short writes and
 * EINTR): one write() when the kernel takes it whole. MG_OK or MG_EIO, with
 * errno telling why. */
MG_API mg_code mg_file_write_fd(int fd, const char *data, size_t len);
/* Creates dir and its missing parents (mkdir -p). MG_OK, or MG_EIO naming
 * the component that could not be made or is not a directory. */
MG_API mg_code mg_file_make_dirs(const char *dir, mg_error *err);
/* Creates dir (one level; its parent must exist) unless it is already a
 * directory of its own: a link there, even to a directory, is refused, so
 * files a program keeps inside what it made (a run's snapshots/) are never
 * written elsewhere through a planted link. MG_OK or MG_EIO naming it. */
MG_API mg_code mg_file_make_own_dir(const char *dir, mg_error *err);

/* A file being written atomically, for writers that stream. */
typedef struct mg_file_out {
    int fd;            /* the temporary file, -1 once closed */
    int dir_fd;        /* the target's directory, opened up front so that
                          nothing after the rename can fail for memory */
    char *tmp, *path;  /* the temporary file's path, the target's */
    unsigned char *buf;
    size_t len, cap;   /* bytes waiting in buf */
    mg_code rc;        /* the first failure (sticky), MG_OK so far */
    int error;         /* its errno */
} mg_file_out;

/* Creates the temporary file for path. MG_OK, or MG_EIO/MG_ENOMEM (then f
 * needs no mg_file_abort()). */
MG_API mg_code mg_file_begin(mg_file_out *f, const char *path, mg_error *err);
/* Appends n bytes; a failure is kept and reported by mg_file_commit(). */
MG_API void mg_file_put(mg_file_out *f, const void *data, size_t n);
/* A stdio stream whose writes go to f, for writers that print; fclose() it
 * before mg_file_commit(). A failed write fails the stream and f. NULL (and
 * f failed) when it cannot be opened. */
MG_API FILE *mg_file_stream(mg_file_out *f);
/* Writes what is buffered, syncs, renames over the target and syncs the
 * directory; on any failure (now or in an earlier put) removes the temporary
 * file and says why. f is finished either way. */
MG_API mg_code mg_file_commit(mg_file_out *f, mg_error *err);
/* Drops the temporary file; f is finished. */
MG_API void mg_file_abort(mg_file_out *f);
/* Whether path can be written as mg_file_begin/commit write it (its
 * directory takes a new file, and it is not a directory), tried by
 * creating and removing the temporary file: for a file a long job writes
 * at its end, checked before the job starts. MG_OK, or MG_EIO naming it. */
MG_API mg_code mg_file_check_writable(const char *path, mg_error *err);

/* Reads all of path ("-" is stdin) into a malloc'd buffer with a NUL after
 * the data: at most max bytes (0: mg_limits' input_bytes), refused beyond
 * that with a message naming the cap. MG_OK, or MG_EIO/MG_ENOMEM/MG_EFORMAT
 * (too large) with *data NULL. */
MG_API mg_code mg_file_read(const char *path, size_t max, char **data, size_t *len,
                            mg_error *err);
/* The same from an open descriptor, from where it stands to its end; name
 * is the file's name in messages. */
MG_API mg_code mg_file_read_fd(int fd, const char *name, size_t max, char **data, size_t *len,
                               mg_error *err);

MG_EXTERN_C_END

#endif
