/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/http: the request context handed to endpoint handlers, the route table and
 * the reply helpers. */
#ifndef SCHEMAREGD_HTTP_INT_H
#define SCHEMAREGD_HTTP_INT_H

#include <microhttpd.h>
#include <stdatomic.h>

#include "schemaregd/core.h"
#include "schemaregd/http.h"

#define HTTP_MAX_PARAMS 4

struct http_cache;

/* Media type chosen for the response from the Accept header. */
enum http_media { MEDIA_V1, MEDIA_VND, MEDIA_JSON };

struct sr_http {
    struct MHD_Daemon *daemon;
    const struct sr_config *cfg;
    struct sr_core *core;
    atomic_bool draining;
    atomic_uint_fast64_t next_request_id;
    atomic_uint in_flight;
    MHD_socket quiesced_fd;
    unsigned port;
    struct http_cache *cache; /* NULL: responses are never reused */
};

/* One request, from the first header callback to MHD's completion callback. */
struct http_request {
    uint64_t id;
    struct sr_http *server;
    struct MHD_Connection *conn;
    const char *method; /* borrowed from MHD */
    char *path;         /* raw path, owned */
    char *uri;          /* raw request target with its query string, owned */
    bool started;       /* the access handler has seen the request line */
    char *cache_key;    /* set when the response may be stored for reuse */
    uint64_t cache_generation;
    struct sr_buf body;
    bool body_too_large;
    uint64_t discarded;
    enum http_media media;
    /* Decoded path parameters of the matched route (owned). */
    char *params[HTTP_MAX_PARAMS];
    size_t n_params;
    /* Decoded query values handed out by http_query (owned). */
    char **query_values;
    size_t n_query_values;
    int64_t started_ms;
    unsigned status; /* for the access log */
};

typedef void (*http_handler)(struct http_request *req);

/* Response reuse (cache.c). http_cache_new returns NULL for 0 entries. */
struct http_cache *http_cache_new(size_t entries);
void http_cache_free(struct http_cache *c);
/* Queues the response stored under key if it was stored at this generation. */
bool http_cache_serve(struct http_cache *c, struct MHD_Connection *conn, const char *key,
                      uint64_t generation);
/* Stores response (the cache takes over the caller's reference). */
void http_cache_store(struct http_cache *c, const char *key, uint64_t generation,
                      struct MHD_Response *response);

/* Routing (router.c). Finds the handler for method + raw path, filling req->params, or
 * replies 404/405 itself and returns NULL. */
http_handler http_route(struct http_request *req);

/* Query parameters (request.c); values are percent-decoded. */
const char *http_query(struct http_request *req, const char *name);
bool http_query_bool(struct http_request *req, const char *name);
/* Integer query parameter; absent -> def. False (404 queued) when not an int. */
bool http_query_int(struct http_request *req, const char *name, int32_t def, int32_t *out);
/* Content-Type acceptable for a body (the four Confluent types, or none). */
bool http_content_type_ok(struct http_request *req);
/* Parses the body as a JSON object. Replies 400/422 and returns NULL when it is not. */
json_t *http_body_object(struct http_request *req);
/* Reads a register/lookup/compatibility body into *out (borrowing from body). Replies 400/422
 * and returns false when the body has the wrong shape. */
bool http_schema_request(struct http_request *req, json_t *body, struct sr_schema_request *out);
/* Chooses the response media type from Accept. */
enum http_media http_negotiate(const char *accept);

/* Replies (reply.c). Each queues exactly one response. */
void http_reply_json(struct http_request *req, unsigned status, json_t *value); /* steals */
void http_reply_raw(struct http_request *req, unsigned status, const char *body, size_t len);
/* The one place errors become responses. */
void http_reply_error(struct http_request *req, const struct sr_err *err);
void http_reply_code(struct http_request *req, enum sr_error code, const char *message);
void http_reply_not_found(struct http_request *req);

/* Endpoint handlers (handlers.c, handlers_admin.c). */
void h_root_get(struct http_request *req);
void h_root_post(struct http_request *req);
void h_subjects_list(struct http_request *req);
void h_subject_lookup(struct http_request *req);
void h_subject_delete(struct http_request *req);
void h_versions_list(struct http_request *req);
void h_register(struct http_request *req);
void h_version_get(struct http_request *req);
void h_version_schema(struct http_request *req);
void h_version_delete(struct http_request *req);
void h_version_referenced_by(struct http_request *req);
void h_subject_metadata(struct http_request *req);
void h_schemas_list(struct http_request *req);
void h_schema_types(struct http_request *req);
void h_schema_by_id(struct http_request *req);
void h_schema_by_id_raw(struct http_request *req);
void h_schema_subjects(struct http_request *req);
void h_schema_versions(struct http_request *req);
void h_compat_all(struct http_request *req);
void h_compat_version(struct http_request *req);
void h_config_get(struct http_request *req);
void h_config_put(struct http_request *req);
void h_config_delete(struct http_request *req);
void h_mode_get(struct http_request *req);
void h_mode_put(struct http_request *req);
void h_mode_delete(struct http_request *req);
void h_contexts(struct http_request *req);
void h_metadata_id(struct http_request *req);
void h_metadata_version(struct http_request *req);
void h_metadata_deployment(struct http_request *req);
void h_health_live(struct http_request *req);
void h_health_ready(struct http_request *req);

#endif
