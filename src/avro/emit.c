/* SPDX-License-Identifier: Apache-2.0 */
/* Printing a schema as Avro Java's Schema.toString does (compact, fixed key order, names
 * written in full once and as references afterwards, namespaces only where they change),
 * which is the canonical string Confluent stores. Variants: normalized (Confluent's
 * normalize=true), resolved (references inlined) and an equivalence key. */
#include <stdlib.h>
#include <string.h>

#include "avro_int.h"

struct emit_ctx {
    struct sr_buf *b;
    /* The equivalence forms: properties, object members inside them and in defaults, and
     * aliases are sorted, so that equal strings mean equal schemas up to those orders. */
    bool sorted;

    const char *space; /* current namespace */
    /* Named nodes already written, by identity (open addressing). */
    const struct avro_node **written;
    size_t cap, count;
};

static size_t ptr_hash(const void *p, size_t cap)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 17;
    v *= 0x9E3779B97F4A7C15ull;
    return (size_t)(v >> 7) & (cap - 1);
}

static bool was_written(const struct emit_ctx *e, const struct avro_node *n)
{
    if (!e->cap)
        return false;
    for (size_t i = ptr_hash(n, e->cap);; i = (i + 1) & (e->cap - 1)) {
        if (!e->written[i])
            return false;
        if (e->written[i] == n)
            return true;
    }
}

static void mark_written(struct emit_ctx *e, const struct avro_node *n)
{
    if ((e->count + 1) * 2 > e->cap) {
        size_t old = e->cap;
        const struct avro_node **t = e->written;
        e->cap = old ? old * 2 : 16;
        e->written = sr_xcalloc(e->cap, sizeof(*e->written));
        e->count = 0;
        for (size_t i = 0; i < old; i++)
            if (t[i])
                mark_written(e, t[i]);
        free(t);
    }
    size_t i = ptr_hash(n, e->cap);
    while (e->written[i])
        i = (i + 1) & (e->cap - 1);
    e->written[i] = n;
    e->count++;
}

static void key(struct emit_ctx *e, const char *k)
{
    avro_write_json_string(e->b, k);
    sr_buf_addc(e->b, ':');
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes ,"k":v for each property, in document order; the equivalence forms sort them (and
 * the members of objects inside) by key. */
static void write_props(struct emit_ctx *e, const json_t *props)
{
    if (!props)
        return;
    if (e->sorted) {
        avro_write_sorted_members(e->b, props);
        return;
    }
    const char *name;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)props, name, val)
    {
        sr_buf_addc(e->b, ',');
        key(e, name);
        avro_write_json(e->b, val, false);
    }
}

/* Writes ,"aliases":[...] from out (n names, reordered in place when sorting). The
 * equivalence forms sort them and drop duplicates: aliases compare as sets. */
static void write_alias_list(struct emit_ctx *e, const char **out, size_t n)
{
    if (e->sorted) {
        sr_sort(out, n, sizeof(*out), str_cmp);
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (w == 0 || strcmp(out[w - 1], out[i]) != 0)
                out[w++] = out[i];
        n = w;
    }
    sr_buf_adds(e->b, ",\"aliases\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sr_buf_addc(e->b, ',');
        avro_write_json_string(e->b, out[i]);
    }
    sr_buf_addc(e->b, ']');
}

/* Aliases of a named type, relative to the type's own namespace (Java's aliasesToJson). */
static void write_type_aliases(struct emit_ctx *e, const struct avro_node *n)
{
    if (!n->n_aliases)
        return;
    const char **out = sr_xmalloc(n->n_aliases * sizeof(*out));
    for (size_t i = 0; i < n->n_aliases; i++) {
        const char *full = n->aliases[i];
        const char *dot = strrchr(full, '.');
        const char *simple = dot ? dot + 1 : full;
        bool same_space = dot && n->space && strlen(n->space) == (size_t)(dot - full) &&
                          strncmp(full, n->space, (size_t)(dot - full)) == 0;
        out[i] = same_space && !avro_is_type_name(simple) ? simple : full;
    }
    write_alias_list(e, out, n->n_aliases);
    free(out);
}

static void write_node(struct emit_ctx *e, const struct avro_node *n);

static void write_field(struct emit_ctx *e, const struct avro_field *f)
{
    sr_buf_addc(e->b, '{');
    key(e, "name");
    avro_write_json_string(e->b, f->name);
    sr_buf_addc(e->b, ',');
    key(e, "type");
    write_node(e, f->type);
    if (f->doc) {
        sr_buf_addc(e->b, ',');
        key(e, "doc");
        avro_write_json_string(e->b, f->doc);
    }
    if (f->def) {
        sr_buf_addc(e->b, ',');
        key(e, "default");
        avro_write_json(e->b, f->def, e->sorted);
    }
    if (f->order != AVRO_ORDER_ASCENDING) {
        sr_buf_addc(e->b, ',');
        key(e, "order");
        avro_write_json_string(e->b, f->order == AVRO_ORDER_DESCENDING ? "descending" : "ignore");
    }
    if (f->n_aliases) {
        const char **out = sr_xmalloc(f->n_aliases * sizeof(*out));
        for (size_t i = 0; i < f->n_aliases; i++)
            out[i] = f->aliases[i];
        write_alias_list(e, out, f->n_aliases);
        free(out);
    }
    write_props(e, f->props);
    sr_buf_addc(e->b, '}');
}

