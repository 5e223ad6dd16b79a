/* limits.c — the caps of mg_limits.h: defaults, the environment, setting. */
#include "mg_limits.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "mg_size.h"

enum { DEFAULT_INPUT_BYTES = 1 << 30, DEFAULT_IMAGE_PIXELS = 1 << 16 };

static _Atomic size_t input_bytes, image_pixels;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A size from the environment ("512M", "2G", "100000"), or fallback when
 * the variable is unset or not a size. */
static size_t env_size(const char *name, size_t fallback)
{
    const char *text = getenv(name);
    if (!text || *text < '0' || *text > '9')
        return fallback;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    size_t unit = *end == 'K' || *end == 'k' ? (size_t)1 << 10
                : *end == 'M' || *end == 'm' ? (size_t)1 << 20
                : *end == 'G' || *end == 'g' ? (size_t)1 << 30 : 1;
    end += unit != 1;
    size_t n;
    if (*end || v == 0 || !mg_size_mul((size_t)v, unit, &n))
        return fallback;
    return n;
}

static void read_environment(void)
{
    input_bytes = env_size("MGVIZ_MAX_INPUT_BYTES", DEFAULT_INPUT_BYTES);
    image_pixels = env_size("MGVIZ_MAX_IMAGE_PIXELS", DEFAULT_IMAGE_PIXELS);
}

mg_limits mg_limits_get(void)
{
    pthread_once(&once, read_environment);
    return (mg_limits){input_bytes, image_pixels};
}

void mg_limits_set(const mg_limits *limits)
{
    pthread_once(&once, read_environment);
    input_bytes = limits && limits->input_bytes ? limits->input_bytes : DEFAULT_INPUT_BYTES;
    image_pixels = limits && limits->image_pixels ? limits->image_pixels : DEFAULT_IMAGE_PIXELS;
}

const char *mg_limits_bytes(size_t n, char *buf, size_t cap)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && n >= 1024 && n % 1024 == 0)
        n /= 1024, u++;
    snprintf(buf, cap, "%zu %s", n, units[u]);
    return buf;
}
