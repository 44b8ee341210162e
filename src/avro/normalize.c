/* SPDX-License-Identifier: Apache-2.0 */
/* Confluent's normalization (normalize=true): write an intermediate JSON in which properties
 * and aliases are sorted, field orders spelled out, empty docs of named types dropped,
 * defaults converted through their field's type (Avro's JacksonUtils.toObject) with object
 * members sorted, valid logical-type attributes first; then parse that text again. Going
 * through a real re-parse reproduces Confluent's results, quirks included (a nested
 * null-namespace type moves into its parent's namespace, error becomes record). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_int.h"

struct norm_ctx {
    struct sr_buf *b;
    /* Full names already written (or defined by references): written as quoted names. */
    const char **seen;
    size_t n_seen;
    bool failed;
    char *error;
};

static bool seen(const struct norm_ctx *c, const char *fullname)
{
    for (size_t i = 0; i < c->n_seen; i++)
        if (strcmp(c->seen[i], fullname) == 0)
            return true;
    return false;
}

static void add_seen(struct norm_ctx *c, const char *fullname)
{
    c->seen = sr_xrealloc(c->seen, (c->n_seen + 1) * sizeof(*c->seen));
    c->seen[c->n_seen++] = fullname;
}

/* ---- logical types (LogicalTypes.fromSchemaIgnoreInvalid) ---- */

