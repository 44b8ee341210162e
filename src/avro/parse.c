/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing Avro schema JSON into the schema tree with Avro Java 1.11's rules and messages:
 * comments allowed, duplicate keys last-wins, names defined in document order, bare names
 * resolved in the current then the null namespace, reserved keys dropped, everything else
 * kept as properties in document order. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "avro_int.h"

#define DEFAULT_MAX_DEPTH 64

static const char *const schema_reserved[] = {"doc",  "fields",  "items",  "name", "namespace",
                                              "size", "symbols", "values", "type", "aliases"};
static const char *const field_reserved[] = {"default", "doc", "name", "order", "type", "aliases"};

struct parse_ctx {
    struct sr_avro_schema *s;
    const struct sr_avro_parse_options *opts;
    /* Name table: open addressing over named nodes, keyed by full name. */
    struct avro_node **table;
    size_t cap, count;
    const char *space; /* current namespace, NULL = null namespace */
    int depth, max_depth;
    struct sr_buf msg;
    /* Strings that held NUL characters, re-encoded (see text_of); freed after parsing. */
    char **owned;
    size_t n_owned;
};

/* ---- name table ---- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct avro_node *names_get(struct parse_ctx *c, const char *fullname)
{
    if (!c->cap)
        return NULL;
    for (size_t i = hash_str(fullname) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        if (!c->table[i])
            return NULL;
        if (strcmp(c->table[i]->fullname, fullname) == 0)
            return c->table[i];
    }
}

static void names_put(struct parse_ctx *c, struct avro_node *n)
{
    if ((c->count + 1) * 2 > c->cap) {
        size_t old = c->cap;
        struct avro_node **t = c->table;
        c->cap = old ? old * 2 : 32;
        c->table = sr_xcalloc(c->cap, sizeof(*c->table));
        c->count = 0;
        for (size_t i = 0; i < old; i++)
            if (t[i])
                names_put(c, t[i]);
        free(t);
    }
    size_t i = hash_str(n->fullname) & (c->cap - 1);
    while (c->table[i])
        i = (i + 1) & (c->cap - 1);
    c->table[i] = n;
    c->count++;
}

/* ---- errors ---- */

static bool fail(struct parse_ctx *c, const char *text)
{
    if (c->msg.len == 0)
        sr_buf_adds(&c->msg, text);
    return false;
}

/* "<prefix><json of v>" with Jackson's rendering. */
static bool fail_json(struct parse_ctx *c, const char *prefix, const json_t *v)
{
    if (c->msg.len == 0) {
        sr_buf_adds(&c->msg, prefix);
        avro_write_json(&c->msg, v, false);
    }
    return false;
}

/* ---- helpers ---- */

static bool is_reserved(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, list[i]) == 0)
            return true;
    return false;
}

/* Copies the non-reserved members of obj, in document order; NULL when there are none. */
static json_t *collect_props(json_t *obj, const char *const *reserved, size_t n_reserved,
                             bool reserve_default)
{
    json_t *props = NULL;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        if (is_reserved(key, reserved, n_reserved))
            continue;
        if (reserve_default && strcmp(key, "default") == 0)
            continue;
        if (!props)
            props = json_object();
        json_object_set(props, key, val);
    }
    return props;
}

/* The text of a JSON string as a C string. A NUL character (legal in JSON as \u0000) is kept
 * as the two bytes C0 80, Java's "modified UTF-8": nothing truncates at it, name validation
 * sees code point 0 (not a letter, as Java does), and the printer writes \u0000 again. */
static const char *text_of(struct parse_ctx *c, const json_t *v)
{
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!memchr(s, 0, len))
        return s;
    struct sr_buf b;
    sr_buf_init(&b, 0);
    for (size_t i = 0; i < len; i++) {
        if (s[i])
            sr_buf_addc(&b, s[i]);
        else
            sr_buf_add(&b, "\xC0\x80", 2);
    }
    c->owned = sr_xrealloc(c->owned, (c->n_owned + 1) * sizeof(*c->owned));
    c->owned[c->n_owned++] = sr_buf_take(&b);
    return c->owned[c->n_owned - 1];
}

