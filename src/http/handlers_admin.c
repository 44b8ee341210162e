/* SPDX-License-Identifier: Apache-2.0 */
/* Endpoint handlers for the root, config, mode, contexts, metadata and health. */
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

/* params[0] is the subject on /config/{s} and /mode/{s}; absent on the global forms. */
static const char *scope_subject(struct http_request *req)
{
    return req->n_params > 0 ? req->params[0] : NULL;
}

static void reply_result(struct http_request *req, json_t *result, struct sr_err *err)
{
    if (result)
        http_reply_json(req, 200, result);
    else
        http_reply_error(req, err);
}

void h_root_get(struct http_request *req)
{
    http_reply_json(req, 200, json_object());
}

void h_root_post(struct http_request *req)
{
    /* Confluent accepts any JSON object here and answers {}. */
    json_t *body = http_body_object(req);
    if (!body)
        return;
    json_decref(body);
    http_reply_json(req, 200, json_object());
}

void h_config_get(struct http_request *req)
{
    const char *subject = scope_subject(req);
    bool dtg = http_query_bool(req, "defaultToGlobal");
    struct sr_err err = {0};
    reply_result(req, sr_core_config_get(req->server->core, subject, dtg, &err), &err);
}

void h_config_put(struct http_request *req)
{
    const char *subject = scope_subject(req);
    json_t *body = http_body_object(req);
    if (!body)
        return;
    struct sr_err err = {0};
    reply_result(req, sr_core_config_put(req->server->core, subject, body, &err), &err);
    json_decref(body);
}

void h_config_delete(struct http_request *req)
{
    const char *subject = scope_subject(req);
    struct sr_err err = {0};
    reply_result(req, sr_core_config_delete(req->server->core, subject, &err), &err);
}

void h_mode_get(struct http_request *req)
{
    const char *subject = scope_subject(req);
    bool dtg = http_query_bool(req, "defaultToGlobal");
    struct sr_err err = {0};
    reply_result(req, sr_core_mode_get(req->server->core, subject, dtg, &err), &err);
}

void h_mode_put(struct http_request *req)
{
    const char *subject = scope_subject(req);
    json_t *body = http_body_object(req);
    if (!body)
        return;
    bool force = http_query_bool(req, "force");
    struct sr_err err = {0};
    reply_result(req, sr_core_mode_put(req->server->core, subject, body, force, &err), &err);
    json_decref(body);
}

void h_mode_delete(struct http_request *req)
{
    const char *subject = scope_subject(req);
    struct sr_err err = {0};
    reply_result(req, sr_core_mode_delete(req->server->core, subject, &err), &err);
}

void h_contexts(struct http_request *req)
{
    /* Only the default context exists. */
    http_reply_json(req, 200, json_pack("[s]", "."));
}

void h_metadata_id(struct http_request *req)
{
    const char *cluster = req->server->cfg->cluster_id;
    http_reply_json(req, 200,
                    json_pack("{s:{s:[],s:{s:s,s:s}}}", "scope", "path", "clusters",
                              "kafka-cluster", cluster, "schema-registry-cluster",
                              "schema-registry"));
}

void h_metadata_version(struct http_request *req)
{
    http_reply_json(req, 200, json_pack("{s:s,s:s}", "version", SR_VERSION, "commitId", SR_COMMIT));
}

void h_metadata_deployment(struct http_request *req)
{
    http_reply_json(req, 200, json_pack("{s:[]}", "attributes"));
}

void h_health_live(struct http_request *req)
{
    http_reply_json(req, 200, json_pack("{s:s}", "status", "UP"));
}

void h_health_ready(struct http_request *req)
{
    struct sr_err err = {0};
    if (sr_core_ready(req->server->core, &err)) {
        http_reply_json(req, 200, json_pack("{s:s}", "status", "UP"));
        return;
    }
    /* Load balancers only look at the status; say why without internal detail. */
    http_reply_json(req, 503,
                    json_pack("{s:s,s:i,s:s}", "status", "DOWN", "error_code", 50001, "message",
                              "database not reachable or not "
                              "migrated"));
}
