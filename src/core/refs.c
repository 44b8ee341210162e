/* SPDX-License-Identifier: Apache-2.0 */
/* Schemas in and out of the registry: resolving references (transitively, depth first, as
 * Confluent does), parsing a request into its canonical string and identity hash, loading a
 * stored schema by id (through the cache), and deciding semantic equivalence. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

/* ---- reference resolution ---- */

/* Resolved references in parse order: each one's own references come before it. */
struct ref_set {
    char **names;
    char **texts;
    size_t *lens;
    size_t len;
};

static void ref_set_fini(struct ref_set *rs)
{
    for (size_t i = 0; i < rs->len; i++) {
        free(rs->names[i]);
        free(rs->texts[i]);
    }
    free(rs->names);
    free(rs->texts);
    free(rs->lens);
    memset(rs, 0, sizeof(*rs));
}

static bool ref_set_has(const struct ref_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->len; i++)
        if (strcmp(rs->names[i], name) == 0)
            return true;
    return false;
}

static void ref_set_add(struct ref_set *rs, const char *name, const char *text)
{
    rs->names = sr_xrealloc(rs->names, (rs->len + 1) * sizeof(*rs->names));
    rs->texts = sr_xrealloc(rs->texts, (rs->len + 1) * sizeof(*rs->texts));
    rs->lens = sr_xrealloc(rs->lens, (rs->len + 1) * sizeof(*rs->lens));
    rs->names[rs->len] = sr_xstrdup(name);
    rs->texts[rs->len] = sr_xstrdup(text);
    rs->lens[rs->len] = strlen(text);
    rs->len++;
}

/* Finds the schema id at subject/version (-1 = latest active; soft-deleted numbered versions
 * count). Sets *version_out to the concrete version. */
static enum sr_store_status find_ref_target(struct sr_core *core, const char *subject,
                                            int32_t version, int32_t *id_out, int32_t *version_out,
                                            unsigned char hash[16], struct sr_err *err)
{
    struct sr_version_list vl = {0};
    enum sr_store_status rs = core->store->ops->subject_versions(core->store, subject, &vl, err);
    if (rs != SR_STORE_OK)
        return rs;
    rs = SR_STORE_NOT_FOUND;
    for (size_t i = vl.len; i-- > 0;) {
        const struct sr_version_record *v = &vl.items[i];
        if ((version == -1 && !v->deleted) || v->version == version) {
            *id_out = v->schema_id;
            *version_out = v->version;
            memcpy(hash, v->hash, 16);
            rs = SR_STORE_OK;
            break;
        }
    }
    sr_version_list_fini(&vl);
    return rs;
}

static bool resolve_refs(struct sr_core *core, json_t *refs, struct ref_set *out, int depth,
                         char *detail, size_t detail_cap, struct sr_err *err);

/* Adds one stored schema's references (and their references) to out. */
static bool resolve_stored(struct sr_core *core, const char *refs_json, struct ref_set *out,
                           int depth, char *detail, size_t detail_cap, struct sr_err *err)
{
    if (!refs_json)
        return true;
    json_t *refs = json_loads(refs_json, 0, NULL);
    bool ok = resolve_refs(core, refs, out, depth, detail, detail_cap, err);
    json_decref(refs);
    return ok;
}

/* Resolves refs (a JSON array of {name, subject, version}); rewrites version -1 in place to
 * the concrete version. On a reference problem sets detail (the Avro-level message) and
 * returns false with err untouched; on a store failure sets err. */
