/* SPDX-License-Identifier: Apache-2.0 */
/* Building responses: JSON bodies with the negotiated media type, raw schema bodies, and the
 * single function that turns an sr_err into a Confluent error body. */
#include <stdlib.h>
#include <string.h>

#include "http_int.h"
#include "schemaregd/log.h"

static const char *const media_names[] = {"application/vnd.schemaregistry.v1+json",
                                          "application/vnd.schemaregistry+json",
                                          "application/json"};

/* Responses larger than this are never kept for reuse. */
#define CACHE_MAX_BODY (64 * 1024)

static void queue(struct http_request *req, unsigned status, struct MHD_Response *resp,
                  const char *content_type, size_t body_len)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    bool draining = atomic_load(&req->server->draining);
    if (draining)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_queue_response(req->conn, status, resp);
    req->status = status;
    if (req->cache_key && status == MHD_HTTP_OK && !draining && body_len <= CACHE_MAX_BODY)
        http_cache_store(req->server->cache, req->cache_key, req->cache_generation, resp);
    else
        MHD_destroy_response(resp);
}

void http_reply_raw(struct http_request *req, unsigned status, const char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    queue(req, status, resp, media_names[req->media], len);
}

void http_reply_json(struct http_request *req, unsigned status, json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(value);
    if (!text) {
        struct sr_err err = {0};
        sr_err_set(&err, SR_E_INTERNAL, "Internal Server Error");
        http_reply_error(req, &err);
        return;
    }
    size_t len = strlen(text);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    queue(req, status, resp, media_names[req->media], len);
}

void http_reply_error(struct http_request *req, const struct sr_err *err)
{
    int status = err->http_status ? err->http_status : 500;
    if (status >= 500)
        sr_log(SR_LOG_ERROR, req->id, "%s %s -> %d/%d %s%s%s", req->method, req->path, status,
               err->error_code, err->message, err->detail[0] ? " | " : "", err->detail);
    else if (sr_log_enabled(SR_LOG_DEBUG))
        sr_log(SR_LOG_DEBUG, req->id, "%s %s -> %d/%d %s", req->method, req->path, status,
               err->error_code, sr_err_message(err));
    json_t *body = json_object();
    json_object_set_new(body, "error_code", json_integer(err->error_code));
    json_object_set_new(body, "message", json_string(sr_err_message(err)));
    http_reply_json(req, (unsigned)status, body);
}

void http_reply_code(struct http_request *req, enum sr_error code, const char *message)
{
    struct sr_err err = {0};
    if (message)
        sr_err_set(&err, code, "%s", message);
    else {
        /* Framework errors carry their fixed text: "HTTP 404 Not Found" etc. */
        static const struct {
            enum sr_error code;
            const char *text;
        } fixed[] = {
            {SR_E_HTTP_NOT_FOUND, "HTTP 404 Not Found"},
            {SR_E_HTTP_METHOD_NOT_ALLOWED, "HTTP 405 Method Not Allowed"},
            {SR_E_HTTP_PAYLOAD_TOO_LARGE, "HTTP 413 Payload Too Large"},
            {SR_E_HTTP_UNSUPPORTED_MEDIA_TYPE, "HTTP 415 Unsupported Media Type"},
            {SR_E_HTTP_SERVICE_UNAVAILABLE, "HTTP 503 Service Unavailable"},
            {SR_E_INTERNAL, "Internal Server Error"},
        };
        const char *text = "Error";
        for (size_t i = 0; i < SR_ARRAY_LEN(fixed); i++)
            if (fixed[i].code == code)
                text = fixed[i].text;
        sr_err_set(&err, code, "%s", text);
    }
    http_reply_error(req, &err);
}

void http_reply_not_found(struct http_request *req)
{
    http_reply_code(req, SR_E_HTTP_NOT_FOUND, NULL);
}