static const char *text_prop(const struct avro_node *n, const char *key)
{
    json_t *v = n->props ? json_object_get(n->props, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An int property as Java's getObjectProp sees it: an integer that fits 32 bits. */
static bool int_prop(const struct avro_node *n, const char *key, int *out)
{
    json_t *v = n->props ? json_object_get(n->props, key) : NULL;
    if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN ||
        json_integer_value(v) > INT32_MAX)
        return false;
    *out = (int)json_integer_value(v);
    return true;
}

/* The name of the node's valid logical type, or NULL; decimal's precision and scale. */
static const char *valid_logical_type(const struct avro_node *n, int *precision, int *scale)
{
    const char *lt = text_prop(n, "logicalType");
    if (!lt)
        return NULL;
    static const char *const incompatible[] = {"avro.java.string", "java-class", "java-key-class",
                                               "java-element-class"};
    for (size_t i = 0; i < SR_ARRAY_LEN(incompatible); i++)
        if (text_prop(n, incompatible[i]))
            return NULL;
    static const struct {
        const char *name;
        enum avro_type type;
    } simple[] = {{"date", AVRO_INT},
                  {"time-millis", AVRO_INT},
                  {"time-micros", AVRO_LONG},
                  {"timestamp-millis", AVRO_LONG},
                  {"timestamp-micros", AVRO_LONG},
                  {"local-timestamp-millis", AVRO_LONG},
                  {"local-timestamp-micros", AVRO_LONG},
                  {"big-decimal", AVRO_BYTES}};
    for (size_t i = 0; i < SR_ARRAY_LEN(simple); i++)
        if (strcmp(lt, simple[i].name) == 0)
            return n->type == simple[i].type ? simple[i].name : NULL;
    if (strcmp(lt, "uuid") == 0)
        return "uuid";
    if (strcmp(lt, "decimal") != 0)
        return NULL;
    if (n->type != AVRO_BYTES && n->type != AVRO_FIXED)
        return NULL;
    if (!n->props || !json_object_get(n->props, "precision") ||
        !int_prop(n, "precision", precision))
        return NULL;
    *scale = 0;
    if (json_object_get(n->props, "scale") && !int_prop(n, "scale", scale))
        return NULL;
    if (*precision <= 0 || *scale < 0 || *scale > *precision)
        return NULL;
    if (n->type == AVRO_FIXED) {
        double max = floor(log10(2.0) * (8.0 * n->size - 1));
        if (*precision > max)
            return NULL;
    }
    return "decimal";
}

static void write_logical_props(struct norm_ctx *c, const char *lt, int precision, int scale)
{
    sr_buf_printf(c->b, ",\"logicalType\":\"%s\"", lt);
    if (strcmp(lt, "decimal") == 0) {
        sr_buf_printf(c->b, ",\"precision\":%d", precision);
        if (scale != 0)
            sr_buf_printf(c->b, ",\"scale\":%d", scale);
    }
}

/* ---- values ---- */

/* Java's Float.toString(f), as a double's value (Jackson writes a float default that way). */
static double float_value(double d)
{
    float f = (float)d;
    char buf[40];
    for (int p = 1; p <= 9; p++) {
        snprintf(buf, sizeof(buf), "%.*e", p - 1, (double)f);
        if (strtof(buf, NULL) == f)
            break;
    }
    return strtod(buf, NULL);
}

/* Avro's JacksonUtils.toObject(node, schema) then Confluent's toJsonNode: returns a new value,
 * or NULL when the default does not convert (it is then dropped). Sets c->failed like Java's
 * NullPointerException for a record member that is no field. */
static json_t *convert(struct norm_ctx *c, const json_t *v, const struct avro_node *t, int depth)
{
    if (depth > 256)
        return NULL;
    if (t && t->type == AVRO_UNION)
        t = t->n_branches ? t->branches[0] : NULL;
    enum avro_type tt = t ? t->type : AVRO_NULL;
    bool typed = t != NULL;
    switch (json_typeof(v)) {
    case JSON_NULL:
        return json_null();
    case JSON_TRUE:
    case JSON_FALSE:
        return json_incref((json_t *)(uintptr_t)v);
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        bool fits_int = i >= INT32_MIN && i <= INT32_MAX;
        if (!typed || tt == AVRO_INT || tt == AVRO_LONG)
            return json_integer(i);
        if (tt == AVRO_FLOAT)
            return json_real(float_value((double)i));
        if (tt == AVRO_DOUBLE)
            return json_real((double)i);
        SR_UNUSED(fits_int);
        return NULL;
    }
    case JSON_REAL:
        if (!typed || tt == AVRO_DOUBLE)
            return json_real(json_real_value(v));
        if (tt == AVRO_FLOAT)
            return json_real(float_value(json_real_value(v)));
        return NULL;
    case JSON_STRING: {
        if (!typed || tt == AVRO_STRING || tt == AVRO_ENUM)
            return json_incref((json_t *)(uintptr_t)v);
        if (tt == AVRO_BYTES || tt == AVRO_FIXED) {
            /* Through ISO-8859-1: characters above U+00FF become '?'. */
            struct sr_buf b;
            sr_buf_init(&b, 0);
            const unsigned char *p = (const unsigned char *)json_string_value(v);
            const unsigned char *end = p + json_string_length(v);
            while (p < end) {
                uint32_t cp = *p;
                int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
                if (more)
                    cp &= 0x3Fu >> more;
                p++;
                while (more-- > 0 && p < end)
                    cp = (cp << 6) | (*p++ & 0x3F);
                if (cp > 0xFF)
                    sr_buf_addc(&b, '?');
                else if (cp < 0x80)
                    sr_buf_add(&b, (const char *)&(char){(char)cp}, 1);
                else {
                    sr_buf_addc(&b, (char)(0xC0 | (cp >> 6)));
                    sr_buf_addc(&b, (char)(0x80 | (cp & 0x3F)));
                }
                if (cp > 0xFFFF) /* a surrogate pair is two chars, two '?' */
                    sr_buf_addc(&b, '?');
            }
            json_t *out = json_stringn(b.data ? b.data : "", b.len);
            sr_buf_fini(&b);
            return out;
        }
        return NULL;
    }
    case JSON_ARRAY: {
        json_t *out = json_array();
        const struct avro_node *items = typed ? (tt == AVRO_ARRAY ? t->child : NULL) : NULL;
        if (typed && tt != AVRO_ARRAY) {
            /* getElementType() on a non-array throws in Java; treat as not convertible. */
            json_decref(out);
            return NULL;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *e = convert(c, json_array_get(v, i), items, depth + 1);
            json_array_append_new(out, e ? e : json_null());
        }
        return out;
    }
    case JSON_OBJECT: {
        json_t *out = json_object();
        const char *k;
        json_t *val;
        json_object_foreach((json_t *)(uintptr_t)v, k, val)
        {
            const struct avro_node *vt = NULL;
            if (typed && tt == AVRO_MAP) {
                vt = t->child;
            } else if (typed && tt == AVRO_RECORD) {
                const struct avro_field *f = NULL;
                for (size_t i = 0; i < t->n_fields; i++)
                    if (strcmp(t->fields[i].name, k) == 0)
                        f = &t->fields[i];
                if (!f) {
                    c->failed = true;
                    if (!c->error)
                        c->error = sr_xstrdup(
                            "Cannot invoke \"org.apache.avro.Schema$Field.schema()\" because the "
                            "return value of \"org.apache.avro.Schema.getField(String)\" is null");
                    json_decref(out);
                    return NULL;
                }
                vt = f->type;
            }
            json_t *e = convert(c, val, vt, depth + 1);
            if (c->failed) {
                json_decref(out);
                return NULL;
            }
            json_object_set_new(out, k, e ? e : json_null());
        }
        return out;
    }
    }
    return NULL;
}

