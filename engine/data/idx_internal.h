/* idx_internal.h — the IDX reader with a cap on one item's size, for image
 * sets, whose items size a model (mg_limits' image_pixels). */
#ifndef IDX_INTERNAL_H
#define IDX_INTERNAL_H

#include "mg_idx.h"

/* mg_idx_read(), refusing from the header alone a file whose items (the
 * dims after the first) hold more than item_cap elements (0: no cap). */
mg_code idx_read(const char *path, size_t item_cap, mg_idx *out, mg_error *err);
/* "28x28": ndim dims for messages. */
void idx_shape_text(int ndim, const uint32_t *dims, char *buf, size_t n);

#endif
