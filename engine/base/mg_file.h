/* mg_file.h — files are complete or absent. */
#ifndef MG_FILE_H
#define MG_FILE_H

#include <stddef.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

/* Writes len bytes to path through a temporary file in the same directory
 * and rename(); on any failure path is untouched. MG_OK or MG_EIO/MG_ENOMEM. */
MG_API mg_code mg_file_write_atomic(const char *path, const char *data, size_t len, mg_error *err);
/* Writes all len bytes to the open descriptor fd (retrying short writes and
 * EINTR): one write() when the kernel takes it whole. MG_OK or MG_EIO, with
 * errno telling why. */
MG_API mg_code mg_file_write_fd(int fd, const char *data, size_t len);
/* Creates dir and its missing parents (mkdir -p). MG_OK, or MG_EIO naming
 * the component that could not be made or is not a directory. */
MG_API mg_code mg_file_make_dirs(const char *dir, mg_error *err);

MG_EXTERN_C_END

#endif
