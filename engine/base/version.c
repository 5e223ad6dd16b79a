/* version.c — the version the library was built as. */
#include "mg_api.h"

const char *mg_version(void) { return MG_VERSION_STRING; }
