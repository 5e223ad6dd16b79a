/* text_words.c — a word list (wamerican: one word per line) as documents:
 * the words of lowercase a..z only, as makemore learns names. */
#include <stdlib.h>

#include "text_internal.h"

static bool lowercase_word(const char *w, size_t n)
{
    if (n < 1 || n > MG_TEXT_MAX_WORD)
        return false;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return false;
    return true;
}

/* Adds the lines of data[0..len) that are words; false when out of memory. */
static bool add_words(text_docs *d, const char *data, size_t len)
{
    for (size_t i = 0; i < len && !docs_full(d);) {
        size_t n = 0;
        while (i + n < len && data[i + n] != '\n')
            n++;
        size_t w = n > 0 && data[i + n - 1] == '\r' ? n - 1 : n; /* DOS line ends */
        if (lowercase_word(data + i, w)) {
            for (size_t k = 0; k < w; k++)
                if (!docs_put(d, data[i + k]))
                    return false;
            if (!docs_end(d))
                return false;
        } else if (w > 0) {
            d->skipped++;
        }
        i += n + 1;
    }
    return true;
}

mg_code mg_text_load_words(const char *path, const mg_text_options *o, mg_text *out,
                           mg_error *err)
{
    if (!out)
        return mg_error_set(err, MG_EINVAL, "words: nowhere to put them");
    *out = (mg_text){ 0 };
    char file[4096];
    bool dir;
    mg_code rc = text_path(path ? path : MG_WORDS_FILE, "american-english", file, sizeof file,
                           &dir, err);
    if (rc != MG_OK)
        return rc;
    text_docs d;
    docs_init(&d, o);
    char *data;
    size_t len;
    if ((rc = docs_read_file(&d, file, &data, &len, err)) != MG_OK)
        return rc;
    bool ok = add_words(&d, data, len);
    free(data);
    if (!ok) {
        docs_free(&d);
        return mg_error_set(err, MG_ENOMEM, "%s: out of memory for the words", file);
    }
    return text_finish(&d, o, '.', file, "words of a..z only", out, err);
}
