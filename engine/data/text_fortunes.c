/* text_fortunes.c — fortune files (strfile's text format: fortunes between
 * lines holding only "%") as documents of printable ASCII, newline and tab. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "text_internal.h"

enum { MAX_FILES = 4096 };

/* Ends a fortune without the newlines that close its last line. */
static bool end_fortune(text_docs *d)
{
    while (d->len > d->open && d->bytes[d->len - 1] == '\n')
        d->len--;
    return docs_end(d);
}

/* One line's bytes, cleaned, and its newline. */
static bool add_line(text_docs *d, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
            if (!docs_put(d, (char)c))
                return false;
        } else if (c == '\b') { /* overstrike: the byte before it goes */
            d->skipped += docs_unput(d) ? 2 : 1;
        } else {
            d->skipped++;
        }
    }
    return docs_put(d, '\n');
}

/* The fortunes of one file's bytes; false when out of memory. */
static bool add_fortunes(text_docs *d, const char *data, size_t len)
{
    for (size_t i = 0; i < len && !docs_full(d);) {
        size_t n = 0;
        while (i + n < len && data[i + n] != '\n')
            n++;
        size_t w = n > 0 && data[i + n - 1] == '\r' ? n - 1 : n;
        bool ok = w == 1 && data[i] == '%' ? end_fortune(d)
                                           : add_line(d, (const unsigned char *)data + i, n);
        if (!ok)
            return false;
        i += n + 1;
    }
    return docs_full(d) || end_fortune(d); /* the last one needs no "%" after it */
}

static mg_code read_fortunes(text_docs *d, const char *path, mg_error *err)
{
    char *data;
    size_t len;
    mg_code rc = docs_read_file(d, path, &data, &len, err);
    if (rc != MG_OK)
        return rc;
    bool ok = add_fortunes(d, data, len);
    free(data);
    return ok ? MG_OK : mg_error_set(err, MG_ENOMEM, "%s: out of memory for the fortunes", path);
}

static bool fortune_file(const char *dir, const char *name)
{
    if (strchr(name, '.') || strcmp(name, "art") == 0 || strcmp(name, "ascii-art") == 0)
        return false;
    char path[4096];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return false;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fortune files of dir, sorted, into *names (n of them). */
static mg_code list_files(const char *dir, char ***names, size_t *n, mg_error *err)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return mg_error_set(err, MG_EIO, "%s: cannot be listed (%s)", dir, strerror(errno));
    char **v = calloc(MAX_FILES, sizeof *v);
    size_t k = 0;
    mg_code rc = v ? MG_OK : mg_error_set(err, MG_ENOMEM, "out of memory listing %s", dir);
    for (struct dirent *e; rc == MG_OK && (e = readdir(dp));) {
        if (!fortune_file(dir, e->d_name))
            continue;
        if (k == MAX_FILES)
            rc = mg_error_set(err, MG_EFORMAT, "%s: more than %d fortune files", dir, MAX_FILES);
        else if (!(v[k++] = strdup(e->d_name)))
            rc = mg_error_set(err, MG_ENOMEM, "out of memory listing %s", dir);
    }
    closedir(dp);
    if (rc == MG_OK)
        qsort(v, k, sizeof *v, name_cmp);
    *names = v;
    *n = k;
    return rc;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

mg_code mg_text_load_fortunes(const char *path, const mg_text_options *o, mg_text *out,
                              mg_error *err)
{
    if (!out)
        return mg_error_set(err, MG_EINVAL, "fortunes: nowhere to put them");
    *out = (mg_text){ 0 };
    path = path ? path : MG_FORTUNES_DIR;
    char file[4096];
    bool dir;
    mg_code rc = text_path(path, NULL, file, sizeof file, &dir, err);
    if (rc != MG_OK)
        return rc;
    text_docs d;
    docs_init(&d, o);
    if (!dir) {
        rc = read_fortunes(&d, path, err);
    } else {
        char **names = NULL;
        size_t n = 0;
        rc = list_files(path, &names, &n, err);
        if (rc == MG_OK && n == 0)
            rc = mg_error_set(err, MG_EFORMAT, "%s: no fortune files (files with no '.' in "
                              "their names, other than art and ascii-art)", path);
        for (size_t i = 0; i < n && rc == MG_OK && !docs_full(&d); i++) {
            snprintf(file, sizeof file, "%s/%s", path, names[i]);
            rc = read_fortunes(&d, file, err);
        }
        free_names(names, n);
    }
    if (rc != MG_OK) {
        docs_free(&d);
        return rc;
    }
    return text_finish(&d, o, '%', path, "fortunes", out, err);
}
