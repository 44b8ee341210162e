/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded cache of loaded schemas by id. An id's content never changes, so an entry is
 * never stale; it is dropped only to make room (CLOCK eviction) or when its content is
 * permanently deleted. Lookups take one mutex; entries are handed out by reference. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

struct cache_slot {
    int32_t id; /* 0 = empty (ids start at 1) */
    bool referenced;
    struct loaded_schema *ls;
};

struct schema_cache {
    pthread_mutex_t lock;
    struct cache_slot *slots; /* open addressing, capacity a power of two */
    size_t cap, count, max_entries, hand;
};

struct schema_cache *schema_cache_new(size_t capacity)
{
    struct schema_cache *c = sr_xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->max_entries = capacity;
    size_t cap = 16;
    while (cap < capacity * 2 && cap < ((size_t)1 << 30))
        cap *= 2;
    c->cap = capacity ? cap : 0;
    c->slots = capacity ? sr_xcalloc(c->cap, sizeof(*c->slots)) : NULL;
    return c;
}

void schema_cache_free(struct schema_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].id)
            loaded_schema_release(c->slots[i].ls);
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static size_t slot_of(const struct schema_cache *c, int32_t id)
{
    uint32_t h = (uint32_t)id * 2654435761u;
    return (size_t)h & (c->cap - 1);
}

static struct cache_slot *find(struct schema_cache *c, int32_t id)
{
    for (size_t i = slot_of(c, id), n = 0; n < c->cap; i = (i + 1) & (c->cap - 1), n++) {
        if (c->slots[i].id == id)
            return &c->slots[i];
        if (c->slots[i].id == 0)
            return NULL;
    }
    return NULL;
}

/* Removes slot i and re-inserts the cluster after it (linear probing deletion). */
static void remove_at(struct schema_cache *c, size_t i)
{
    loaded_schema_release(c->slots[i].ls);
    memset(&c->slots[i], 0, sizeof(c->slots[i]));
    c->count--;
    for (size_t j = (i + 1) & (c->cap - 1); c->slots[j].id; j = (j + 1) & (c->cap - 1)) {
        struct cache_slot moved = c->slots[j];
        memset(&c->slots[j], 0, sizeof(c->slots[j]));
        size_t k = slot_of(c, moved.id);
        while (c->slots[k].id)
            k = (k + 1) & (c->cap - 1);
        c->slots[k] = moved;
    }
}

struct loaded_schema *schema_cache_get(struct schema_cache *c, int32_t id)
{
    if (!c->cap)
        return NULL;
    pthread_mutex_lock(&c->lock);
    struct cache_slot *s = find(c, id);
    struct loaded_schema *ls = NULL;
    if (s) {
        s->referenced = true;
        ls = s->ls;
        __atomic_add_fetch(&ls->refcount, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&c->lock);
    return ls;
}

void schema_cache_put(struct schema_cache *c, struct loaded_schema *ls)
{
    if (!c->cap)
        return;
    pthread_mutex_lock(&c->lock);
    if (find(c, ls->rec.id)) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    /* CLOCK: sweep for an entry not used since the last sweep. */
    while (c->count >= c->max_entries) {
        struct cache_slot *s = &c->slots[c->hand];
        if (s->id && !s->referenced) {
            remove_at(c, c->hand);
            continue;
        }
        s->referenced = false;
        c->hand = (c->hand + 1) & (c->cap - 1);
    }
    size_t i = slot_of(c, ls->rec.id);
    while (c->slots[i].id)
        i = (i + 1) & (c->cap - 1);
    __atomic_add_fetch(&ls->refcount, 1, __ATOMIC_RELAXED);
    c->slots[i].id = ls->rec.id;
    c->slots[i].ls = ls;
    c->slots[i].referenced = true;
    c->count++;
    pthread_mutex_unlock(&c->lock);
}

void schema_cache_forget(struct schema_cache *c, int32_t id)
{
    if (!c->cap)
        return;
    pthread_mutex_lock(&c->lock);
    struct cache_slot *s = find(c, id);
    if (s)
        remove_at(c, (size_t)(s - c->slots));
    pthread_mutex_unlock(&c->lock);
}
