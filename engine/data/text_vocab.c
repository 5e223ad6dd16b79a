/* text_vocab.c — tokens and the bytes they stand for, and the vocabulary as
 * 32 hex digits, so that a model's identity says which text it reads. */
#include <stdio.h>
#include <string.h>

#include "mg_text.h"

/* The bytes the readers keep: tab, newline and printable ASCII. */
static bool allowed(int b) { return b == '\t' || b == '\n' || (b >= 0x20 && b < 0x7f); }

mg_code mg_vocab_make(mg_vocab *v, const bool present[256], char end_glyph, mg_error *err)
{
    if (!v || !present)
        return mg_error_set(err, MG_EINVAL, "vocabulary: no bytes given");
    memset(v, 0, sizeof *v);
    for (int b = 0; b < 256; b++)
        v->id[b] = -1;
    v->byte[0] = (unsigned char)end_glyph;
    v->size = 1;
    for (int b = 0; b < 256; b++) {
        if (!present[b])
            continue;
        if (!allowed(b))
            return mg_error_set(err, MG_EINVAL, "vocabulary: byte 0x%02x may not be a token "
                                "(tab, newline and printable ASCII may)", b);
        v->id[b] = (int16_t)v->size;
        v->byte[v->size++] = (unsigned char)b;
    }
    if (v->size < 2)
        return mg_error_set(err, MG_EINVAL, "vocabulary: no bytes given");
    return MG_OK;
}

char *mg_vocab_key(const mg_vocab *v, char *buf, size_t n)
{
    if (!buf || n < MG_VOCAB_KEY_SIZE)
        return buf;
    for (int k = 0; k < 32; k++) {
        int digit = 0;
        for (int j = 0; j < 4; j++)
            if (v && v->id[4 * k + j] > 0)
                digit |= 1 << j;
        buf[k] = "0123456789abcdef"[digit];
    }
    buf[32] = '\0';
    return buf;
}

mg_code mg_vocab_from_key(mg_vocab *v, const char *key, char end_glyph, mg_error *err)
{
    bool present[256] = { false };
    if (!key || strspn(key, "0123456789abcdef") != 32 || key[32] != '\0')
        return mg_error_set(err, MG_EFORMAT, "vocabulary key '%.40s' is not 32 hex digits",
                            key ? key : "");
    for (int k = 0; k < 32; k++) {
        int digit = key[k] <= '9' ? key[k] - '0' : key[k] - 'a' + 10;
        for (int j = 0; j < 4; j++)
            present[4 * k + j] = (digit >> j) & 1;
    }
    mg_error why;
    if (mg_vocab_make(v, present, end_glyph, &why) != MG_OK)
        return mg_error_set(err, MG_EFORMAT, "vocabulary key %s: %s", key, why.message);
    return MG_OK;
}