static const char *opt_text(struct parse_ctx *c, json_t *obj, const char *key)
{
    return text_of(c, json_object_get(obj, key));
}

/* Builds an Avro Name from name and a namespace: a dotted name carries its own namespace;
 * "" is the null namespace. Validates the simple name. */
static bool make_name(struct parse_ctx *c, const char *name, const char *space, char **simple_out,
                      char **space_out, char **full_out)
{
    const char *dot = strrchr(name, '.');
    char *sp;
    const char *simple;
    if (dot) {
        sp = sr_xstrndup(name, (size_t)(dot - name));
        simple = dot + 1;
    } else {
        sp = space ? sr_xstrdup(space) : NULL;
        simple = name;
    }
    if (sp && !*sp) {
        free(sp);
        sp = NULL;
    }
    struct sr_buf m;
    sr_buf_init(&m, 0);
    if (!avro_name_valid(simple, &m)) {
        fail(c, m.data);
        sr_buf_fini(&m);
        free(sp);
        return false;
    }
    sr_buf_fini(&m);
    *simple_out = sr_xstrdup(simple);
    *full_out = sp ? sr_xasprintf("%s.%s", sp, simple) : sr_xstrdup(simple);
    *space_out = sp;
    return true;
}

/* Java's Names.get for a bare string: primitives, then the current namespace, then the
 * null namespace. *found is NULL when not defined; false on an invalid name. */
static bool lookup_bare(struct parse_ctx *c, const char *str, struct avro_node **found)
{
    enum avro_type t;
    *found = NULL;
    if (avro_primitive_from_name(str, &t)) {
        *found = avro_node_new(c->s, t);
        return true;
    }
    char *simple, *space, *full;
    if (!make_name(c, str, c->space, &simple, &space, &full))
        return false;
    *found = names_get(c, full);
    if (!*found && !strchr(str, '.'))
        *found = names_get(c, simple);
    free(simple);
    free(space);
    free(full);
    return true;
}

static struct avro_node *parse_schema(struct parse_ctx *c, json_t *j);

/* Reads "aliases" of a named type: full names relative to the type's namespace. */
static bool parse_type_aliases(struct parse_ctx *c, json_t *obj, struct avro_node *n)
{
    json_t *a = json_object_get(obj, "aliases");
    if (!a)
        return true;
    if (!json_is_array(a))
        return fail_json(c, "aliases not an array: ", obj);
    n->aliases = sr_xcalloc(json_array_size(a) + 1, sizeof(char *));
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *e = json_array_get(a, i);
        if (!json_is_string(e))
            return fail_json(c, "alias not a string: ", e);
        char *simple, *space, *full;
        if (!make_name(c, text_of(c, e), n->space ? n->space : "", &simple, &space, &full))
            return false;
        free(simple);
        free(space);
        bool dup = false;
        for (size_t k = 0; k < n->n_aliases; k++)
            dup = dup || strcmp(n->aliases[k], full) == 0;
        if (dup)
            free(full);
        else
            n->aliases[n->n_aliases++] = full;
    }
    return true;
}

/* Java's String.toUpperCase(Locale.ENGLISH) for the letters that can spell an order. */
static char *order_upper(const char *s)
{
    struct sr_buf b;
    sr_buf_init(&b, 0);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (p[0] == 0xC4 && p[1] == 0xB1) { /* dotless i */
            sr_buf_addc(&b, 'I');
            p++;
        } else if (p[0] == 0xC5 && p[1] == 0xBF) { /* long s */
            sr_buf_addc(&b, 'S');
            p++;
        } else {
            sr_buf_addc(&b, (char)toupper(*p));
        }
    }
    return sr_buf_take(&b);
}

