/* mg_file.h — files are complete or absent. */
#ifndef MG_FILE_H
#define MG_FILE_H

#include <stddef.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

/* Writes len bytes to path through a temporary file in the same directory
 * and rename(); on any failure path is untouched. MG_OK or MG_EIO/MG_ENOMEM. */
MG_API mg_code mg_file_write_atomic(const char *path, const char *data, size_t len, mg_error *err);

MG_EXTERN_C_END

#endif
