/* SPDX-License-Identifier: Apache-2.0 */
/* Schema object lifecycle and small facts about Avro types. */
#include <stdlib.h>
#include <string.h>

#include "avro_int.h"

static const char *const type_names[] = {"null",   "boolean", "int",    "long",   "float",
                                         "double", "bytes",   "string", "record", "enum",
                                         "fixed",  "array",   "map",    "union"};
static const char *const type_upper[] = {"NULL",   "BOOLEAN", "INT",    "LONG",   "FLOAT",
                                         "DOUBLE", "BYTES",   "STRING", "RECORD", "ENUM",
                                         "FIXED",  "ARRAY",   "MAP",    "UNION"};

const char *avro_type_name(enum avro_type t)
{
    return type_names[t];
}

const char *avro_type_upper(enum avro_type t)
{
    return type_upper[t];
}

bool avro_is_named(enum avro_type t)
{
    return t == AVRO_RECORD || t == AVRO_ENUM || t == AVRO_FIXED;
}

bool avro_primitive_from_name(const char *name, enum avro_type *t)
{
    for (int i = AVRO_NULL; i <= AVRO_STRING; i++)
        if (strcmp(name, type_names[i]) == 0) {
            *t = (enum avro_type)i;
            return true;
        }
    return false;
}

bool avro_is_type_name(const char *name)
{
    for (size_t i = 0; i < SR_ARRAY_LEN(type_names); i++)
        if (strcmp(name, type_names[i]) == 0)
            return true;
    return false;
}

const char *avro_qualified_name(const struct avro_node *n, const char *space)
{
    if (n->space && space && strcmp(n->space, space) == 0 && !avro_is_type_name(n->name))
        return n->name;
    return n->fullname;
}

struct avro_node *avro_node_new(struct sr_avro_schema *s, enum avro_type t)
{
    if (s->n_nodes == s->cap_nodes) {
        s->cap_nodes = s->cap_nodes ? s->cap_nodes * 2 : 16;
        s->nodes = sr_xrealloc(s->nodes, s->cap_nodes * sizeof(*s->nodes));
    }
    struct avro_node *n = sr_xcalloc(1, sizeof(*n));
    n->type = t;
    s->nodes[s->n_nodes++] = n;
    return n;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static void node_free(struct avro_node *n)
{
    json_decref(n->props);
    free(n->name);
    free(n->space);
    free(n->fullname);
    free(n->doc);
    free_strings(n->aliases, n->n_aliases);
    for (size_t i = 0; i < n->n_fields; i++) {
        struct avro_field *f = &n->fields[i];
        free(f->name);
        free(f->doc);
        json_decref(f->def);
        free_strings(f->aliases, f->n_aliases);
        json_decref(f->props);
    }
    free(n->fields);
    free_strings(n->symbols, n->n_symbols);
    free(n->enum_default);
    free(n->branches);
    free(n);
}

struct sr_avro_schema *sr_avro_schema_incref(struct sr_avro_schema *s)
{
    if (s)
        atomic_fetch_add(&s->refcount, 1);
    return s;
}

void sr_avro_schema_decref(struct sr_avro_schema *s)
{
    if (!s || atomic_fetch_sub(&s->refcount, 1) != 1)
        return;
    for (size_t i = 0; i < s->n_nodes; i++)
        node_free(s->nodes[i]);
    free(s->nodes);
    free(s->ref_types);
    for (size_t i = 0; i < s->n_refs; i++)
        free(s->ref_texts[i]);
    free(s->ref_texts);
    free(s->ref_lens);
    free(s);
}
