/* mg_text.h — character-level text for language models (makemore's MLP, a
 * GPT): words from Debian's wamerican and fortunes from Debian's fortunes,
 * read into token streams with a vocabulary and a seeded train/val split.
 *
 *     mg_text text;
 *     mg_text_options o = { .seed = 1337 };
 *     if (mg_text_load_words(MG_WORDS_FILE, &o, &text, &err) != MG_OK) ...
 *     // text.train: END c a t END d o g END ...; text.vocab maps tokens to bytes
 *     double train, val;
 *     mg_text_bigram(&text, 1.0, &train, &val, &err);   // the baseline to beat
 *     mg_text_free(&text);
 *
 * Documents and tokens. A corpus is a list of documents (a word, a fortune).
 * Token 0, MG_TOKEN_END, stands between them: a stream is END doc END doc ...
 * END, so a model learns how a document starts (after END) and when it stops
 * (by predicting END). Tokens 1.. are the bytes the corpus uses, in byte
 * order: for words makemore's 27 (END written '.', then a..z). (The models
 * of mg_lm.h read token 0 as the end of a document.) The
 * vocabulary is built from every document, so the val split holds no token
 * the model has not got a row for.
 *
 * The split. Documents are shuffled by the seed (wamerican is sorted) and the
 * last val_fraction of them (at least one) form the val split; the rest, in
 * that shuffled order, the train split.
 *
 * What is read, and what is refused. Words: one per line, kept only when
 * made of a..z alone (1 to MG_TEXT_MAX_WORD letters; "Aachen", "aardvark's",
 * "café" are skipped and counted). Fortunes: strfile's text format, fortunes
 * between lines holding only "%"; each fortune is cleaned to printable ASCII,
 * newline and tab: a backspace erases the byte before it (old fortunes
 * underline by overstriking, "_\bI"), a carriage return and any other control
 * byte or byte above 0x7e (the pieces of UTF-8 letters, "façade" becomes
 * "faade") is skipped and counted, and a fortune left empty is dropped.
 * Nothing in a file can crash the reader or make it allocate past the input
 * cap (mg_limits.h) across all files read; a file of no usable document is
 * refused with a message naming it. */
#ifndef MG_TEXT_H
#define MG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_error.h"

MG_EXTERN_C_BEGIN

/* Where Debian's packages put them. */
#define MG_WORDS_FILE "/usr/share/dict/american-english" /* package wamerican */
#define MG_FORTUNES_DIR "/usr/share/games/fortunes"      /* package fortunes */

enum {
    MG_TOKEN_END = 0,      /* between documents */
    MG_VOCAB_MAX = 128,    /* END and at most 127 bytes */
    MG_VOCAB_KEY_SIZE = 33,/* mg_vocab_key()'s text and its NUL */
    MG_TEXT_MAX_WORD = 64  /* longer lines of a word list are skipped */
};

/* Tokens and the bytes they stand for. */
typedef struct mg_vocab {
    int size;                          /* END and the bytes: 2..MG_VOCAB_MAX */
    unsigned char byte[MG_VOCAB_MAX];  /* token -> byte; byte[0] is how END is
                                          shown ('.' for words) */
    int16_t id[256];                   /* byte -> token; -1 outside */
} mg_vocab;

/* The vocabulary of the bytes b with present[b] set (only tab, newline and
 * printable ASCII may be: what the readers keep), END shown as end_glyph.
 * MG_OK or MG_EINVAL naming a byte that may not be a token. */
MG_API mg_code mg_vocab_make(mg_vocab *v, const bool present[256], char end_glyph,
                             mg_error *err);
/* v as text for a model's identity: 32 hex digits, a bit per byte 0..127
 * (digit k, from the left, holds bytes 4k..4k+3, the lowest in its lowest
 * bit). n >= MG_VOCAB_KEY_SIZE; returns buf. */
MG_API char *mg_vocab_key(const mg_vocab *v, char *buf, size_t n);
/* The vocabulary a key describes. MG_OK or MG_EFORMAT. */
MG_API mg_code mg_vocab_from_key(mg_vocab *v, const char *key, char end_glyph, mg_error *err);

/* A corpus as two token streams. */
typedef struct mg_text {
    mg_vocab vocab;
    int32_t *train, *val;    /* END doc END doc ... END */
    size_t ntrain, nval;     /* tokens in each */
    size_t docs_train, docs_val;
    size_t skipped;          /* words skipped, or bytes skipped in fortunes */
    size_t files;            /* files read */
} mg_text;

typedef struct mg_text_options {
    uint64_t seed;           /* shuffles the documents before the split */
    double val_fraction;     /* of the documents; 0 means 0.1; at most 0.5 */
    size_t max_docs;         /* 0: every document; else the first max_docs
                                read (in file order), before the split */
} mg_text_options;

/* Words from a word list: path is a file, or a directory holding
 * "american-english" (NULL: MG_WORDS_FILE). END is shown as '.'. MG_OK, or
 * MG_EIO / MG_EFORMAT / MG_ENOMEM / MG_EINVAL with a message; out is then
 * empty. */
MG_API mg_code mg_text_load_words(const char *path, const mg_text_options *o, mg_text *out,
                                  mg_error *err);
/* Fortunes: path is one fortune file, or a directory whose fortune files are
 * read in name order: its regular files (not links) with no '.' in their
 * names (strfile's ".dat" indexes and Debian's ".u8" links are not text),
 * except "art" and "ascii-art", whose pictures are not text to learn
 * language from (NULL: MG_FORTUNES_DIR). END is shown as '%'. */
MG_API mg_code mg_text_load_fortunes(const char *path, const mg_text_options *o, mg_text *out,
                                     mg_error *err);
/* Frees the streams and empties t; NULL is a no-op. */
MG_API void mg_text_free(mg_text *t);

/* The bigram baseline: next-token probabilities counted on the train
 * stream's pairs plus alpha (> 0; 1 is add-one smoothing, makemore's), and
 * their mean negative log-likelihood (nats per token) over the pairs of each
 * stream. MG_OK or MG_EINVAL / MG_ENOMEM. */
MG_API mg_code mg_text_bigram(const mg_text *t, double alpha, double *train_loss,
                              double *val_loss, mg_error *err);

MG_EXTERN_C_END

#endif
