/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP front end on libmicrohttpd: routing of the Confluent REST API at /, under
 * /apis/ccompat/v6 and /apis/ccompat/v7, media types, error bodies, health endpoints. */
#ifndef SCHEMAREGD_HTTP_H
#define SCHEMAREGD_HTTP_H

#include <stdbool.h>

#include "schemaregd/config.h"
#include "schemaregd/core.h"
#include "schemaregd/err.h"

struct sr_http;

/* Starts serving on cfg->listen with a pool of cfg->threads worker threads. cfg and core
 * are borrowed and must outlive the server. Returns NULL with err set on failure. */
struct sr_http *sr_http_start(const struct sr_config *cfg, struct sr_core *core,
                              struct sr_err *err);
/* The port actually bound (useful with port 0). */
unsigned sr_http_port(const struct sr_http *h);
/* Stops accepting new connections; in-flight requests continue and replies carry
 * "Connection: close". */
void sr_http_quiesce(struct sr_http *h);
/* Requests being handled right now (received, not yet completely answered). */
unsigned sr_http_in_flight(struct sr_http *h);
/* Stops the server and frees it (accepts NULL). */
void sr_http_stop(struct sr_http *h);

#endif
