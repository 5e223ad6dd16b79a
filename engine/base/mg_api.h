/* mg_api.h — how the public headers declare the library's interface.
 *
 * MG_API marks a function the shared libraries export; everything else is
 * built with hidden visibility, so only mg_-prefixed calls are visible.
 * MG_EXTERN_C_BEGIN/END let C++ include the headers. */
#ifndef MG_API_H
#define MG_API_H

#include "mg_version.h"

#if defined(__GNUC__) || defined(__clang__)
#define MG_API __attribute__((visibility("default")))
#else
#define MG_API
#endif

#ifdef __cplusplus
#define MG_EXTERN_C_BEGIN extern "C" {
#define MG_EXTERN_C_END }
#else
#define MG_EXTERN_C_BEGIN
#define MG_EXTERN_C_END
#endif

MG_EXTERN_C_BEGIN

/* The library's version as "MAJOR.MINOR.PATCH" (may differ from the
 * MG_VERSION_STRING a program was compiled against). */
MG_API const char *mg_version(void);

MG_EXTERN_C_END

#endif