static bool resolve_refs(struct sr_core *core, json_t *refs, struct ref_set *out, int depth,
                         char *detail, size_t detail_cap, struct sr_err *err)
{
    size_t i;
    json_t *ref;
    json_array_foreach(refs, i, ref)
    {
        json_t *jn = json_object_get(ref, "name"), *js = json_object_get(ref, "subject"),
               *jv = json_object_get(ref, "version");
        if (!json_is_string(jn) || !json_is_string(js) || !json_is_integer(jv)) {
            snprintf(detail, detail_cap, "Invalid reference: {name='%s', subject='%s', version=%s}",
                     json_is_string(jn) ? json_string_value(jn) : "null",
                     json_is_string(js) ? json_string_value(js) : "null",
                     json_is_integer(jv) ? "?" : "null");
            if (json_is_integer(jv))
                snprintf(detail, detail_cap,
                         "Invalid reference: {name='%s', subject='%s', version=%lld}",
                         json_is_string(jn) ? json_string_value(jn) : "null",
                         json_is_string(js) ? json_string_value(js) : "null",
                         (long long)json_integer_value(jv));
            return false;
        }
        const char *name = json_string_value(jn);
        if (ref_set_has(out, name))
            continue;
        if (out->len >= (size_t)core->cfg->max_references || depth > core->cfg->max_references) {
            snprintf(detail, detail_cap, "Too many schema references (limit %d)",
                     core->cfg->max_references);
            return false;
        }
        json_int_t want = json_integer_value(jv);
        int32_t id = 0, version = 0;
        unsigned char hash[16];
        enum sr_store_status rs = want >= INT32_MIN && want <= INT32_MAX
                                      ? find_ref_target(core, json_string_value(js), (int32_t)want,
                                                        &id, &version, hash, err)
                                      : SR_STORE_NOT_FOUND;
        if (rs == SR_STORE_NOT_FOUND) {
            snprintf(detail, detail_cap,
                     "No schema reference found for subject \"%s\" and version %lld",
                     json_string_value(js), (long long)want);
            return false;
        }
        if (rs != SR_STORE_OK)
            return core_store_failed(rs, err);
        json_object_set_new(ref, "version", json_integer(version));
        struct loaded_schema *target = core_load_schema(core, id, hash, err);
        if (!target)
            return false;
        bool ok =
            resolve_stored(core, target->rec.references, out, depth + 1, detail, detail_cap, err);
        if (ok && !ref_set_has(out, name))
            ref_set_add(out, name, target->rec.schema);
        loaded_schema_release(target);
        if (!ok)
            return false;
    }
    return true;
}

/* ---- hashing ---- */

static void hash_str(struct sr_md5 *m, const char *s)
{
    if (s)
        sr_md5_update(m, s, strlen(s));
}

static int utf16_key_cmp(const void *a, const void *b)
{
    return sr_utf16_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* Member names of an object, sorted in Java String order (caller frees the array). */
static const char **sorted_keys(json_t *obj, size_t *n)
{
    *n = json_object_size(obj);
    const char **keys = sr_xmalloc((*n ? *n : 1) * sizeof(*keys));
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) keys[k++] = key;
    sr_sort(keys, k, sizeof(*keys), utf16_key_cmp);
    return keys;
}

static void hash_metadata(struct sr_md5 *m, json_t *md)
{
    static const unsigned char one = 1;
    sr_md5_update(m, &one, 1);
    size_t n;
    json_t *tags = json_object_get(md, "tags");
    const char **keys = sorted_keys(tags, &n);
    for (size_t i = 0; i < n; i++) {
        hash_str(m, keys[i]);
        json_t *vals = json_object_get(tags, keys[i]);
        for (size_t k = 0; k < json_array_size(vals); k++)
            hash_str(m, json_string_value(json_array_get(vals, k)));
    }
    free(keys);
    json_t *props = json_object_get(md, "properties");
    keys = sorted_keys(props, &n);
    for (size_t i = 0; i < n; i++) {
        hash_str(m, keys[i]);
        hash_str(m, json_string_value(json_object_get(props, keys[i])));
    }
    free(keys);
    json_t *sens = json_object_get(md, "sensitive");
    for (size_t k = 0; k < json_array_size(sens); k++)
        hash_str(m, json_string_value(json_array_get(sens, k)));
}

