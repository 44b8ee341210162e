/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the storage implementations: record lists and their cleanup. */
#include <stdlib.h>
#include <string.h>

#include "schemaregd/store.h"

void sr_schema_record_fini(struct sr_schema_record *r)
{
    if (!r)
        return;
    free(r->schema_type);
    free(r->schema);
    free(r->references);
    free(r->metadata);
    free(r->rule_set);
    memset(r, 0, sizeof(*r));
}

void sr_version_list_fini(struct sr_version_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i].subject);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

bool sr_hash_from_hex(const char *hex, unsigned char out[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex ? hex[i * 2 + k] : 0;
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= (unsigned)(c - 'A' + 10);
            else
                return false;
        }
        out[i] = (unsigned char)v;
    }
    return true;
}

void sr_hash_to_hex(const unsigned char h[16], char out[33])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[i * 2] = digits[h[i] >> 4];
        out[i * 2 + 1] = digits[h[i] & 15];
    }
    out[32] = '\0';
}

void sr_version_list_push(struct sr_version_list *l, const char *subject, int32_t version,
                          int32_t schema_id, bool deleted, const char *hash_hex)
{
    /* Grow in powers of two: len is a power of two exactly when the array is full. */
    if ((l->len & (l->len - 1)) == 0)
        l->items = sr_xrealloc(l->items, (l->len ? l->len * 2 : 1) * sizeof(*l->items));
    struct sr_version_record *r = &l->items[l->len++];
    r->subject = sr_xstrdup(subject);
    r->version = version;
    r->schema_id = schema_id;
    r->deleted = deleted;
    if (!hash_hex || !sr_hash_from_hex(hash_hex, r->hash))
        memset(r->hash, 0, sizeof(r->hash));
}

void sr_subject_list_fini(struct sr_subject_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i].subject);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

void sr_ref_records_free(struct sr_ref_record *refs, size_t n)
{
    for (size_t i = 0; refs && i < n; i++) {
        free(refs[i].name);
        free(refs[i].subject);
    }
    free(refs);
}

void sr_id_list_fini(struct sr_id_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

const char *sr_store_status_name(enum sr_store_status s)
{
    switch (s) {
    case SR_STORE_OK:
        return "ok";
    case SR_STORE_NOT_FOUND:
        return "not found";
    case SR_STORE_RETRY:
        return "retry";
    case SR_STORE_UNAVAILABLE:
        return "unavailable";
    case SR_STORE_ERROR:
        return "error";
    }
    return "?";
}

void sr_store_free(struct sr_store *st)
{
    if (st)
        st->ops->free(st);
}
