/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a request: query parameters (raw from MHD, decoded here), media types, and the
 * JSON bodies of register/lookup/compatibility/config/mode calls. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_int.h"

struct query_find {
    const char *name;
    const char *raw;
};

static enum MHD_Result find_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    SR_UNUSED(kind);
    struct query_find *f = cls;
    /* Keys arrive raw as well; compare after decoding only when they contain escapes. */
    if (strchr(key, '%') || strchr(key, '+')) {
        char *k = sr_percent_decode(key, strlen(key));
        bool eq = k && strcmp(k, f->name) == 0;
        free(k);
        if (!eq)
            return MHD_YES;
    } else if (strcmp(key, f->name) != 0) {
        return MHD_YES;
    }
    f->raw = value ? value : "";
    return MHD_NO; /* first occurrence wins, as in JAX-RS */
}

/* Query values decode '+' as a space (form encoding), unlike path segments. */
static char *decode_query_value(const char *raw)
{
    char *copy = sr_xstrdup(raw);
    for (char *p = copy; *p; p++)
        if (*p == '+')
            *p = ' ';
    char *out = sr_percent_decode(copy, strlen(copy));
    free(copy);
    return out;
}

const char *http_query(struct http_request *req, const char *name)
{
    struct query_find f = {name, NULL};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, find_arg, &f);
    if (!f.raw)
        return NULL;
    /* Decoded values are kept on the request so callers may borrow them. */
    char *v = decode_query_value(f.raw);
    if (!v)
        v = sr_xstrdup("");
    req->query_values =
        sr_xrealloc(req->query_values, (req->n_query_values + 1) * sizeof(*req->query_values));
    req->query_values[req->n_query_values++] = v;
    return v;
}

bool http_query_bool(struct http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && strcasecmp(v, "true") == 0;
}

bool http_query_int(struct http_request *req, const char *name, int32_t def, int32_t *out)
{
    const char *v = http_query(req, name);
    if (!v) {
        *out = def;
        return true;
    }
    if (!sr_parse_int32(v, out)) {
        /* JAX-RS: an unconvertible integer query parameter is a 404. */
        http_reply_not_found(req);
        return false;
    }
    return true;
}

bool http_content_type_ok(struct http_request *req)
{
    const char *ct =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || !*ct)
        return true;
    static const char *const ok[] = {"application/vnd.schemaregistry.v1+json",
                                     "application/vnd.schemaregistry+json", "application/json",
                                     "application/octet-stream"};
    size_t n = strcspn(ct, ";");
    while (n && isspace((unsigned char)ct[n - 1]))
        n--;
    while (n && isspace((unsigned char)*ct)) {
        ct++;
        n--;
    }
    for (size_t i = 0; i < SR_ARRAY_LEN(ok); i++)
        if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0)
            return true;
    return false;
}

/* ---- Accept negotiation ---- */

struct accept_range {
    char type[96];
    double q;
};

/* Scores how well range matches media; -1 if it does not match, else 0 (wildcard) to 2
 * (exact). */
static int range_match(const char *range, const char *media)
{
    if (strcmp(range, "*/*") == 0 || strcmp(range, "*") == 0)
        return 0;
    size_t rl = strlen(range);
    if (rl > 2 && strcmp(range + rl - 2, "/*") == 0)
        return strncasecmp(range, media, rl - 1) == 0 ? 1 : -1;
    return strcasecmp(range, media) == 0 ? 2 : -1;
}

enum http_media http_negotiate(const char *accept)
{
    static const char *const media[] = {"application/vnd.schemaregistry.v1+json",
                                        "application/vnd.schemaregistry+json", "application/json"};
    if (!accept || !*accept)
        return MEDIA_V1;
    /* Jersey's order: the client's quality first, then how specific the client's range is,
     * then the server's own preference (v1 > vnd > json). Nothing acceptable: v1, never 406. */
    double best_q = -1;
    int best_spec = -1;
    enum http_media best = MEDIA_V1;
    const char *p = accept;
    for (int guard = 0; *p && guard < 64; guard++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[256];
        if (len >= sizeof(item))
            len = sizeof(item) - 1;
        memcpy(item, p, len);
        item[len] = '\0';
        p = comma ? comma + 1 : p + strlen(p);
        char *semi = strchr(item, ';');
        double q = 1.0;
        if (semi) {
            *semi = '\0';
            const char *qs = strstr(semi + 1, "q=");
            if (qs)
                q = strtod(qs + 2, NULL);
        }
        char *t = item;
        while (isspace((unsigned char)*t))
            t++;
        size_t tl = strlen(t);
        while (tl && isspace((unsigned char)t[tl - 1]))
            t[--tl] = '\0';
        if (q <= 0)
            continue;
        for (int m = 0; m < 3; m++) {
            int spec = range_match(t, media[m]);
            if (spec < 0)
                continue;
            if (q > best_q || (q == best_q && spec > best_spec)) {
                best_q = q;
                best_spec = spec;
                best = (enum http_media)m;
            }
        }
    }
    return best;
}

