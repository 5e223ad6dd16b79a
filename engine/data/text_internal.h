/* text_internal.h — what the text readers share: documents collected as
 * they are cleaned, then made into a corpus (text_corpus.c). */
#ifndef MG_TEXT_INTERNAL_H
#define MG_TEXT_INTERNAL_H

#include "mg_text.h"

/* Cleaned documents, each ended by a NUL byte (no reader keeps a NUL). */
typedef struct text_docs {
    char *bytes;
    size_t len, cap;
    size_t open;          /* where the document being read starts */
    size_t n;             /* documents ended */
    size_t max_docs;      /* 0: no limit */
    size_t skipped, files;
    size_t budget;        /* bytes the remaining files may bring (the input cap) */
} text_docs;

void docs_init(text_docs *d, const mg_text_options *o);
void docs_free(text_docs *d);
/* Appends a byte to the open document; false when out of memory. */
bool docs_put(text_docs *d, char c);
/* Removes the open document's last byte (a backspace); false when it has none. */
bool docs_unput(text_docs *d);
/* Ends the open document (an empty one is dropped); false when out of memory. */
bool docs_end(text_docs *d);
/* True when max_docs documents are in. */
bool docs_full(const text_docs *d);
/* Reads path whole within the budget (which it then lowers), counting the
 * file: MG_OK, or an error naming path. */
mg_code docs_read_file(text_docs *d, const char *path, char **data, size_t *len,
                       mg_error *err);

/* Shuffles, splits and encodes the documents into out and frees d; path
 * and unit ("words of a..z only") name them in messages. MG_OK, or an error
 * with out empty. */
mg_code text_finish(text_docs *d, const mg_text_options *o, char end_glyph, const char *path,
                    const char *unit, mg_text *out, mg_error *err);
/* path itself, or dir/name when path is a directory, into buf. MG_OK, or
 * MG_EIO when path is neither a file nor a directory. */
mg_code text_path(const char *path, const char *name, char *buf, size_t n, bool *is_dir,
                  mg_error *err);

#endif