/* Java's Double.valueOf on a default given as text for a float/double field. */
static bool text_to_double(struct parse_ctx *c, const char *in, json_t **out)
{
    const char *s = in;
    while (*s && (unsigned char)*s <= ' ')
        s++;
    size_t n = strlen(s);
    while (n && (unsigned char)s[n - 1] <= ' ')
        n--;
    char *t = sr_xstrndup(s, n);
    bool ok = false;
    double d = 0;
    if (!*t) {
        free(t);
        return fail(c, "empty String");
    }
    const char *p = t;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (strcmp(p, "NaN") == 0) {
        d = NAN;
        ok = true;
    } else if (strcmp(p, "Infinity") == 0) {
        d = neg ? -INFINITY : INFINITY;
        ok = true;
    } else if (*p && strncasecmp(p, "inf", 3) != 0 && strncasecmp(p, "nan", 3) != 0) {
        /* Decimal or hex float, optionally with a d/D/f/F suffix. */
        char *body = sr_xstrdup(t);
        size_t bl = strlen(body);
        if (bl && strchr("dDfF", body[bl - 1]) && !(bl > 1 && body[1] == 'x'))
            body[--bl] = '\0';
        errno = 0;
        char *end = NULL;
        d = strtod(body, &end);
        ok = end && *end == '\0' && end != body && bl > 0;
        free(body);
    }
    if (!ok) {
        sr_buf_reset(&c->msg);
        sr_buf_printf(&c->msg, "For input string: \"%s\"", t);
        free(t);
        return false;
    }
    free(t);
    /* Jackson writes non-finite doubles as strings; keep them as the text it would write. */
    if (isnan(d))
        *out = json_string("NaN");
    else if (isinf(d))
        *out = json_string(d < 0 ? "-Infinity" : "Infinity");
    else
        *out = json_real(d);
    return true;
}

static bool parse_field(struct parse_ctx *c, struct avro_node *rec, json_t *fj, size_t pos)
{
    const char *name = json_is_object(fj) ? opt_text(c, fj, "name") : NULL;
    if (!name)
        return fail_json(c, "No field name: ", fj);
    json_t *tj = json_object_get(fj, "type");
    if (!tj)
        return fail_json(c, "No field type: ", fj);
    struct avro_field *f = &rec->fields[rec->n_fields];
    memset(f, 0, sizeof(*f));
    f->pos = pos;
    if (json_is_string(tj)) {
        struct avro_node *found;
        if (!lookup_bare(c, text_of(c, tj), &found))
            return false;
        if (!found) {
            sr_buf_reset(&c->msg);
            avro_write_json(&c->msg, tj, false);
            sr_buf_printf(&c->msg,
                          " is not a defined name. The type of the \"%s\" field must be a "
                          "defined name or a {\"type\": ...} expression.",
                          name);
            return false;
        }
        f->type = found;
    } else {
        f->type = parse_schema(c, tj);
        if (!f->type)
            return false;
    }
    json_t *oj = json_object_get(fj, "order");
    if (oj) {
        if (!json_is_string(oj))
            return fail(c, "Cannot invoke \"String.toUpperCase(java.util.Locale)\" because the "
                           "return value of \"com.fasterxml.jackson.databind.JsonNode."
                           "textValue()\" is null");
        char *up = order_upper(text_of(c, oj));
        if (strcmp(up, "ASCENDING") == 0)
            f->order = AVRO_ORDER_ASCENDING;
        else if (strcmp(up, "DESCENDING") == 0)
            f->order = AVRO_ORDER_DESCENDING;
        else if (strcmp(up, "IGNORE") == 0)
            f->order = AVRO_ORDER_IGNORE;
        else {
            sr_buf_reset(&c->msg);
            sr_buf_printf(&c->msg, "No enum constant org.apache.avro.Schema.Field.Order.%s", up);
            free(up);
            return false;
        }
        free(up);
    }
    json_t *dj = json_object_get(fj, "default");
    bool converted = false;
    if (dj && (f->type->type == AVRO_FLOAT || f->type->type == AVRO_DOUBLE) && json_is_string(dj)) {
        if (!text_to_double(c, text_of(c, dj), &f->def))
            return false;
        converted = true;
    } else if (dj) {
        f->def = json_incref(dj);
    }
    /* The field counts as constructed from here on (freed with the record). */
    rec->n_fields++;
    f->name = sr_xstrdup(name);
    struct sr_buf m;
    sr_buf_init(&m, 0);
    bool name_ok = avro_name_valid(name, &m);
    if (!name_ok)
        fail(c, m.data);
    sr_buf_fini(&m);
    if (!name_ok)
        return false;
    if (f->def && c->opts->validate_defaults && !(converted && json_is_string(f->def)) &&
        !avro_default_valid(f->type, f->def)) {
        sr_buf_reset(&c->msg);
        sr_buf_printf(&c->msg, "Invalid default for field %s: ", name);
        avro_write_json(&c->msg, f->def, false);
        sr_buf_adds(&c->msg, " not a ");
        avro_node_write_standalone(&c->msg, f->type);
        return false;
    }
    const char *doc = opt_text(c, fj, "doc");
    f->doc = doc ? sr_xstrdup(doc) : NULL;
    f->props = collect_props(fj, field_reserved, SR_ARRAY_LEN(field_reserved), false);
    json_t *aj = json_object_get(fj, "aliases");
    if (aj) {
        if (!json_is_array(aj))
            return fail_json(c, "aliases not an array: ", fj);
        f->aliases = sr_xcalloc(json_array_size(aj) + 1, sizeof(char *));
        for (size_t i = 0; i < json_array_size(aj); i++) {
            json_t *e = json_array_get(aj, i);
            if (!json_is_string(e))
                return fail_json(c, "alias not a string: ", e);
            bool dup = false;
            for (size_t k = 0; k < f->n_aliases; k++)
                dup = dup || strcmp(f->aliases[k], text_of(c, e)) == 0;
            if (!dup)
                f->aliases[f->n_aliases++] = sr_xstrdup(text_of(c, e));
        }
    }
    return true;
}

