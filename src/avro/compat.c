/* SPDX-License-Identifier: Apache-2.0 */
/* Reader/writer compatibility as Avro Java 1.11's SchemaCompatibility: a recursive check
 * memoised on the (reader, writer) node pair, where a pair under evaluation counts as
 * compatible (recursive types); every incompatibility is collected with its JSON-pointer
 * location in the reader. The quirks of 1.11 are kept on purpose (union sub-checks start a
 * fresh location; cached results keep the location of their first computation), because
 * Confluent's messages, and therefore clients, see exactly them. */
#include <stdlib.h>
#include <string.h>

#include "avro_int.h"

/* Recursion bound for pathological pairs of recursive schemas. */
#define MAX_CHECK_DEPTH 4000

struct result {
    struct sr_avro_incompat *items;
    size_t len, cap;
};

struct memo_entry {
    const struct avro_node *reader, *writer;
    bool done;
    struct result res;
};

struct checker {
    struct memo_entry *memo;
    size_t cap, count;
    int depth;
    char *exception;
};

/* The location stack. A token is a string literal ("fields", "type", ...) or an index; the
 * JSON pointer is only formatted when an incompatibility is recorded. */
struct token {
    const char *literal; /* NULL for an index */
    size_t index;
};

struct location {
    struct token *tokens;
    size_t len, cap;
};

/* Appends an incompatibility; takes ownership of location and message. */
static void result_add(struct result *r, enum sr_avro_incompat_type t, char *loc, char *msg)
{
    if (r->len == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 4;
        r->items = sr_xrealloc(r->items, r->cap * sizeof(*r->items));
    }
    r->items[r->len].type = t;
    r->items[r->len].location = loc;
    r->items[r->len].message = msg;
    r->len++;
}

static void result_merge(struct result *into, const struct result *from)
{
    for (size_t i = 0; i < from->len; i++)
        result_add(into, from->items[i].type, sr_xstrdup(from->items[i].location),
                   sr_xstrdup(from->items[i].message));
}

static void result_fini(struct result *r)
{
    for (size_t i = 0; i < r->len; i++) {
        free(r->items[i].location);
        free(r->items[i].message);
    }
    free(r->items);
    memset(r, 0, sizeof(*r));
}

/* ---- location stack ---- */

static void loc_push_token(struct location *l, struct token t)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->tokens = sr_xrealloc(l->tokens, l->cap * sizeof(*l->tokens));
    }
    l->tokens[l->len++] = t;
}

/* token must be a string literal (it is kept by pointer). */
static void loc_push(struct location *l, const char *token)
{
    loc_push_token(l, (struct token){token, 0});
}

static void loc_push_index(struct location *l, size_t i)
{
    loc_push_token(l, (struct token){NULL, i});
}

static void loc_pop(struct location *l)
{
    l->len--;
}

/* JSON pointer of the stack without its root token. */
static char *loc_string(const struct location *l)
{
    if (l->len <= 1)
        return sr_xstrdup("/");
    struct sr_buf b;
    sr_buf_init(&b, 0);
    for (size_t i = 1; i < l->len; i++) {
        sr_buf_addc(&b, '/');
        if (!l->tokens[i].literal) {
            sr_buf_printf(&b, "%zu", l->tokens[i].index);
            continue;
        }
        for (const char *p = l->tokens[i].literal; *p; p++) {
            if (*p == '~')
                sr_buf_adds(&b, "~0");
            else if (*p == '/')
                sr_buf_adds(&b, "~1");
            else
                sr_buf_addc(&b, *p);
        }
    }
    return sr_buf_take(&b);
}

static void add_here(struct result *r, const struct location *l, enum sr_avro_incompat_type t,
                     const char *msg)
{
    result_add(r, t, loc_string(l), avro_message_text(msg));
}

/* ---- memo ---- */

static size_t pair_hash(const void *a, const void *b, size_t cap)
{
    uintptr_t v = (uintptr_t)a * 0x9E3779B97F4A7C15ull ^ (uintptr_t)b * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(v ^ (v >> 29)) & (cap - 1);
}

static struct memo_entry *memo_find(struct checker *c, const struct avro_node *r,
                                    const struct avro_node *w, bool create)
{
    if (create && (c->count + 1) * 2 > c->cap) {
        size_t old = c->cap;
        struct memo_entry *t = c->memo;
        c->cap = old ? old * 2 : 64;
        c->memo = sr_xcalloc(c->cap, sizeof(*c->memo));
        for (size_t i = 0; i < old; i++)
            if (t[i].reader) {
                size_t k = pair_hash(t[i].reader, t[i].writer, c->cap);
                while (c->memo[k].reader)
                    k = (k + 1) & (c->cap - 1);
                c->memo[k] = t[i];
            }
        free(t);
    }
    if (!c->cap)
        return NULL;
    size_t k = pair_hash(r, w, c->cap);
    for (;; k = (k + 1) & (c->cap - 1)) {
        struct memo_entry *e = &c->memo[k];
        if (!e->reader) {
            if (!create)
                return NULL;
            e->reader = r;
            e->writer = w;
            c->count++;
            return e;
        }
        if (e->reader == r && e->writer == w)
            return e;
    }
}