void core_identity_hash(const char *canonical, const char *references_json, const char *metadata,
                        const char *rule_set, unsigned char out[16])
{
    struct sr_md5 m;
    sr_md5_init(&m);
    hash_str(&m, canonical);
    json_t *refs = references_json ? json_loads(references_json, 0, NULL) : NULL;
    size_t i;
    json_t *ref;
    json_array_foreach(refs, i, ref)
    {
        hash_str(&m, json_string_value(json_object_get(ref, "name")));
        hash_str(&m, json_string_value(json_object_get(ref, "subject")));
        uint32_t v = (uint32_t)json_integer_value(json_object_get(ref, "version"));
        unsigned char be[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                               (unsigned char)(v >> 8), (unsigned char)v};
        sr_md5_update(&m, be, 4);
    }
    json_decref(refs);
    if (metadata) {
        json_t *md = json_loads(metadata, 0, NULL);
        hash_metadata(&m, md);
        json_decref(md);
    }
    if (rule_set) {
        /* Rule sets are kept opaque: hash their canonical JSON. */
        static const unsigned char one = 1;
        sr_md5_update(&m, &one, 1);
        hash_str(&m, rule_set);
    }
    sr_md5_final(&m, out);
}

/* ---- metadata / rule set canonical text ---- */

static int json_str_cmp(const void *a, const void *b)
{
    return sr_utf16_cmp(json_string_value(*(json_t *const *)a),
                        json_string_value(*(json_t *const *)b));
}

