/* test_viz_text.h — checks that text meant for people holds honest numbers:
 * no "-nan" anywhere and no negative zero ("-0" not continued by digits or a
 * decimal point, as in "-0.5", nor part of an exponent, as in "1e-05"). In
 * SVG only the <text> elements are read (coordinates are Graphviz's). */
#ifndef TEST_VIZ_TEXT_H
#define TEST_VIZ_TEXT_H

#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The first dishonest number in text[0..n), or NULL. */
static inline const char *viz_text_dishonest(const char *text, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (text[i] != '-')
            continue;
        if (i + 3 < n && strncmp(text + i, "-nan", 4) == 0)
            return text + i;
        int after_number = i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '.');
        int zero = text[i + 1] == '0' &&
                   (i + 2 >= n || !(isdigit((unsigned char)text[i + 2]) || text[i + 2] == '.'));
        if (zero && !after_number)
            return text + i;
    }
    return NULL;
}

/* A malloc'd copy of text[0..n) with SVG's "&#45;" read back as "-". */
static inline char *viz_text_unescape(const char *text, size_t n)
{
    char *out = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (i + 5 <= n && strncmp(text + i, "&#45;", 5) == 0)
            i += 4, out[k++] = '-';
        else
            out[k++] = text[i];
    }
    if (out)
        out[k] = '\0';
    return out;
}

/* Fails the test when text (DOT, JSON, or SVG when it starts so) holds a
 * dishonest number; what names the text in the message. */
static inline void viz_text_check(const char *text, const char *what)
{
    int svg = strstr(text, "<svg") != NULL;
    const char *p = text;
    while (*p) {
        const char *start = p, *end = p + strlen(p);
        if (svg) {
            const char *t = strstr(p, "<text");
            if (!t)
                break;
            start = strchr(t, '>');
            end = start ? strstr(start, "</text>") : NULL;
            if (!start || !end)
                break;
        }
        char *plain = viz_text_unescape(start, (size_t)(end - start));
        ck_assert_ptr_nonnull(plain);
        const char *bad = viz_text_dishonest(plain, strlen(plain));
        ck_assert_msg(bad == NULL, "%s holds a dishonest number at \"%.40s\"", what,
                      bad ? bad : "");
        free(plain);
        p = end;
    }
}

#endif
