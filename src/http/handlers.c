/* SPDX-License-Identifier: Apache-2.0 */
/* Endpoint handlers for subjects, versions, schemas and compatibility: read the decoded
 * parameters, call core, render Confluent's JSON shapes (7.x). */
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

/* Parses stored JSON text (references, metadata, rule set) for output; NULL when absent or
 * an empty list (Confluent omits empty lists, but writes an empty metadata object). */
static json_t *stored_json(const char *text)
{
    if (!text)
        return NULL;
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    if (v && json_is_array(v) && json_array_size(v) == 0) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static bool is_avro(const char *type)
{
    return !type || strcmp(type, "AVRO") == 0;
}

/* The members after the identifying ones, in Confluent's order: schemaType (not for AVRO),
 * references, metadata, ruleSet (when present), then schema. */
static void add_content(json_t *o, const struct sr_subject_version *sv)
{
    if (!is_avro(sv->schema_type))
        json_object_set_new(o, "schemaType", json_string(sv->schema_type));
    json_t *v;
    if ((v = stored_json(sv->references)))
        json_object_set_new(o, "references", v);
    if ((v = stored_json(sv->metadata)))
        json_object_set_new(o, "metadata", v);
    if ((v = stored_json(sv->rule_set)))
        json_object_set_new(o, "ruleSet", v);
    json_object_set_new(o, "schema", json_string(sv->schema));
}

/* Confluent's Schema entity: subject, version, id, then the content. */
static json_t *schema_object(const struct sr_subject_version *sv)
{
    json_t *o = json_object();
    json_object_set_new(o, "subject", json_string(sv->subject));
    json_object_set_new(o, "version", json_integer(sv->version));
    json_object_set_new(o, "id", json_integer(sv->id));
    add_content(o, sv);
    return o;
}

/* Confluent's full RegisterSchemaResponse: id, version (when positive), then the content. */
static json_t *register_object(const struct sr_subject_version *sv)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sv->id));
    if (sv->version > 0)
        json_object_set_new(o, "version", json_integer(sv->version));
    add_content(o, sv);
    return o;
}

static json_t *int_array(const struct sr_int_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->len; i++)
        json_array_append_new(a, json_integer(l->items[i]));
    return a;
}