/* Sorted, de-duplicated copy of an array of strings; NULL if any element is not a string. */
static json_t *sorted_string_set(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = sr_xmalloc((n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        v[i] = json_array_get(arr, i);
        if (!json_is_string(v[i])) {
            free(v);
            return NULL;
        }
    }
    sr_sort(v, n, sizeof(*v), json_str_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(json_string_value(v[i]), json_string_value(v[i - 1])) != 0)
            json_array_append(out, v[i]);
    free(v);
    return out;
}

/* Metadata as Confluent's entity writes it: maps and sets sorted, empty members omitted.
 * NULL with err (400) when its shape is wrong. */
static char *canonical_metadata(json_t *md, struct sr_err *err)
{
    json_t *out = json_object();
    json_t *tags = json_object_get(md, "tags"), *props = json_object_get(md, "properties"),
           *sens = json_object_get(md, "sensitive");
    bool ok = (!tags || json_is_null(tags) || json_is_object(tags)) &&
              (!props || json_is_null(props) || json_is_object(props)) &&
              (!sens || json_is_null(sens) || json_is_array(sens));
    size_t n;
    if (ok && json_object_size(tags)) {
        json_t *t = json_object();
        const char **keys = sorted_keys(tags, &n);
        for (size_t i = 0; ok && i < n; i++) {
            json_t *set = json_is_array(json_object_get(tags, keys[i]))
                              ? sorted_string_set(json_object_get(tags, keys[i]))
                              : NULL;
            ok = set != NULL;
            if (ok)
                json_object_set_new(t, keys[i], set);
        }
        free(keys);
        json_object_set_new(out, "tags", t);
    }
    if (ok && json_object_size(props)) {
        json_t *p = json_object();
        const char **keys = sorted_keys(props, &n);
        for (size_t i = 0; ok && i < n; i++) {
            json_t *v = json_object_get(props, keys[i]);
            ok = json_is_string(v);
            if (ok)
                json_object_set(p, keys[i], v);
        }
        free(keys);
        json_object_set_new(out, "properties", p);
    }
    if (ok && json_array_size(sens)) {
        json_t *s = sorted_string_set(sens);
        ok = s != NULL;
        if (ok)
            json_object_set_new(out, "sensitive", s);
    }
    char *text = ok ? json_dumps(out, JSON_COMPACT) : NULL;
    json_decref(out);
    if (!ok)
        sr_err_set(err, SR_E_HTTP_BAD_REQUEST,
                   "Cannot deserialize value of type `Metadata`: tags must map names to lists "
                   "of strings, properties names to strings, sensitive must list strings");
    return text;
}

/* ---- request parsing ---- */

/* Java-style rendering of a reference list for messages: [{name='n', subject='s', version=1}] */
static void refs_to_java(struct sr_buf *b, json_t *refs)
{
    sr_buf_addc(b, '[');
    size_t i;
    json_t *ref;
    json_array_foreach(refs, i, ref)
    {
        json_t *jv = json_object_get(ref, "version");
        sr_buf_printf(b, "%s{name='%s', subject='%s', version=", i ? ", " : "",
                      json_string_value(json_object_get(ref, "name"))
                          ? json_string_value(json_object_get(ref, "name"))
                          : "null",
                      json_string_value(json_object_get(ref, "subject"))
                          ? json_string_value(json_object_get(ref, "subject"))
                          : "null");
        if (json_is_integer(jv))
            sr_buf_printf(b, "%lld}", (long long)json_integer_value(jv));
        else
            sr_buf_adds(b, "null}");
    }
    sr_buf_addc(b, ']');
}

static void metadata_to_java(struct sr_buf *b, json_t *md)
{
    if (!md) {
        sr_buf_adds(b, "null");
        return;
    }
    char *compact = json_dumps(md, JSON_COMPACT);
    sr_buf_printf(b, "Metadata%s", compact ? compact : "{}");
    free(compact);
}

/* Confluent 7.x's 42201 wording: the request as Schema.toString(), its references, the
 * type, and the parser's message. */
static bool invalid_schema(struct sr_err *err, const char *subject,
                           const struct sr_schema_request *req, const char *schema_text,
                           json_t *refs, const char *details)
{
    struct sr_buf b;
    sr_buf_init(&b, 0);
    sr_buf_printf(&b, "Invalid schema {subject=%s,version=%d,id=%d,schemaType=AVRO,references=",
                  subject, (int)req->version, (int)req->id);
    refs_to_java(&b, refs);
    sr_buf_adds(&b, ",metadata=");
    metadata_to_java(&b, req->metadata);
    sr_buf_printf(&b, ",ruleSet=null,schema=%s,schemaTags=null} with refs ",
                  schema_text ? schema_text : "null");
    refs_to_java(&b, refs);
    sr_buf_printf(&b, " of type AVRO, details: %s", details);
    return sr_err_set_owned(err, SR_E_INVALID_SCHEMA, sr_buf_take(&b));
}

static int ref_cmp(const void *a, const void *b)
{
    json_t *ra = *(json_t *const *)a, *rb = *(json_t *const *)b;
    int c = sr_utf16_cmp(json_string_value(json_object_get(ra, "subject")),
                         json_string_value(json_object_get(rb, "subject")));
    if (c)
        return c;
    json_int_t va = json_integer_value(json_object_get(ra, "version"));
    json_int_t vb = json_integer_value(json_object_get(rb, "version"));
    if (va != vb)
        return va < vb ? -1 : 1;
    return strcmp(json_string_value(json_object_get(ra, "name")),
                  json_string_value(json_object_get(rb, "name")));
}

/* Normalization sorts references by (subject, version) and drops duplicates. */
static void normalize_refs(json_t *refs)
{
    size_t n = json_array_size(refs);
    json_t **v = sr_xmalloc((n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(refs, i));
    sr_sort(v, n, sizeof(*v), ref_cmp);
    json_array_clear(refs);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || !json_equal(v[i], v[i - 1]))
            json_array_append(refs, v[i]);
        json_decref(v[i]);
    }
    free(v);
}