static bool check_duplicate_fields(struct parse_ctx *c, struct avro_node *rec)
{
    for (size_t i = 1; i < rec->n_fields; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(rec->fields[i].name, rec->fields[k].name) == 0) {
                sr_buf_reset(&c->msg);
                sr_buf_printf(&c->msg,
                              "Duplicate field %s in record %s: %s type:%s pos:%zu and %s "
                              "type:%s pos:%zu.",
                              rec->fields[i].name, rec->fullname, rec->fields[i].name,
                              avro_type_upper(rec->fields[i].type->type), rec->fields[i].pos,
                              rec->fields[k].name, avro_type_upper(rec->fields[k].type->type),
                              rec->fields[k].pos);
                return false;
            }
    return true;
}

/* record, error, enum, fixed. */
static struct avro_node *parse_named(struct parse_ctx *c, json_t *j, const char *type)
{
    const char *name = opt_text(c, j, "name");
    if (!name) {
        fail_json(c, "No name in schema: ", j);
        return NULL;
    }
    const char *explicit_space = opt_text(c, j, "namespace");
    const char *space = explicit_space ? explicit_space : c->space;
    char *simple, *nspace, *full;
    if (!make_name(c, name, space ? space : "", &simple, &nspace, &full))
        return NULL;
    enum avro_type t = strcmp(type, "enum") == 0    ? AVRO_ENUM
                       : strcmp(type, "fixed") == 0 ? AVRO_FIXED
                                                    : AVRO_RECORD;
    enum avro_type prim;
    if (avro_primitive_from_name(full, &prim)) {
        sr_buf_reset(&c->msg);
        sr_buf_printf(&c->msg, "Schemas may not be named after primitives: %s", full);
        free(simple);
        free(nspace);
        free(full);
        return NULL;
    }
    struct avro_node *n = avro_node_new(c->s, t);
    n->name = simple;
    n->space = nspace;
    n->fullname = full;
    n->is_error = strcmp(type, "error") == 0;
    const char *doc = opt_text(c, j, "doc");
    n->doc = doc ? sr_xstrdup(doc) : NULL;