/* ,"k":v for every property, keys sorted; values with object members sorted. */
static void write_sorted_props(struct norm_ctx *c, const json_t *props)
{
    if (!props)
        return;
    json_t *sorted = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)props, k, v) json_object_set(sorted, k, v);
    avro_write_sorted_members(c->b, sorted);
    json_decref(sorted);
}

static int java_str_cmp(const void *a, const void *b)
{
    return sr_utf16_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted set of strings as a JSON array (TreeSet). */
static void write_sorted_strings(struct norm_ctx *c, char *const *items, size_t n)
{
    const char **v = sr_xmalloc((n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = items[i];
    sr_sort(v, n, sizeof(*v), java_str_cmp);
    sr_buf_addc(c->b, '[');
    for (size_t i = 0, w = 0; i < n; i++) {
        if (i && strcmp(v[i], v[i - 1]) == 0)
            continue;
        if (w++)
            sr_buf_addc(c->b, ',');
        avro_write_json_string(c->b, v[i]);
    }
    sr_buf_addc(c->b, ']');
    free(v);
}

static void build(struct norm_ctx *c, const struct avro_node *n);

static void build_field(struct norm_ctx *c, const struct avro_field *f)
{
    static const char *const orders[] = {"ASCENDING", "DESCENDING", "IGNORE"};
    sr_buf_adds(c->b, "{\"name\":");
    avro_write_json_string(c->b, f->name);
    sr_buf_adds(c->b, ",\"type\":");
    build(c, f->type);
    sr_buf_printf(c->b, ",\"order\":\"%s\"", orders[f->order]);
    if (f->doc) {
        sr_buf_adds(c->b, ",\"doc\":");
        avro_write_json_string(c->b, f->doc);
    }
    if (f->n_aliases) {
        sr_buf_adds(c->b, ",\"aliases\":");
        write_sorted_strings(c, f->aliases, f->n_aliases);
    }
    if (f->def) {
        json_t *d = convert(c, f->def, f->type, 0);
        if (d) {
            sr_buf_adds(c->b, ",\"default\":");
            avro_write_json(c->b, d, true);
            json_decref(d);
        }
    }
    write_sorted_props(c, f->props);
    sr_buf_addc(c->b, '}');
}

static void build(struct norm_ctx *c, const struct avro_node *n)
{
    int precision = 0, scale = 0;
    const char *lt;
    switch (n->type) {
    case AVRO_UNION:
        sr_buf_addc(c->b, '[');
        for (size_t i = 0; i < n->n_branches; i++) {
            if (i)
                sr_buf_addc(c->b, ',');
            build(c, n->branches[i]);
        }
        sr_buf_addc(c->b, ']');
        return;
    case AVRO_ARRAY:
    case AVRO_MAP:
        sr_buf_printf(c->b, "{\"type\":\"%s\",\"%s\":", avro_type_name(n->type),
                      n->type == AVRO_ARRAY ? "items" : "values");
        build(c, n->child);
        write_sorted_props(c, n->props);
        sr_buf_addc(c->b, '}');
        return;
    case AVRO_RECORD:
    case AVRO_ENUM:
    case AVRO_FIXED:
        if (seen(c, n->fullname)) {
            avro_write_json_string(c->b, n->fullname);
            return;
        }
        add_seen(c, n->fullname);
        sr_buf_adds(c->b, "{\"name\":");
        avro_write_json_string(c->b, n->fullname);
        sr_buf_printf(c->b, ",\"type\":\"%s\"", avro_type_name(n->type));
        if (n->type == AVRO_ENUM) {
            sr_buf_adds(c->b, ",\"symbols\":[");
            for (size_t i = 0; i < n->n_symbols; i++) {
                if (i)
                    sr_buf_addc(c->b, ',');
                avro_write_json_string(c->b, n->symbols[i]);
            }
            sr_buf_addc(c->b, ']');
        } else if (n->type == AVRO_FIXED) {
            sr_buf_printf(c->b, ",\"size\":%d", (int)n->size);
            if ((lt = valid_logical_type(n, &precision, &scale)))
                write_logical_props(c, lt, precision, scale);
        } else {
            sr_buf_adds(c->b, ",\"fields\":[");
            for (size_t i = 0; i < n->n_fields; i++) {
                if (i)
                    sr_buf_addc(c->b, ',');
                build_field(c, &n->fields[i]);
            }
            sr_buf_addc(c->b, ']');
        }
        if (n->doc && *n->doc) {
            sr_buf_adds(c->b, ",\"doc\":");
            avro_write_json_string(c->b, n->doc);
        }
        if (n->n_aliases) {
            sr_buf_adds(c->b, ",\"aliases\":");
            write_sorted_strings(c, n->aliases, n->n_aliases);
        }
        if (n->type == AVRO_ENUM && n->enum_default) {
            sr_buf_adds(c->b, ",\"default\":");
            avro_write_json_string(c->b, n->enum_default);
        }
        write_sorted_props(c, n->props);
        sr_buf_addc(c->b, '}');
        return;
    default:
        if ((lt = valid_logical_type(n, &precision, &scale))) {
            sr_buf_printf(c->b, "{\"type\":\"%s\"", avro_type_name(n->type));
            write_logical_props(c, lt, precision, scale);
            write_sorted_props(c, n->props);
            sr_buf_addc(c->b, '}');
        } else if (n->props && json_object_size(n->props)) {
            sr_buf_printf(c->b, "{\"type\":\"%s\"", avro_type_name(n->type));
            write_sorted_props(c, n->props);
            sr_buf_addc(c->b, '}');
        } else {
            sr_buf_printf(c->b, "\"%s\"", avro_type_name(n->type));
        }
        return;
    }
}

struct sr_avro_schema *sr_avro_normalize(const struct sr_avro_schema *s,
                                         const struct sr_avro_parse_options *opts,
                                         struct sr_err *err)
{
    struct sr_buf b;
    sr_buf_init(&b, 0);
    struct norm_ctx c = {.b = &b};
    for (size_t i = 0; i < s->n_ref_types; i++)
        add_seen(&c, s->ref_types[i]->fullname);
    build(&c, s->root);
    struct sr_avro_schema *out = NULL;
    if (c.failed) {
        sr_err_set(err, SR_E_INVALID_SCHEMA, "%s", c.error);
    } else {
        out = sr_avro_parse(b.data, b.len, (const char *const *)s->ref_texts, s->ref_lens,
                            s->n_refs, opts, err);
    }
    free(c.error);
    free(c.seen);
    sr_buf_fini(&b);
    return out;
}