bool core_parse_request(struct sr_core *core, const char *subject,
                        const struct sr_schema_request *req, const char *schema_text,
                        const char *references_json, bool normalize, bool validate_defaults,
                        struct parsed_request *out, struct sr_err *err)
{
    memset(out, 0, sizeof(*out));
    json_t *refs = NULL;
    if (references_json)
        refs = json_loads(references_json, 0, NULL);
    else if (req->references)
        refs = json_deep_copy(req->references);
    struct ref_set rs = {0};
    char detail[1024] = "";
    bool ok = false;
    if (req->schema_type && strcmp(req->schema_type, "AVRO") != 0) {
        sr_err_set(err, SR_E_INVALID_SCHEMA, "Invalid schema type %s", req->schema_type);
        goto out;
    }
    if ((size_t)core->cfg->max_schema_bytes < strlen(schema_text)) {
        sr_err_set(err, SR_E_SCHEMA_TOO_LARGE,
                   "Register operation failed because schema is too large");
        goto out;
    }
    if (refs && !resolve_refs(core, refs, &rs, 0, detail, sizeof(detail), err)) {
        if (detail[0])
            invalid_schema(err, subject, req, schema_text, req->references, detail);
        goto out;
    }
    struct sr_avro_parse_options opts = {.validate_defaults = validate_defaults,
                                         .max_depth = core->cfg->max_schema_depth};
    struct sr_err perr = {0};
    out->schema = sr_avro_parse(schema_text, strlen(schema_text), (const char *const *)rs.texts,
                                rs.lens, rs.len, &opts, &perr);
    if (!out->schema) {
        invalid_schema(err, subject, req, schema_text, req->references, perr.message);
        goto out;
    }
    if (normalize) {
        /* The normalized schema replaces the submitted one: it is what is stored, hashed
         * and checked for compatibility. */
        struct sr_avro_schema *norm = sr_avro_normalize(out->schema, &opts, &perr);
        if (!norm) {
            invalid_schema(err, subject, req, schema_text, req->references, perr.message);
            goto out;
        }
        sr_avro_schema_decref(out->schema);
        out->schema = norm;
    }
    out->canonical = sr_avro_to_string(out->schema, SR_AVRO_FORM_CANONICAL);
    if (refs && normalize)
        normalize_refs(refs);
    if (refs && json_array_size(refs))
        out->references = json_dumps(refs, JSON_COMPACT);
    if (req->metadata && !(out->metadata = canonical_metadata(req->metadata, err)))
        goto out;
    if (req->rule_set)
        out->rule_set = json_dumps(req->rule_set, JSON_COMPACT | JSON_SORT_KEYS);
    core_identity_hash(out->canonical, out->references, out->metadata, out->rule_set, out->hash);
    ok = true;
out:
    json_decref(refs);
    ref_set_fini(&rs);
    if (!ok)
        parsed_request_fini(out);
    return ok;
}

void parsed_request_fini(struct parsed_request *p)
{
    if (!p)
        return;
    sr_avro_schema_decref(p->schema);
    free(p->canonical);
    free(p->references);
    free(p->metadata);
    free(p->rule_set);
    memset(p, 0, sizeof(*p));
}

/* ---- stored schemas ---- */

