/* format.c — numbers as text that reads back exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mg_format.h"

/* Whether text reads back as x in precision p. */
static bool reads_back(const char *text, double x, mg_precision p)
{
    const double y = strtod(text, NULL);
    return p == MG_PRECISION_FLOAT ? (float)y == (float)x : y == x;
}

/* x finite, as the shortest decimal that reads back as x in precision p. */
static int shortest(double x, mg_precision p, char *buf, size_t n)
{
    if (fabs(x) < 1e15 && x == (double)(long long)x && !(x == 0.0 && signbit(x)))
        return snprintf(buf, n, "%lld", (long long)x); /* whole numbers: the common fast case */
    /* 17 (a double's) or 9 (a float's) significant digits always read back;
     * fewer often do and read better. */
    const int most = p == MG_PRECISION_FLOAT ? 9 : 17;
    char tmp[32];
    for (int digits = most - 2; digits <= most; digits++) {
        snprintf(tmp, sizeof tmp, "%.*g", digits, x);
        if (digits == most || reads_back(tmp, x, p))
            break;
    }
    return snprintf(buf, n, "%s", tmp);
}

size_t mg_format_double(double x, char *buf, size_t n)
{
    int len;
    if (isnan(x))
        len = snprintf(buf, n, "nan");
    else if (isinf(x))
        len = snprintf(buf, n, x > 0 ? "inf" : "-inf");
    else
        len = shortest(x, MG_PRECISION_DOUBLE, buf, n);
    return len < 0 ? 0 : (size_t)len;
}

size_t mg_format_json_number(double x, mg_precision p, char *buf, size_t n)
{
    const int len = isfinite(x) ? shortest(x == 0.0 ? 0.0 : x, p, buf, n)
                                : snprintf(buf, n, "null");
    return len < 0 ? 0 : (size_t)len;
}

size_t mg_format_display(double x, int digits, char *buf, size_t n)
{
    int len;
    digits = digits < 1 ? 1 : digits > 17 ? 17 : digits;
    if (isnan(x)) /* printf's "-nan" tells nothing a learner can use */
        len = snprintf(buf, n, "nan");
    else if (isinf(x))
        len = snprintf(buf, n, x > 0 ? "inf" : "-inf");
    else if (x == 0.0) /* -0 is an artefact of signed arithmetic, not a value */
        len = snprintf(buf, n, "0");
    else
        len = snprintf(buf, n, "%.*g", digits, x);
    return len < 0 ? 0 : (size_t)len;
}

size_t mg_utf8_length(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (u[0] < 0x80)
        return 1;
    /* the lead byte gives the length */
    size_t len = u[0] >= 0xC2 && u[0] <= 0xDF ? 2 : u[0] >= 0xE0 && u[0] <= 0xEF ? 3
               : u[0] >= 0xF0 && u[0] <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < len; i++)
        if (i >= n || (u[i] & 0xC0) != 0x80)
            return 0;
    if (len && ((u[0] == 0xE0 && u[1] < 0xA0) || (u[0] == 0xED && u[1] >= 0xA0) ||
                (u[0] == 0xF0 && u[1] < 0x90) || (u[0] == 0xF4 && u[1] >= 0x90)))
        return 0; /* overlong, a surrogate, past U+10FFFF */
    return len;
}

size_t mg_format_visible_char(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = mg_utf8_length(s, n);
    if (len == 1)
        return (u[0] >= 0x20 && u[0] != 0x7f) || u[0] == '\t' ? 1 : 0;
    if (len == 2 && u[0] == 0xC2 && u[1] < 0xA0)
        return 0; /* C1 controls */
    return len;
}

size_t mg_format_visible(const char *s, size_t len, bool keep_newlines, char *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        size_t k = mg_format_visible_char(s + i, len - i);
        char esc[5];
        const char *piece = s + i;
        if (k == 0 && !(keep_newlines && s[i] == '\n')) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)s[i]);
            piece = esc;
            k = 4;
            i++;
        } else {
            k = k ? k : 1;
            i += k;
        }
        for (size_t j = 0; j < k; j++, out++)
            if (out + 1 < n)
                buf[out] = piece[j];
    }
    if (n)
        buf[out < n ? out : n - 1] = '\0';
    return out;
}