/* "name", "namespace" (where it differs from the enclosing one) and "doc". */
static void write_name_head(struct emit_ctx *e, const struct avro_node *n)
{
    sr_buf_addc(e->b, '{');
    key(e, "type");
    avro_write_json_string(e->b, n->type == AVRO_RECORD ? (n->is_error ? "error" : "record")
                                                        : avro_type_name(n->type));
    sr_buf_addc(e->b, ',');
    key(e, "name");
    avro_write_json_string(e->b, n->name);
    if (n->space) {
        if (!e->space || strcmp(e->space, n->space) != 0) {
            sr_buf_addc(e->b, ',');
            key(e, "namespace");
            avro_write_json_string(e->b, n->space);
        }
    } else if (e->space) {
        sr_buf_adds(e->b, ",\"namespace\":\"\"");
    }
    if (n->doc) {
        sr_buf_addc(e->b, ',');
        key(e, "doc");
        avro_write_json_string(e->b, n->doc);
    }
}

static void write_node(struct emit_ctx *e, const struct avro_node *n)
{
    switch (n->type) {
    case AVRO_RECORD:
    case AVRO_ENUM:
    case AVRO_FIXED:
        if (was_written(e, n)) {
            avro_write_json_string(e->b, avro_qualified_name(n, e->space));
            return;
        }
        mark_written(e, n);
        write_name_head(e, n);
        if (n->type == AVRO_RECORD) {
            sr_buf_adds(e->b, ",\"fields\":[");
            const char *saved = e->space;
            e->space = n->space;
            for (size_t i = 0; i < n->n_fields; i++) {
                if (i)
                    sr_buf_addc(e->b, ',');
                write_field(e, &n->fields[i]);
            }
            e->space = saved;
            sr_buf_addc(e->b, ']');
        } else if (n->type == AVRO_ENUM) {
            sr_buf_adds(e->b, ",\"symbols\":[");
            for (size_t i = 0; i < n->n_symbols; i++) {
                if (i)
                    sr_buf_addc(e->b, ',');
                avro_write_json_string(e->b, n->symbols[i]);
            }
            sr_buf_addc(e->b, ']');
            if (n->enum_default) {
                sr_buf_adds(e->b, ",\"default\":");
                avro_write_json_string(e->b, n->enum_default);
            }
        } else {
            sr_buf_printf(e->b, ",\"size\":%d", (int)n->size);
        }
        write_props(e, n->props);
        write_type_aliases(e, n);
        sr_buf_addc(e->b, '}');
        return;
    case AVRO_ARRAY:
    case AVRO_MAP:
        sr_buf_addc(e->b, '{');
        key(e, "type");
        avro_write_json_string(e->b, avro_type_name(n->type));
        sr_buf_addc(e->b, ',');
        key(e, n->type == AVRO_ARRAY ? "items" : "values");
        write_node(e, n->child);
        write_props(e, n->props);
        sr_buf_addc(e->b, '}');
        return;
    case AVRO_UNION:
        sr_buf_addc(e->b, '[');
        for (size_t i = 0; i < n->n_branches; i++) {
            if (i)
                sr_buf_addc(e->b, ',');
            write_node(e, n->branches[i]);
        }
        sr_buf_addc(e->b, ']');
        return;
    default:
        if (!n->props || json_object_size(n->props) == 0) {
            avro_write_json_string(e->b, avro_type_name(n->type));
            return;
        }
        sr_buf_addc(e->b, '{');
        key(e, "type");
        avro_write_json_string(e->b, avro_type_name(n->type));
        write_props(e, n->props);
        sr_buf_addc(e->b, '}');
        return;
    }
}

void avro_node_write_standalone(struct sr_buf *b, const struct avro_node *n)
{
    struct emit_ctx e = {.b = b};
    write_node(&e, n);
    free(e.written);
}

char *sr_avro_to_string(const struct sr_avro_schema *s, enum sr_avro_form form)
{
    struct sr_buf b;
    sr_buf_init(&b, 0);
    bool equivalence =
        form == SR_AVRO_FORM_EQUIVALENCE || form == SR_AVRO_FORM_EQUIVALENCE_RESOLVED;
    struct emit_ctx e = {.b = &b, .sorted = equivalence};
    if (form != SR_AVRO_FORM_RESOLVED && form != SR_AVRO_FORM_EQUIVALENCE_RESOLVED)
        for (size_t i = 0; i < s->n_ref_types; i++)
            mark_written(&e, s->ref_types[i]);
    write_node(&e, s->root);
    free(e.written);
    return sr_buf_take(&b);
}
