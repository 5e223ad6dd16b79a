/* names.c — the name table of mg_names.h: open addressing with linear
 * probing over SipHash-1-3 hashes, at most half full. */
#include "mg_names.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t sip_key[2];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void make_key(void)
{
    if (getrandom(sip_key, sizeof sip_key, GRND_NONBLOCK) == (ssize_t)sizeof sip_key)
        return;
    /* no entropy yet (early boot): the clock, the process and an address */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sip_key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)ts.tv_sec;
    sip_key[1] = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&ts;
}

static uint64_t rotl(uint64_t x, int b) { return x << b | x >> (64 - b); }

typedef struct sip {
    uint64_t v0, v1, v2, v3;
} sip;

static void sip_round(sip *s)
{
    s->v0 += s->v1;
    s->v1 = rotl(s->v1, 13) ^ s->v0;
    s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl(s->v3, 16) ^ s->v2;
    s->v0 += s->v3;
    s->v3 = rotl(s->v3, 21) ^ s->v0;
    s->v2 += s->v1;
    s->v1 = rotl(s->v1, 17) ^ s->v2;
    s->v2 = rotl(s->v2, 32);
}

static void sip_word(sip *s, uint64_t m)
{
    s->v3 ^= m;
    sip_round(s); /* one compression round per word (the 1 of 1-3) */
    s->v0 ^= m;
}

uint64_t mg_names_hash(const void *key, size_t len)
{
    pthread_once(&key_once, make_key);
    const unsigned char *p = key;
    sip s = {sip_key[0] ^ 0x736f6d6570736575u, sip_key[1] ^ 0x646f72616e646f6du,
             sip_key[0] ^ 0x6c7967656e657261u, sip_key[1] ^ 0x7465646279746573u};
    size_t whole = len / 8 * 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = 0;
        for (int b = 7; b >= 0; b--) /* little-endian whatever the host */
            m = m << 8 | p[i + (size_t)b];
        sip_word(&s, m);
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t i = whole; i < len; i++)
        last |= (uint64_t)p[i] << (8 * (i - whole));
    sip_word(&s, last);
    s.v2 ^= 0xff;
    for (int r = 0; r < 3; r++) /* three finalisation rounds */
        sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* The slot holding key, or the empty slot where it would go. */
static mg_names_slot *probe(const mg_names *m, const char *key, size_t len, uint64_t hash)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        mg_names_slot *s = &m->slots[i];
        if (!s->key || (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

size_t mg_names_find(const mg_names *m, const char *key, size_t len)
{
    if (!m->count)
        return MG_NAMES_NONE;
    const mg_names_slot *s = probe(m, key, len, mg_names_hash(key, len));
    return s->key ? s->value : MG_NAMES_NONE;
}

static mg_code grow(mg_names *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    mg_names_slot *slots = cap > SIZE_MAX / sizeof *slots ? NULL : calloc(cap, sizeof *slots);
    if (!slots)
        return MG_ENOMEM;
    mg_names bigger = {slots, cap, m->count};
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *probe(&bigger, m->slots[i].key, m->slots[i].len, m->slots[i].hash) = m->slots[i];
    free(m->slots);
    *m = bigger;
    return MG_OK;
}

mg_code mg_names_add(mg_names *m, const char *key, size_t len, size_t value, size_t *found)
{
    if ((m->count + 1) * 2 > m->cap && grow(m) != MG_OK)
        return MG_ENOMEM;
    uint64_t hash = mg_names_hash(key, len);
    mg_names_slot *s = probe(m, key, len, hash);
    if (found)
        *found = s->key ? s->value : MG_NAMES_NONE;
    if (!s->key) {
        *s = (mg_names_slot){key, len, hash, value};
        m->count++;
    }
    return MG_OK;
}

void mg_names_free(mg_names *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}