/* ---- bodies ---- */

json_t *http_body_object(struct http_request *req)
{
    if (req->body.len == 0) {
        http_reply_code(req, SR_E_HTTP_UNPROCESSABLE, "Request body is missing");
        return NULL;
    }
    json_error_t jerr;
    json_t *v = json_loadb(req->body.data, req->body.len, JSON_DECODE_ANY, &jerr);
    if (!v) {
        struct sr_err err = {0};
        sr_err_set(&err, SR_E_HTTP_BAD_REQUEST,
                   "Unrecognized JSON in request body: %s (line %d, "
                   "column %d)",
                   jerr.text, jerr.line, jerr.column);
        http_reply_error(req, &err);
        return NULL;
    }
    if (json_is_null(v)) {
        json_decref(v);
        http_reply_code(req, SR_E_HTTP_UNPROCESSABLE, "Request body is missing");
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        http_reply_code(req, SR_E_HTTP_BAD_REQUEST,
                        "Cannot deserialize the request body: a JSON object is expected");
        return NULL;
    }
    return v;
}

/* Scalar coercion as Jackson does for String fields: numbers and booleans become text. */
static bool string_field(json_t *body, const char *key, const char **out, char **owned)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return true;
    }
    if (json_is_integer(v) || json_is_real(v) || json_is_boolean(v)) {
        *owned = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        *out = *owned;
        return true;
    }
    return false;
}

/* Int fields accept integers and decimal strings (Jackson scalar coercion). */
static bool int_field(json_t *body, const char *key, int32_t def, int32_t *out)
{
    json_t *v = json_object_get(body, key);
    *out = def;
    if (!v || json_is_null(v))
        return true;
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < INT32_MIN || n > INT32_MAX)
            return false;
        *out = (int32_t)n;
        return true;
    }
    if (json_is_string(v))
        return sr_parse_int32(json_string_value(v), out);
    return false;
}

bool http_schema_request(struct http_request *req, json_t *body, struct sr_schema_request *out)
{
    memset(out, 0, sizeof(*out));
    out->id = -1;
    char *owned_schema = NULL, *owned_type = NULL;
    const char *bad = NULL;
    if (!string_field(body, "schema", &out->schema, &owned_schema))
        bad = "schema";
    else if (!string_field(body, "schemaType", &out->schema_type, &owned_type))
        bad = "schemaType";
    else if (!int_field(body, "version", 0, &out->version))
        bad = "version";
    else if (!int_field(body, "id", -1, &out->id))
        bad = "id";
    /* Coerced strings must outlive this call: park them in the body object. */
    if (owned_schema) {
        json_object_set_new(body, "schema", json_string(owned_schema));
        out->schema = json_string_value(json_object_get(body, "schema"));
        free(owned_schema);
    }
    if (owned_type) {
        json_object_set_new(body, "schemaType", json_string(owned_type));
        out->schema_type = json_string_value(json_object_get(body, "schemaType"));
        free(owned_type);
    }
    json_t *refs = json_object_get(body, "references");
    if (!bad && refs && !json_is_null(refs)) {
        if (!json_is_array(refs))
            bad = "references";
        else
            out->references = refs;
    }
    json_t *md = json_object_get(body, "metadata");
    if (!bad && md && !json_is_null(md)) {
        if (!json_is_object(md))
            bad = "metadata";
        else
            out->metadata = md;
    }
    json_t *rs = json_object_get(body, "ruleSet");
    if (!bad && rs && !json_is_null(rs)) {
        if (!json_is_object(rs))
            bad = "ruleSet";
        else
            out->rule_set = rs;
    }
    if (bad) {
        struct sr_err err = {0};
        sr_err_set(&err, SR_E_HTTP_BAD_REQUEST,
                   "Cannot deserialize the request body: field '%s' has the wrong type", bad);
        http_reply_error(req, &err);
        return false;
    }
    return true;
}