    if (t == AVRO_RECORD) {
        if (names_get(c, full)) {
            sr_buf_reset(&c->msg);
            sr_buf_printf(&c->msg, "Can't redefine: %s", full);
            return NULL;
        }
        names_put(c, n); /* before the fields: a record may refer to itself */
        json_t *fields = json_object_get(j, "fields");
        if (!json_is_array(fields)) {
            fail_json(c, "Record has no fields: ", j);
            return NULL;
        }
        const char *saved = c->space;
        c->space = n->space;
        n->fields = sr_xcalloc(json_array_size(fields) + 1, sizeof(*n->fields));
        for (size_t i = 0; i < json_array_size(fields); i++)
            if (!parse_field(c, n, json_array_get(fields, i), i)) {
                c->space = saved;
                return NULL;
            }
        c->space = saved;
        if (!check_duplicate_fields(c, n))
            return NULL;
    } else if (t == AVRO_ENUM) {
        json_t *syms = json_object_get(j, "symbols");
        if (!json_is_array(syms)) {
            fail_json(c, "Enum has no symbols: ", j);
            return NULL;
        }
        n->symbols = sr_xcalloc(json_array_size(syms) + 1, sizeof(char *));
        const char *def = opt_text(c, j, "default");
        for (size_t i = 0; i < json_array_size(syms); i++) {
            json_t *e = json_array_get(syms, i);
            const char *sym = text_of(c, e);
            struct sr_buf m;
            sr_buf_init(&m, 0);
            bool ok = avro_name_valid(sym, &m);
            if (!ok)
                fail(c, m.data);
            sr_buf_fini(&m);
            if (!ok)
                return NULL;
            for (size_t k = 0; k < n->n_symbols; k++)
                if (strcmp(n->symbols[k], sym) == 0) {
                    sr_buf_reset(&c->msg);
                    sr_buf_printf(&c->msg, "Duplicate enum symbol: %s", sym);
                    return NULL;
                }
            n->symbols[n->n_symbols++] = sr_xstrdup(sym);
        }
        if (def) {
            bool found = false;
            for (size_t k = 0; k < n->n_symbols; k++)
                found = found || strcmp(n->symbols[k], def) == 0;
            if (!found) {
                sr_buf_reset(&c->msg);
                sr_buf_printf(&c->msg, "The Enum Default: %s is not in the enum symbol set: [",
                              def);
                for (size_t k = 0; k < n->n_symbols; k++)
                    sr_buf_printf(&c->msg, "%s%s", k ? ", " : "", n->symbols[k]);
                sr_buf_addc(&c->msg, ']');
                return NULL;
            }
            n->enum_default = sr_xstrdup(def);
        }
        if (names_get(c, full)) {
            sr_buf_reset(&c->msg);
            sr_buf_printf(&c->msg, "Can't redefine: %s", full);
            return NULL;
        }
        names_put(c, n);
    } else {
        json_t *size = json_object_get(j, "size");
        if (!json_is_integer(size) || json_integer_value(size) < INT32_MIN ||
            json_integer_value(size) > INT32_MAX) {
            fail_json(c, "Invalid or no size: ", j);
            return NULL;
        }
        json_int_t sz = json_integer_value(size);
        if (sz < 0) {
            sr_buf_reset(&c->msg);
            sr_buf_printf(&c->msg, "Malformed data. Length is negative: %lld", (long long)sz);
            return NULL;
        }
        if (sz > 2147483639) {
            fail(c, "Cannot read arrays longer than 2147483639 bytes in Java library");
            return NULL;
        }
        n->size = (int32_t)sz;
        if (names_get(c, full)) {
            sr_buf_reset(&c->msg);
            sr_buf_printf(&c->msg, "Can't redefine: %s", full);
            return NULL;
        }
        names_put(c, n);
    }
    n->props = collect_props(j, schema_reserved, SR_ARRAY_LEN(schema_reserved), t == AVRO_ENUM);
    if (!parse_type_aliases(c, j, n))
        return NULL;
    return n;
}

static struct avro_node *parse_union(struct parse_ctx *c, json_t *arr)
{
    struct avro_node *u = avro_node_new(c->s, AVRO_UNION);
    size_t n = json_array_size(arr);
    u->branches = sr_xcalloc(n + 1, sizeof(*u->branches));
    for (size_t i = 0; i < n; i++) {
        struct avro_node *b = parse_schema(c, json_array_get(arr, i));
        if (!b)
            return NULL;
        u->branches[u->n_branches++] = b;
    }
    for (size_t i = 0; i < u->n_branches; i++) {
        struct avro_node *b = u->branches[i];
        if (b->type == AVRO_UNION) {
            sr_buf_reset(&c->msg);
            sr_buf_adds(&c->msg, "Nested union: ");
            avro_node_write_standalone(&c->msg, u);
            return NULL;
        }
        const char *key = avro_is_named(b->type) ? b->fullname : avro_type_name(b->type);
        for (size_t k = 0; k < i; k++) {
            const struct avro_node *o = u->branches[k];
            const char *okey = avro_is_named(o->type) ? o->fullname : avro_type_name(o->type);
            if (strcmp(key, okey) == 0) {
                sr_buf_reset(&c->msg);
                sr_buf_printf(&c->msg, "Duplicate in union:%s", key);
                return NULL;
            }
        }
    }
    return u;
}

