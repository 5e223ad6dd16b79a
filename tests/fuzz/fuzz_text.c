/* fuzz_text.c — the text corpora of language models (mg_text.h): the same
 * bytes read as a word list and as a fortune file, split and counted into
 * the bigram baseline, and as a vocabulary key. */
#include "fuzz_input.h"
#include "mg_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(mg_code (*reader)(const char *, const mg_text_options *, mg_text *, mg_error *),
                 const char *path)
{
    mg_text t;
    mg_error err;
    const mg_text_options o = { .seed = 7, .val_fraction = 0.25 };
    if (reader(path, &o, &t, &err) == MG_OK) {
        double train, val;
        mg_text_bigram(&t, 1.0, &train, &val, &err);
        mg_text_free(&t);
    } else if (!err.message[0]) {
        abort(); /* refused without saying why */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    load(mg_text_load_words, path);
    load(mg_text_load_fortunes, path);
    char *key = fuzz_text(data, size);
    mg_vocab v;
    mg_error err;
    mg_vocab_from_key(&v, key, '.', &err);
    free(key);
    return 0;
}