static json_t *string_array(const struct sr_string_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->len; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

static bool read_page(struct http_request *req, struct sr_page *page)
{
    return http_query_int(req, "offset", 0, &page->offset) &&
           http_query_int(req, "limit", -1, &page->limit);
}

static struct sr_visibility read_visibility(struct http_request *req)
{
    struct sr_visibility vis = {http_query_bool(req, "deleted"),
                                http_query_bool(req, "deletedOnly") ||
                                    http_query_bool(req, "deleted_only")};
    return vis;
}

static enum sr_schema_format read_format(struct http_request *req)
{
    const char *f = http_query(req, "format");
    return f && sr_str_ieq(f, "resolved") ? SR_FORMAT_RESOLVED : SR_FORMAT_DEFAULT;
}

/* Parses the {version} segment (params[1] by convention) or replies 42202. */
static bool read_version(struct http_request *req, size_t idx, int32_t *version)
{
    struct sr_err err = {0};
    if (sr_core_parse_version(req->params[idx], version, &err))
        return true;
    http_reply_error(req, &err);
    return false;
}

/* ---- subjects ---- */

void h_subjects_list(struct http_request *req)
{
    struct sr_page page;
    if (!read_page(req, &page))
        return;
    struct sr_visibility vis = read_visibility(req);
    const char *prefix = http_query(req, "subjectPrefix");
    struct sr_string_list out = {0};
    struct sr_err err = {0};
    if (!sr_core_subjects(req->server->core, prefix, vis, page, &out, &err)) {
        http_reply_error(req, &err);
        return;
    }
    http_reply_json(req, 200, string_array(&out));
    sr_string_list_fini(&out);
}

void h_subject_lookup(struct http_request *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return;
    struct sr_schema_request sreq;
    if (http_schema_request(req, body, &sreq)) {
        struct sr_subject_version sv = {0};
        struct sr_err err = {0};
        if (sr_core_lookup(req->server->core, req->params[0], &sreq,
                           http_query_bool(req, "normalize"), http_query_bool(req, "deleted"),
                           read_format(req), &sv, &err))
            http_reply_json(req, 200, schema_object(&sv));
        else
            http_reply_error(req, &err);
        sr_subject_version_fini(&sv);
        sr_err_clear(&err);
    }
    json_decref(body);
}

void h_subject_delete(struct http_request *req)
{
    struct sr_int_list out = {0};
    struct sr_err err = {0};
    if (sr_core_delete_subject(req->server->core, req->params[0], http_query_bool(req, "permanent"),
                               &out, &err))
        http_reply_json(req, 200, int_array(&out));
    else
        http_reply_error(req, &err);
    sr_int_list_fini(&out);
}

void h_versions_list(struct http_request *req)
{
    struct sr_page page;
    if (!read_page(req, &page))
        return;
    struct sr_int_list out = {0};
    struct sr_err err = {0};
    if (sr_core_versions(req->server->core, req->params[0], read_visibility(req), page, &out, &err))
        http_reply_json(req, 200, int_array(&out));
    else
        http_reply_error(req, &err);
    sr_int_list_fini(&out);
}

void h_register(struct http_request *req)
{
    json_t *body = http_body_object(req);
    if (!body)
        return;
    struct sr_schema_request sreq;
    if (http_schema_request(req, body, &sreq)) {
        struct sr_register_result res;
        struct sr_err err = {0};
        if (!sr_core_register(req->server->core, req->params[0], &sreq,
                              http_query_bool(req, "normalize"), &res, &err))
            http_reply_error(req, &err);
        else if (!res.full)
            http_reply_json(req, 200, json_pack("{s:i}", "id", (int)res.id));
        else
            http_reply_json(req, 200, register_object(&res.stored));
        sr_subject_version_fini(&res.stored);
        sr_err_clear(&err);
    }
    json_decref(body);
}

/* Shared by GET .../versions/{v} and .../schema. */
static bool get_version(struct http_request *req, struct sr_subject_version *sv)
{
    int32_t version;
    if (!read_version(req, 1, &version))
        return false;
    struct sr_err err = {0};
    if (!sr_core_version_get(req->server->core, req->params[0], version,
                             http_query_bool(req, "deleted"), read_format(req), sv, &err)) {
        http_reply_error(req, &err);
        return false;
    }
    return true;
}

void h_version_get(struct http_request *req)
{
    struct sr_subject_version sv = {0};
    if (get_version(req, &sv))
        http_reply_json(req, 200, schema_object(&sv));
    sr_subject_version_fini(&sv);
}

void h_version_schema(struct http_request *req)
{
    struct sr_subject_version sv = {0};
    if (get_version(req, &sv))
        http_reply_raw(req, 200, sv.schema, strlen(sv.schema));
    sr_subject_version_fini(&sv);
}

void h_version_delete(struct http_request *req)
{
    int32_t version;
    if (!read_version(req, 1, &version))
        return;
    int32_t out = 0;
    struct sr_err err = {0};
    if (sr_core_delete_version(req->server->core, req->params[0], version, req->params[1],
                               http_query_bool(req, "permanent"), &out, &err))
        http_reply_json(req, 200, json_integer(out));
    else
        http_reply_error(req, &err);
}

struct metadata_pairs {
    const char *keys[64];
    const char *values[64];
    size_t n_keys, n_values;
    struct http_request *req;
};

static enum MHD_Result collect_pair(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    SR_UNUSED(kind);
    struct metadata_pairs *mp = cls;
    bool is_key = strcmp(key, "key") == 0, is_value = strcmp(key, "value") == 0;
    if (!is_key && !is_value)
        return MHD_YES;
    size_t *n = is_key ? &mp->n_keys : &mp->n_values;
    if (*n == 64)
        return MHD_YES;
    char *decoded = sr_percent_decode(value ? value : "", value ? strlen(value) : 0);
    if (!decoded)
        decoded = sr_xstrdup("");
    struct http_request *req = mp->req;
    req->query_values =
        sr_xrealloc(req->query_values, (req->n_query_values + 1) * sizeof(*req->query_values));
    req->query_values[req->n_query_values++] = decoded;
    (is_key ? mp->keys : mp->values)[(*n)++] = decoded;
    return MHD_YES;
}

/* GET /subjects/{s}/metadata?key=k1&value=v1&key=k2&value=v2 */
void h_subject_metadata(struct http_request *req)
{
    struct metadata_pairs mp = {.req = req};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_pair, &mp);
    size_t n = mp.n_keys < mp.n_values ? mp.n_keys : mp.n_values;
    struct sr_subject_version sv = {0};
    struct sr_err err = {0};
    if (sr_core_version_by_metadata(req->server->core, req->params[0], mp.keys, mp.values, n,
                                    http_query_bool(req, "deleted"), read_format(req), &sv, &err))
        http_reply_json(req, 200, schema_object(&sv));
    else
        http_reply_error(req, &err);
    sr_subject_version_fini(&sv);
}

void h_version_referenced_by(struct http_request *req)
{
    int32_t version;
    if (!read_version(req, 1, &version))
        return;
    struct sr_int_list out = {0};
    struct sr_err err = {0};
    if (sr_core_referenced_by(req->server->core, req->params[0], version, &out, &err))
        http_reply_json(req, 200, int_array(&out));
    else
        http_reply_error(req, &err);
    sr_int_list_fini(&out);
}

/* ---- schemas ---- */

void h_schemas_list(struct http_request *req)
{
    struct sr_page page;
    if (!read_page(req, &page))
        return;
    struct sr_subject_version_list out = {0};
    struct sr_err err = {0};
    if (sr_core_schemas_list(req->server->core, http_query(req, "subjectPrefix"),
                             http_query_bool(req, "deleted"), http_query_bool(req, "latestOnly"),
                             page, &out, &err)) {
        json_t *a = json_array();
        for (size_t i = 0; i < out.len; i++)
            json_array_append_new(a, schema_object(&out.items[i]));
        http_reply_json(req, 200, a);
    } else {
        http_reply_error(req, &err);
    }
    sr_subject_version_list_fini(&out);
}