static void calculate(struct checker *c, const struct avro_node *r, const struct avro_node *w,
                      struct location *l, struct result *out);

/* getCompatibility(token, reader, writer, location): appends the pair's result to out. */
static void check_at(struct checker *c, const char *token, const struct avro_node *r,
                     const struct avro_node *w, struct location *l, struct result *out)
{
    loc_push(l, token);
    struct memo_entry *e = memo_find(c, r, w, false);
    if (e) {
        if (e->done)
            result_merge(out, &e->res);
        /* else: recursion in progress, assumed compatible */
    } else if (c->depth >= MAX_CHECK_DEPTH) {
        if (!c->exception)
            c->exception = sr_xstrdup("schemas are nested too deeply to compare");
    } else {
        e = memo_find(c, r, w, true);
        c->depth++;
        struct result res = {0};
        calculate(c, r, w, l, &res);
        c->depth--;
        /* The table may have grown during the recursion: find the entry again. */
        e = memo_find(c, r, w, false);
        e->done = true;
        e->res = res;
        result_merge(out, &res);
    }
    loc_pop(l);
}

/* The 2-argument getCompatibility: a fresh location holding only the root. */
static void check_fresh(struct checker *c, const struct avro_node *r, const struct avro_node *w,
                        struct result *out)
{
    struct location l = {0};
    check_at(c, "", r, w, &l, out);
    free(l.tokens);
}

static void type_mismatch(const struct avro_node *r, const struct avro_node *w,
                          const struct location *l, struct result *out)
{
    char msg[96];
    snprintf(msg, sizeof(msg), "reader type: %s not compatible with writer type: %s",
             avro_type_upper(r->type), avro_type_upper(w->type));
    add_here(out, l, SR_AVRO_TYPE_MISMATCH, msg);
}

static void check_names(const struct avro_node *r, const struct avro_node *w, struct location *l,
                        struct result *out)
{
    loc_push(l, "name");
    bool eq = strcmp(r->name, w->name) == 0;
    for (size_t i = 0; !eq && i < r->n_aliases; i++)
        eq = strcmp(r->aliases[i], w->fullname) == 0;
    if (!eq) {
        char *msg = sr_xasprintf("expected: %s", w->fullname);
        add_here(out, l, SR_AVRO_NAME_MISMATCH, msg);
        free(msg);
    }
    loc_pop(l);
}

