/* SPDX-License-Identifier: Apache-2.0 */
/* Routing on the raw path: strip the API prefix (/, /apis/ccompat/v6, /apis/ccompat/v7) and
 * one trailing slash, split on '/', match the route table, then percent-decode each captured
 * segment ("a%2Fb" is the subject "a/b"; '+' stays '+', as in Jersey paths). */
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

#define MAX_SEGMENTS 8

struct route {
    const char *method;
    const char *pattern; /* segments separated by '/', "*" captures one segment */
    http_handler handler;
};

static const struct route routes[] = {
    {"GET", "", h_root_get},
    {"POST", "", h_root_post},
    {"GET", "subjects", h_subjects_list},
    {"POST", "subjects/*", h_subject_lookup},
    {"DELETE", "subjects/*", h_subject_delete},
    {"GET", "subjects/*/versions", h_versions_list},
    {"POST", "subjects/*/versions", h_register},
    {"GET", "subjects/*/versions/*", h_version_get},
    {"DELETE", "subjects/*/versions/*", h_version_delete},
    {"GET", "subjects/*/versions/*/schema", h_version_schema},
    {"GET", "subjects/*/versions/*/referencedby", h_version_referenced_by},
    {"GET", "subjects/*/metadata", h_subject_metadata},
    {"GET", "schemas", h_schemas_list},
    {"GET", "schemas/types", h_schema_types},
    {"GET", "schemas/ids/*", h_schema_by_id},
    {"GET", "schemas/ids/*/schema", h_schema_by_id_raw},
    {"GET", "schemas/ids/*/subjects", h_schema_subjects},
    {"GET", "schemas/ids/*/versions", h_schema_versions},
    {"POST", "compatibility/subjects/*/versions", h_compat_all},
    {"POST", "compatibility/subjects/*/versions/*", h_compat_version},
    {"GET", "config", h_config_get},
    {"PUT", "config", h_config_put},
    {"DELETE", "config", h_config_delete},
    {"GET", "config/*", h_config_get},
    {"PUT", "config/*", h_config_put},
    {"DELETE", "config/*", h_config_delete},
    {"GET", "mode", h_mode_get},
    {"PUT", "mode", h_mode_put},
    {"DELETE", "mode", h_mode_delete},
    {"GET", "mode/*", h_mode_get},
    {"PUT", "mode/*", h_mode_put},
    {"DELETE", "mode/*", h_mode_delete},
    {"GET", "contexts", h_contexts},
    {"GET", "v1/metadata/id", h_metadata_id},
    {"GET", "v1/metadata/version", h_metadata_version},
    {"GET", "v1/metadata/deployment", h_metadata_deployment},
    {"GET", "health/live", h_health_live},
    {"GET", "health/ready", h_health_ready},
};

struct segment {
    const char *start;
    size_t len;
};

/* Splits p (no leading '/') into segments; returns the count, or -1 if too many. */
static int split(const char *p, struct segment *seg, int max)
{
    int n = 0;
    if (!*p)
        return 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (n == max)
            return -1;
        seg[n].start = p;
        seg[n].len = len;
        n++;
        if (!slash)
            return n;
        p = slash + 1;
    }
}

/* Does the route pattern match the segments? Literal segments compare exactly. */
static bool pattern_matches(const char *pattern, const struct segment *seg, int n)
{
    struct segment pat[MAX_SEGMENTS];
    int pn = split(pattern, pat, MAX_SEGMENTS);
    if (pn != n)
        return false;
    for (int i = 0; i < n; i++) {
        if (pat[i].len == 1 && pat[i].start[0] == '*')
            continue;
        if (pat[i].len != seg[i].len || memcmp(pat[i].start, seg[i].start, seg[i].len) != 0)
            return false;
    }
    return true;
}

static const char *strip_prefix(const char *path)
{
    static const char *const prefixes[] = {"/apis/ccompat/v6", "/apis/ccompat/v7"};
    for (size_t i = 0; i < SR_ARRAY_LEN(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], n) == 0 && (path[n] == '/' || path[n] == '\0')) {
            path += n;
            break;
        }
    }
    /* The default context named explicitly (Confluent's /contexts/{ctx}/... rewrite): only
     * "." exists, so its paths are the plain ones. */
    static const char *const contexts[] = {"/contexts/.", "/contexts/:.:", "/contexts/%3A.%3A"};
    for (size_t i = 0; i < SR_ARRAY_LEN(contexts); i++) {
        size_t n = strlen(contexts[i]);
        if (strncmp(path, contexts[i], n) == 0 && path[n] == '/')
            return path + n;
    }
    return path;
}

http_handler http_route(struct http_request *req)
{
    const char *p = strip_prefix(req->path);
    if (*p == '/')
        p++;
    size_t len = strlen(p);
    char *copy = sr_xstrndup(p, len);
    if (len && copy[len - 1] == '/')
        copy[len - 1] = '\0';
    struct segment seg[MAX_SEGMENTS];
    int n = split(copy, seg, MAX_SEGMENTS);
    const struct route *found = NULL;
    bool path_known = false;
    for (size_t i = 0; n >= 0 && i < SR_ARRAY_LEN(routes); i++) {
        if (!pattern_matches(routes[i].pattern, seg, n))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, req->method) == 0) {
            found = &routes[i];
            break;
        }
    }
    if (!found) {
        free(copy);
        http_reply_code(req, path_known ? SR_E_HTTP_METHOD_NOT_ALLOWED : SR_E_HTTP_NOT_FOUND, NULL);
        return NULL;
    }
    struct segment pat[MAX_SEGMENTS];
    int pn = split(found->pattern, pat, MAX_SEGMENTS);
    for (int i = 0; i < pn; i++) {
        if (!(pat[i].len == 1 && pat[i].start[0] == '*'))
            continue;
        char *decoded = sr_percent_decode(seg[i].start, seg[i].len);
        if (!decoded || !sr_utf8_valid(decoded, strlen(decoded)) ||
            req->n_params == HTTP_MAX_PARAMS) {
            free(decoded);
            free(copy);
            http_reply_code(req, SR_E_HTTP_NOT_FOUND, NULL);
            return NULL;
        }
        req->params[req->n_params++] = decoded;
    }
    free(copy);
    return found->handler;
}