void h_schema_types(struct http_request *req)
{
    http_reply_json(req, 200, json_pack("[s]", "AVRO"));
}

/* Parses the {id} segment; JAX-RS answers a non-integer path parameter with 404. */
static bool read_id(struct http_request *req, int32_t *id)
{
    if (sr_parse_int32(req->params[0], id))
        return true;
    http_reply_not_found(req);
    return false;
}

static bool get_by_id(struct http_request *req, struct sr_subject_version *sv)
{
    int32_t id;
    if (!read_id(req, &id))
        return false;
    struct sr_err err = {0};
    if (!sr_core_schema_by_id(req->server->core, id, http_query(req, "subject"), read_format(req),
                              sv, &err)) {
        http_reply_error(req, &err);
        return false;
    }
    return true;
}

void h_schema_by_id(struct http_request *req)
{
    struct sr_subject_version sv = {0};
    if (!get_by_id(req, &sv))
        goto out;
    json_t *o = json_object();
    if (!is_avro(sv.schema_type))
        json_object_set_new(o, "schemaType", json_string(sv.schema_type));
    json_object_set_new(o, "schema", json_string(sv.schema));
    json_t *v;
    if ((v = stored_json(sv.references)))
        json_object_set_new(o, "references", v);
    if ((v = stored_json(sv.metadata)))
        json_object_set_new(o, "metadata", v);
    if ((v = stored_json(sv.rule_set)))
        json_object_set_new(o, "ruleSet", v);
    if (http_query_bool(req, "fetchMaxId")) {
        int32_t max = 0;
        struct sr_err err = {0};
        if (!sr_core_max_schema_id(req->server->core, &max, &err)) {
            json_decref(o);
            http_reply_error(req, &err);
            goto out;
        }
        json_object_set_new(o, "maxId", json_integer(max));
    }
    http_reply_json(req, 200, o);
out:
    sr_subject_version_fini(&sv);
}

void h_schema_by_id_raw(struct http_request *req)
{
    struct sr_subject_version sv = {0};
    if (get_by_id(req, &sv))
        http_reply_raw(req, 200, sv.schema, strlen(sv.schema));
    sr_subject_version_fini(&sv);
}

static void carriers(struct http_request *req, bool subjects_only)
{
    int32_t id;
    struct sr_page page;
    if (!read_id(req, &id) || !read_page(req, &page))
        return;
    struct sr_subject_version_list out = {0};
    struct sr_err err = {0};
    if (!sr_core_schema_carriers(req->server->core, id, http_query(req, "subject"),
                                 http_query_bool(req, "deleted"), page, &out, &err)) {
        http_reply_error(req, &err);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < out.len; i++) {
        const struct sr_subject_version *sv = &out.items[i];
        if (subjects_only) {
            /* One entry per subject even when a subject carries the id twice (IMPORT). */
            if (i > 0 && strcmp(out.items[i - 1].subject, sv->subject) == 0)
                continue;
            json_array_append_new(a, json_string(sv->subject));
        } else {
            json_array_append_new(
                a, json_pack("{s:s,s:i}", "subject", sv->subject, "version", (int)sv->version));
        }
    }
    sr_subject_version_list_fini(&out);
    http_reply_json(req, 200, a);
}

void h_schema_subjects(struct http_request *req)
{
    carriers(req, true);
}

void h_schema_versions(struct http_request *req)
{
    carriers(req, false);
}

/* ---- compatibility ---- */

static void compat(struct http_request *req, bool version_given)
{
    /* Jersey reads the body before the resource method parses {version}: a malformed body
     * is reported before an invalid version. */
    json_t *body = http_body_object(req);
    if (!body)
        return;
    int32_t version = -1;
    struct sr_schema_request sreq;
    if (http_schema_request(req, body, &sreq) &&
        (!version_given || read_version(req, 1, &version))) {
        bool verbose = http_query_bool(req, "verbose");
        struct sr_compat_result res = {0};
        struct sr_err err = {0};
        if (sr_core_check_compatibility(req->server->core, req->params[0], version_given, version,
                                        version_given ? req->params[1] : NULL, &sreq,
                                        http_query_bool(req, "normalize"), verbose, &res, &err)) {
            json_t *o = json_object();
            json_object_set_new(o, "is_compatible", json_boolean(res.is_compatible));
            if (verbose)
                json_object_set_new(o, "messages", string_array(&res.messages));
            http_reply_json(req, 200, o);
        } else {
            http_reply_error(req, &err);
        }
        sr_compat_result_fini(&res);
        sr_err_clear(&err);
    }
    json_decref(body);
}

void h_compat_all(struct http_request *req)
{
    compat(req, false);
}

void h_compat_version(struct http_request *req)
{
    compat(req, true);
}