static int sym_cmp(const void *a, const void *b)
{
    return sr_utf16_cmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_enum_symbols(const struct avro_node *r, const struct avro_node *w,
                               struct location *l, struct result *out)
{
    loc_push(l, "symbols");
    const char **missing = sr_xmalloc((w->n_symbols + 1) * sizeof(*missing));
    size_t n = 0;
    for (size_t i = 0; i < w->n_symbols; i++) {
        bool found = false;
        for (size_t k = 0; !found && k < r->n_symbols; k++)
            found = strcmp(w->symbols[i], r->symbols[k]) == 0;
        if (!found)
            missing[n++] = w->symbols[i];
    }
    if (n && !r->enum_default) {
        sr_sort(missing, n, sizeof(*missing), sym_cmp);
        struct sr_buf b;
        sr_buf_init(&b, 0);
        sr_buf_addc(&b, '[');
        for (size_t i = 0; i < n; i++)
            sr_buf_printf(&b, "%s%s", i ? ", " : "", missing[i]);
        sr_buf_addc(&b, ']');
        add_here(out, l, SR_AVRO_MISSING_ENUM_SYMBOLS, b.data);
        sr_buf_fini(&b);
    }
    free(missing);
    loc_pop(l);
}

/* The writer field a reader field reads: by name, or by any of the reader field's aliases.
 * More than one candidate makes Avro throw. */
static bool lookup_writer_field(struct checker *c, const struct avro_node *w,
                                const struct avro_field *rf, const struct avro_field **found)
{
    size_t hits = 0;
    *found = NULL;
    for (size_t k = 0; k < w->n_fields; k++)
        if (strcmp(w->fields[k].name, rf->name) == 0) {
            *found = &w->fields[k];
            hits++;
        }
    for (size_t a = 0; a < rf->n_aliases; a++)
        for (size_t k = 0; k < w->n_fields; k++)
            if (strcmp(w->fields[k].name, rf->aliases[a]) == 0) {
                *found = &w->fields[k];
                hits++;
            }
    if (hits <= 1)
        return true;
    if (!c->exception) {
        struct sr_buf b;
        sr_buf_init(&b, 0);
        sr_buf_printf(&b,
                      "Reader record field %s type:%s pos:%zu matches multiple fields in writer "
                      "record schema ",
                      rf->name, avro_type_upper(rf->type->type), rf->pos);
        avro_node_write_standalone(&b, w);
        c->exception = sr_buf_take(&b);
    }
    return false;
}

static void check_fields(struct checker *c, const struct avro_node *r, const struct avro_node *w,
                         struct location *l, struct result *out)
{
    loc_push(l, "fields");
    for (size_t i = 0; i < r->n_fields && !c->exception; i++) {
        const struct avro_field *rf = &r->fields[i];
        loc_push_index(l, i);
        const struct avro_field *wf;
        if (lookup_writer_field(c, w, rf, &wf)) {
            if (wf) {
                check_at(c, "type", rf->type, wf->type, l, out);
            } else if (!rf->def) {
                if (rf->type->type == AVRO_ENUM && rf->type->enum_default)
                    /* Avro compares the enum with the writer record itself here (a bug kept
                     * for parity: it reports ENUM vs RECORD). */
                    check_at(c, "type", rf->type, w, l, out);
                else
                    add_here(out, l, SR_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE, rf->name);
            }
        }
        loc_pop(l);
    }
    loc_pop(l);
}

static bool promotable(enum avro_type reader, enum avro_type writer)
{
    switch (reader) {
    case AVRO_LONG:
        return writer == AVRO_INT;
    case AVRO_FLOAT:
        return writer == AVRO_INT || writer == AVRO_LONG;
    case AVRO_DOUBLE:
        return writer == AVRO_INT || writer == AVRO_LONG || writer == AVRO_FLOAT;
    case AVRO_BYTES:
        return writer == AVRO_STRING;
    case AVRO_STRING:
        return writer == AVRO_BYTES;
    default:
        return false;
    }
}

static void calculate(struct checker *c, const struct avro_node *r, const struct avro_node *w,
                      struct location *l, struct result *out)
{
    if (r->type == w->type) {
        switch (r->type) {
        case AVRO_ARRAY:
            check_at(c, "items", r->child, w->child, l, out);
            return;
        case AVRO_MAP:
            check_at(c, "values", r->child, w->child, l, out);
            return;
        case AVRO_FIXED:
            check_names(r, w, l, out);
            loc_push(l, "size");
            if (r->size != w->size) {
                char msg[64];
                snprintf(msg, sizeof(msg), "expected: %d, found: %d", (int)w->size, (int)r->size);
                add_here(out, l, SR_AVRO_FIXED_SIZE_MISMATCH, msg);
            }
            loc_pop(l);
            return;
        case AVRO_ENUM:
            check_names(r, w, l, out);
            check_enum_symbols(r, w, l, out);
            return;
        case AVRO_RECORD:
            check_names(r, w, l, out);
            check_fields(c, r, w, l, out);
            return;
        case AVRO_UNION:
            for (size_t i = 0; i < w->n_branches; i++) {
                loc_push_index(l, i);
                struct result sub = {0};
                check_fresh(c, r, w->branches[i], &sub);
                if (sub.len) {
                    char msg[96];
                    snprintf(msg, sizeof(msg), "reader union lacking writer type: %s",
                             avro_type_upper(w->branches[i]->type));
                    add_here(out, l, SR_AVRO_MISSING_UNION_BRANCH, msg);
                }
                result_fini(&sub);
                loc_pop(l);
            }
            return;
        default:
            return; /* same primitive */
        }
    }
    if (w->type == AVRO_UNION) {
        for (size_t i = 0; i < w->n_branches; i++)
            check_fresh(c, r, w->branches[i], out);
        return;
    }
    if (r->type == AVRO_UNION) {
        for (size_t i = 0; i < r->n_branches; i++) {
            struct result sub = {0};
            check_fresh(c, r->branches[i], w, &sub);
            bool ok = sub.len == 0;
            result_fini(&sub);
            if (ok)
                return;
        }
        char msg[96];
        snprintf(msg, sizeof(msg), "reader union lacking writer type: %s",
                 avro_type_upper(w->type));
        add_here(out, l, SR_AVRO_MISSING_UNION_BRANCH, msg);
        return;
    }
    if (!promotable(r->type, w->type))
        type_mismatch(r, w, l, out);
}

void sr_avro_compat_check(const struct sr_avro_schema *reader, const struct sr_avro_schema *writer,
                          struct sr_avro_compat *out)
{
    memset(out, 0, sizeof(*out));
    struct checker c = {0};
    struct result res = {0};
    check_fresh(&c, reader->root, writer->root, &res);
    out->items = res.items;
    out->len = res.len;
    out->exception = c.exception;
    for (size_t i = 0; i < c.cap; i++)
        if (c.memo[i].reader)
            result_fini(&c.memo[i].res);
    free(c.memo);
}

void sr_avro_compat_fini(struct sr_avro_compat *cr)
{
    if (!cr)
        return;
    struct result r = {cr->items, cr->len, cr->len};
    result_fini(&r);
    free(cr->exception);
    memset(cr, 0, sizeof(*cr));
}

const char *sr_avro_incompat_name(enum sr_avro_incompat_type t)
{
    static const char *const names[] = {
        "NAME_MISMATCH",        "FIXED_SIZE_MISMATCH",
        "MISSING_ENUM_SYMBOLS", "READER_FIELD_MISSING_DEFAULT_VALUE",
        "TYPE_MISMATCH",        "MISSING_UNION_BRANCH"};
    return names[t];
}
