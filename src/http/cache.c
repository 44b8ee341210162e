/* SPDX-License-Identifier: Apache-2.0 */
/* Reuse of GET responses when the store can prove nothing changed (the embedded store's write
 * generation, see sr_store_ops.generation): a direct-mapped table of MHD responses keyed by
 * media type and raw URI, each stamped with the generation read before it was computed. MHD
 * responses are reference counted and may be queued on many connections from many threads,
 * so a hit queues the stored object itself. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

#define STRIPES 64

struct cache_slot {
    char *key;
    uint64_t generation;
    struct MHD_Response *response;
};

struct http_cache {
    struct cache_slot *slots;
    size_t n; /* a power of two */
    pthread_mutex_t locks[STRIPES];
};

struct http_cache *http_cache_new(size_t entries)
{
    if (entries == 0)
        return NULL;
    struct http_cache *c = sr_xcalloc(1, sizeof(*c));
    c->n = 1;
    while (c->n < entries)
        c->n *= 2;
    c->slots = sr_xcalloc(c->n, sizeof(*c->slots));
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    return c;
}

void http_cache_free(struct http_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->slots[i].key);
        if (c->slots[i].response)
            MHD_destroy_response(c->slots[i].response);
    }
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c->slots);
    free(c);
}

static size_t slot_of(const struct http_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (size_t)(h ^ (h >> 32)) & (c->n - 1);
}

bool http_cache_serve(struct http_cache *c, struct MHD_Connection *conn, const char *key,
                      uint64_t generation)
{
    size_t i = slot_of(c, key);
    pthread_mutex_t *lock = &c->locks[i % STRIPES];
    bool hit = false;
    pthread_mutex_lock(lock);
    struct cache_slot *s = &c->slots[i];
    if (s->response && s->generation == generation && strcmp(s->key, key) == 0)
        hit = MHD_queue_response(conn, MHD_HTTP_OK, s->response) == MHD_YES;
    pthread_mutex_unlock(lock);
    return hit;
}

void http_cache_store(struct http_cache *c, const char *key, uint64_t generation,
                      struct MHD_Response *response)
{
    size_t i = slot_of(c, key);
    pthread_mutex_t *lock = &c->locks[i % STRIPES];
    pthread_mutex_lock(lock);
    struct cache_slot *s = &c->slots[i];
    struct MHD_Response *old = s->response;
    free(s->key);
    s->key = sr_xstrdup(key);
    s->generation = generation;
    s->response = response;
    pthread_mutex_unlock(lock);
    if (old)
        MHD_destroy_response(old);
}