static struct avro_node *parse_object(struct parse_ctx *c, json_t *j)
{
    const char *type = opt_text(c, j, "type");
    if (!type) {
        fail_json(c, "No type: ", j);
        return NULL;
    }
    enum avro_type prim;
    if (avro_primitive_from_name(type, &prim)) {
        struct avro_node *n = avro_node_new(c->s, prim);
        n->props = collect_props(j, schema_reserved, SR_ARRAY_LEN(schema_reserved), false);
        return n;
    }
    if (!strcmp(type, "record") || !strcmp(type, "error") || !strcmp(type, "enum") ||
        !strcmp(type, "fixed"))
        return parse_named(c, j, type);
    if (!strcmp(type, "array") || !strcmp(type, "map")) {
        bool is_array = type[0] == 'a';
        json_t *child = json_object_get(j, is_array ? "items" : "values");
        if (!child) {
            fail_json(c, is_array ? "Array has no items type: " : "Map has no values type: ", j);
            return NULL;
        }
        struct avro_node *n = avro_node_new(c->s, is_array ? AVRO_ARRAY : AVRO_MAP);
        n->child = parse_schema(c, child);
        if (!n->child)
            return NULL;
        n->props = collect_props(j, schema_reserved, SR_ARRAY_LEN(schema_reserved), false);
        return n;
    }
    /* {"type":"Name"}: an exact lookup in the current namespace, other keys ignored. */
    char *simple, *space, *full;
    if (!make_name(c, type, c->space ? c->space : "", &simple, &space, &full))
        return NULL;
    struct avro_node *found = names_get(c, full);
    free(simple);
    free(space);
    free(full);
    if (!found) {
        sr_buf_reset(&c->msg);
        sr_buf_printf(&c->msg, "Type not supported: %s", type);
    }
    return found;
}

static struct avro_node *parse_schema(struct parse_ctx *c, json_t *j)
{
    if (++c->depth > c->max_depth) {
        sr_buf_reset(&c->msg);
        sr_buf_printf(&c->msg, "Schema nesting is deeper than the limit of %d", c->max_depth);
        return NULL;
    }
    struct avro_node *n = NULL;
    if (json_is_string(j)) {
        if (lookup_bare(c, text_of(c, j), &n) && !n)
            fail_json(c, "Undefined name: ", j);
    } else if (json_is_object(j)) {
        n = parse_object(c, j);
    } else if (json_is_array(j)) {
        n = parse_union(c, j);
    } else {
        fail_json(c, "Schema not yet supported: ", j);
    }
    c->depth--;
    return n;
}

/* Replaces block and line comments (Jackson's ALLOW_COMMENTS) with spaces, keeping byte
 * positions. False on an unterminated block comment. */
static bool blank_comments(char *t, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (in_string) {
            if (t[i] == '\\')
                i++;
            else if (t[i] == '"')
                in_string = false;
            continue;
        }
        if (t[i] == '"') {
            in_string = true;
        } else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n')
                t[i++] = ' ';
        } else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
            size_t k = i + 2;
            while (k + 1 < len && !(t[k] == '*' && t[k + 1] == '/'))
                k++;
            if (k + 1 >= len)
                return false;
            for (size_t m = i; m <= k + 1; m++)
                if (t[m] != '\n')
                    t[m] = ' ';
            i = k + 1;
        }
    }
    return true;
}

static bool is_java_space(char ch)
{
    return (unsigned char)ch <= ' ';
}