void loaded_schema_release(struct loaded_schema *ls)
{
    if (!ls || __atomic_sub_fetch(&ls->refcount, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    sr_schema_record_fini(&ls->rec);
    sr_avro_schema_decref(ls->parsed);
    free(ls);
}

struct loaded_schema *core_load_schema(struct sr_core *core, int32_t id, const unsigned char *hash,
                                       struct sr_err *err)
{
    struct loaded_schema *ls = schema_cache_get(core->cache, id);
    if (ls && hash && memcmp(ls->rec.hash, hash, 16) == 0)
        return ls;
    struct sr_schema_record rec = {0};
    enum sr_store_status st = core->store->ops->schema_by_id(core->store, id, &rec, err);
    if (st != SR_STORE_OK) {
        loaded_schema_release(ls);
        if (st == SR_STORE_NOT_FOUND)
            sr_err_set(err, SR_E_SCHEMA_NOT_FOUND, "Schema %d not found", (int)id);
        else
            core_store_failed(st, err);
        return NULL;
    }
    if (ls && memcmp(ls->rec.hash, rec.hash, 16) == 0) {
        sr_schema_record_fini(&rec);
        return ls;
    }
    if (ls) {
        /* The id was deleted and imported again with other content. */
        schema_cache_forget(core->cache, id);
        loaded_schema_release(ls);
    }
    ls = sr_xcalloc(1, sizeof(*ls));
    ls->refcount = 1;
    ls->rec = rec;
    struct ref_set rs = {0};
    char detail[1024] = "";
    if (!resolve_stored(core, ls->rec.references, &rs, 0, detail, sizeof(detail), err)) {
        if (detail[0])
            sr_err_set(err, SR_E_STORE_ERROR, "Error while loading schema %d", (int)id);
        ref_set_fini(&rs);
        loaded_schema_release(ls);
        return NULL;
    }
    /* Stored schemas are parsed leniently: they were valid when registered. */
    struct sr_avro_parse_options opts = {.max_depth = core->cfg->max_schema_depth + 1};
    struct sr_err perr = {0};
    ls->parsed = sr_avro_parse(ls->rec.schema, strlen(ls->rec.schema),
                               (const char *const *)rs.texts, rs.lens, rs.len, &opts, &perr);
    ref_set_fini(&rs);
    if (!ls->parsed) {
        sr_err_set(err, SR_E_STORE_ERROR, "Error while loading schema %d", (int)id);
        sr_err_detail(err, "stored schema %d does not parse: %s", (int)id, perr.message);
        loaded_schema_release(ls);
        return NULL;
    }
    schema_cache_put(core->cache, ls);
    return ls;
}

static char *dup_or_null(const char *s)
{
    return s ? sr_xstrdup(s) : NULL;
}

void core_fill_content(struct sr_subject_version *sv, const struct loaded_schema *ls,
                       enum sr_schema_format format)
{
    sv->schema_type = sr_xstrdup(ls->rec.schema_type ? ls->rec.schema_type : "AVRO");
    sv->schema = core_format_schema(ls, format);
    sv->references = dup_or_null(ls->rec.references);
    sv->metadata = dup_or_null(ls->rec.metadata);
    sv->rule_set = dup_or_null(ls->rec.rule_set);
}

char *core_format_schema(const struct loaded_schema *ls, enum sr_schema_format format)
{
    if (format == SR_FORMAT_RESOLVED)
        return sr_avro_to_string(ls->parsed, SR_AVRO_FORM_RESOLVED);
    return sr_xstrdup(ls->rec.schema);
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Metadata equality as Confluent's lookup sees it: a confluent:version property present on
 * one side only is ignored. */
static bool metadata_equal(const char *a_text, const char *b_text)
{
    if (same_text(a_text, b_text))
        return true;
    json_t *a = a_text ? json_loads(a_text, 0, NULL) : json_object();
    json_t *b = b_text ? json_loads(b_text, 0, NULL) : json_object();
    json_t *pa = json_object_get(a, "properties"), *pb = json_object_get(b, "properties");
    bool va = json_object_get(pa, "confluent:version") != NULL;
    bool vb = json_object_get(pb, "confluent:version") != NULL;
    if (va != vb) {
        json_object_del(va ? pa : pb, "confluent:version");
        /* An emptied properties map (or metadata) is no metadata. */
        json_t *p = va ? pa : pb;
        if (p && json_object_size(p) == 0)
            json_object_del(va ? a : b, "properties");
    }
    bool eq = a && b && json_equal(a, b);
    json_decref(a);
    json_decref(b);
    return eq;
}

bool core_equivalent(const struct parsed_request *pr, const struct loaded_schema *ls)
{
    if (!metadata_equal(pr->metadata, ls->rec.metadata) ||
        !same_text(pr->rule_set, ls->rec.rule_set))
        return false;
    char *a = sr_avro_to_string(pr->schema, SR_AVRO_FORM_EQUIVALENCE);
    char *b = NULL;
    bool eq = false;
    if (same_text(pr->references, ls->rec.references)) {
        b = sr_avro_to_string(ls->parsed, SR_AVRO_FORM_EQUIVALENCE);
        eq = strcmp(a, b) == 0;
    } else if (!pr->references && ls->rec.references) {
        /* The schema was sent with its references inlined. */
        b = sr_avro_to_string(ls->parsed, SR_AVRO_FORM_EQUIVALENCE_RESOLVED);
        eq = strcmp(a, b) == 0;
    }
    free(a);
    free(b);
    return eq;
}
