/* format.c — numbers as text that reads back exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mg_format.h"

size_t mg_format_double(double x, char *buf, size_t n)
{
    int len;
    if (isnan(x))
        len = snprintf(buf, n, "nan");
    else if (isinf(x))
        len = snprintf(buf, n, x > 0 ? "inf" : "-inf");
    else if (fabs(x) < 1e15 && x == (double)(long long)x && !(x == 0.0 && signbit(x)))
        len = snprintf(buf, n, "%lld", (long long)x); /* whole numbers: the common fast case */
    else {
        /* %.17g always round-trips; fewer digits often do and read better. */
        char tmp[32];
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(tmp, sizeof tmp, "%.*g", digits, x);
            if (digits == 17 || strtod(tmp, NULL) == x)
                break;
        }
        len = snprintf(buf, n, "%s", tmp);
    }
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