/* Parses one document into the context; returns its root. */
static struct avro_node *parse_document(struct parse_ctx *c, const char *text, size_t len)
{
    char *copy = sr_xstrndup(text, len);
    struct avro_node *root = NULL;
    json_t *j = NULL;
    if (!blank_comments(copy, len)) {
        fail(c, "Unexpected end-of-input in a comment");
        goto out;
    }
    size_t k = 0;
    while (k < len && is_java_space(copy[k]))
        k++;
    if (k == len) {
        fail(c, "Cannot parse <null> schema");
        goto out;
    }
    json_error_t jerr;
    j = json_loadb(copy, len, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
    if (!j) {
        sr_buf_reset(&c->msg);
        sr_buf_printf(&c->msg, "Illegal JSON: %s at line %d, column %d", jerr.text, jerr.line,
                      jerr.column);
        goto out;
    }
    c->space = NULL;
    root = parse_schema(c, j);
    if (!root)
        goto out;
    /* Trailing content, judged on the original text (a trailing comment is dangling). */
    size_t end = (size_t)jerr.position;
    const char *rest = text + end;
    size_t rl = len - end;
    while (rl && is_java_space(*rest)) {
        rest++;
        rl--;
    }
    while (rl && is_java_space(rest[rl - 1]))
        rl--;
    if (rl) {
        sr_buf_reset(&c->msg);
        sr_buf_adds(&c->msg, "dangling content after end of schema: ");
        sr_buf_add(&c->msg, rest, rl);
        root = NULL;
    }
out:
    json_decref(j);
    free(copy);
    return root;
}

struct sr_avro_schema *sr_avro_parse(const char *text, size_t len, const char *const *refs,
                                     const size_t *ref_lens, size_t n_refs,
                                     const struct sr_avro_parse_options *opts, struct sr_err *err)
{
    struct sr_avro_parse_options defaults = {0};
    if (!opts)
        opts = &defaults;
    struct parse_ctx c = {0};
    c.opts = opts;
    c.max_depth = opts->max_depth > 0 ? opts->max_depth : DEFAULT_MAX_DEPTH;
    sr_buf_init(&c.msg, 4096);
    c.s = sr_xcalloc(1, sizeof(*c.s));
    atomic_init(&c.s->refcount, 1);
    bool ok = true;
    if (opts->max_bytes && len > opts->max_bytes) {
        sr_buf_printf(&c.msg, "Schema is larger than the limit of %zu bytes", opts->max_bytes);
        ok = false;
    }
    c.s->ref_texts = sr_xcalloc(n_refs + 1, sizeof(*c.s->ref_texts));
    c.s->ref_lens = sr_xcalloc(n_refs + 1, sizeof(*c.s->ref_lens));
    for (size_t i = 0; i < n_refs; i++) {
        c.s->ref_texts[i] = sr_xstrndup(refs[i], ref_lens[i]);
        c.s->ref_lens[i] = ref_lens[i];
    }
    c.s->n_refs = n_refs;
    for (size_t i = 0; ok && i < n_refs; i++)
        ok = parse_document(&c, refs[i], ref_lens[i]) != NULL;
    /* Every named type a reference defines is written as a name in the canonical string.
     * (Confluent pre-registers only each reference's top-level type and inlines nested ones,
     * which yields a string that cannot be parsed again with its own references.) */
    for (size_t i = 0; ok && i < c.s->n_nodes; i++)
        if (avro_is_named(c.s->nodes[i]->type)) {
            c.s->ref_types =
                sr_xrealloc(c.s->ref_types, (c.s->n_ref_types + 1) * sizeof(*c.s->ref_types));
            c.s->ref_types[c.s->n_ref_types++] = c.s->nodes[i];
        }
    if (ok) {
        c.s->root = parse_document(&c, text, len);
        ok = c.s->root != NULL;
    }
    if (!ok) {
        char *msg = avro_message_text(c.msg.data ? c.msg.data : "invalid schema");
        sr_err_set(err, SR_E_INVALID_SCHEMA, "%s", msg);
        free(msg);
        sr_avro_schema_decref(c.s);
        c.s = NULL;
    }
    sr_buf_fini(&c.msg);
    free(c.table);
    for (size_t i = 0; i < c.n_owned; i++)
        free(c.owned[i]);
    free(c.owned);
    return c.s;
}
