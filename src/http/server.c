/* SPDX-License-Identifier: Apache-2.0 */
/* The libmicrohttpd daemon: configuration as measured in libraries.md §2.11 (thread pool +
 * epoll, explicit timeouts and limits, raw paths), the request lifecycle with a capped body,
 * and quiesce/stop for graceful shutdown. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_int.h"
#include "schemaregd/log.h"

/* Past this many discarded body bytes of an oversized chunked upload the connection is
 * dropped instead of reading on. */
#define DISCARD_LIMIT (64u * 1024 * 1024)

/* Keep paths and query strings raw: MHD would otherwise decode %2F before routing, and a
 * subject containing '/' could not be told apart from a path separator. */
static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
    SR_UNUSED(cls);
    SR_UNUSED(c);
    return strlen(s);
}

static void request_free(struct http_request *req)
{
    if (!req)
        return;
    free(req->path);
    free(req->uri);
    free(req->cache_key);
    sr_buf_fini(&req->body);
    for (size_t i = 0; i < req->n_params; i++)
        free(req->params[i]);
    for (size_t i = 0; i < req->n_query_values; i++)
        free(req->query_values[i]);
    free(req->query_values);
    free(req);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    SR_UNUSED(cls);
    SR_UNUSED(c);
    struct http_request *req = *con_cls;
    if (req && sr_log_enabled(SR_LOG_DEBUG))
        sr_log(SR_LOG_DEBUG, req->id, "%s %s -> %u in %lld ms%s", req->method, req->path,
               req->status, (long long)(sr_now_ms() - req->started_ms),
               toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (terminated)");
    if (req)
        atomic_fetch_sub(&req->server->in_flight, 1);
    request_free(req);
    *con_cls = NULL;
}

static bool method_has_body(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0;
}

/* A GET whose response the store allows to reuse: serve it from the cache, or mark the
 * request so its response is stored. True when answered. */
static bool try_cache(struct http_request *req)
{
    struct sr_http *h = req->server;
    if (!h->cache || strcmp(req->method, "GET") != 0 || atomic_load(&h->draining) ||
        strncmp(req->path, "/health/", 8) == 0)
        return false;
    uint64_t generation = sr_core_data_generation(h->core);
    if (!generation)
        return false;
    char *key = sr_xasprintf("%d %s", (int)req->media, req->uri ? req->uri : req->path);
    if (http_cache_serve(h->cache, req->conn, key, generation)) {
        req->status = MHD_HTTP_OK;
        free(key);
        return true;
    }
    req->cache_key = key;
    req->cache_generation = generation;
    return false;
}

static void dispatch(struct http_request *req)
{
    const char *accept =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    req->media = http_negotiate(accept);
    if (try_cache(req))
        return;
    if (req->body_too_large) {
        http_reply_code(req, SR_E_HTTP_PAYLOAD_TOO_LARGE, NULL);
        return;
    }
    http_handler h = http_route(req);
    if (!h)
        return;
    if (method_has_body(req->method) && !http_content_type_ok(req)) {
        http_reply_code(req, SR_E_HTTP_UNSUPPORTED_MEDIA_TYPE, NULL);
        return;
    }
    h(req);
}

static struct http_request *request_new(struct sr_http *h, const char *uri)
{
    struct http_request *req = sr_xcalloc(1, sizeof(*req));
    atomic_fetch_add(&h->in_flight, 1);
    req->id = atomic_fetch_add(&h->next_request_id, 1) + 1;
    req->server = h;
    req->uri = uri ? sr_xstrdup(uri) : NULL;
    req->started_ms = sr_now_ms();
    sr_buf_init(&req->body, (size_t)h->cfg->max_request_bytes);
    return req;
}

/* MHD's URI log callback sees the raw request target, query string included, before any
 * parsing; its return value becomes the request's state. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    SR_UNUSED(conn);
    return request_new(cls, uri);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    SR_UNUSED(version);
    struct sr_http *h = cls;
    struct http_request *req = *con_cls;
    if (!req) /* not seen by the URI callback: cannot happen, but stay safe */
        req = *con_cls = request_new(h, NULL);
    if (!req->started) {
        req->started = true;
        req->conn = conn;
        req->method = method;
        req->path = sr_xstrdup(url);
        /* An announced oversized body is refused before it is read when the client waits
         * for "100 Continue" (it has sent nothing yet), or when it is too big to discard.
         * A client already sending would meet a closed connection before reading an early
         * answer, so its body is discarded and the 413 comes after it. */
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *expect =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
        unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
        if (announced > (unsigned long long)h->cfg->max_request_bytes) {
            req->body_too_large = true;
            if ((expect && sr_str_ieq(expect, "100-continue")) || announced > DISCARD_LIMIT) {
                req->media = http_negotiate(
                    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
                http_reply_code(req, SR_E_HTTP_PAYLOAD_TOO_LARGE, NULL);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!req->body_too_large && !sr_buf_add(&req->body, upload_data, *upload_data_size))
            req->body_too_large = true;
        if (req->body_too_large) {
            req->discarded += *upload_data_size;
            if (req->discarded > DISCARD_LIMIT)
                return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->status) /* already answered (early 413) */
        return MHD_YES;
    dispatch(req);
    return MHD_YES;
}

/* Splits "host:port" / "[v6]:port" into a socket address. */
static bool parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
    const char *colon = strrchr(listen, ':');
    if (!colon)
        return false;
    char host[256];
    size_t hl = (size_t)(colon - listen);
    if (hl >= sizeof(host))
        return false;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return false;
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (n < 2 || host[n - 1] != ']')
            return false;
        host[n - 1] = '\0';
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            return false;
        *len = sizeof(*a6);
        return true;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (!*host || strcmp(host, "*") == 0)
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "localhost") == 0)
        a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        return false;
    *len = sizeof(*a4);
    return true;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    SR_UNUSED(cls);
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    sr_log_warn("http: %s", msg);
}

struct sr_http *sr_http_start(const struct sr_config *cfg, struct sr_core *core, struct sr_err *err)
{
    struct sockaddr_storage ss;
    socklen_t slen = 0;
    if (!parse_listen(cfg->listen, &ss, &slen)) {
        sr_err_set(err, SR_E_INTERNAL, "invalid --listen '%s' (want HOST:PORT)", cfg->listen);
        return NULL;
    }
    struct sr_http *h = sr_xcalloc(1, sizeof(*h));
    h->cfg = cfg;
    h->core = core;
    h->quiesced_fd = MHD_INVALID_SOCKET;
    atomic_init(&h->draining, false);
    atomic_init(&h->next_request_id, 0);
    atomic_init(&h->in_flight, 0);
    unsigned threads = (unsigned)cfg->threads;
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = (unsigned)(cpus > 0 ? cpus * 4 : 4);
        if (threads < 4)
            threads = 4;
    }
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, access_handler, h, MHD_OPTION_EXTERNAL_LOGGER,
                         mhd_log, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)cfg->connection_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
                         (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         (size_t)cfg->connection_memory_kib * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE,
                         1024u, MHD_OPTION_THREAD_STACK_SIZE, (size_t)(2 * 1024 * 1024),
                         MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_UNESCAPE_CALLBACK,
                         keep_raw, h, MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_END);
    if (!h->daemon) {
        sr_err_set(err, SR_E_INTERNAL, "cannot listen on %s", cfg->listen);
        free(h);
        return NULL;
    }
    h->cache = http_cache_new((size_t)cfg->response_cache_entries);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    sr_log_info("listening on %s (port %u), %u worker threads", cfg->listen, h->port, threads);
    return h;
}

unsigned sr_http_port(const struct sr_http *h)
{
    return h->port;
}

void sr_http_quiesce(struct sr_http *h)
{
    if (!h || atomic_load(&h->draining))
        return;
    atomic_store(&h->draining, true);
    h->quiesced_fd = MHD_quiesce_daemon(h->daemon);
    /* MHD only stops accepting: the socket would go on listening, and new connections would
     * wait in its backlog until exit. Shut down, a listening socket refuses them at once, so
     * clients and load balancers move on; the descriptor is closed after MHD_stop_daemon, as
     * MHD asks, so no worker can meet a reused descriptor number. */
    if (h->quiesced_fd != MHD_INVALID_SOCKET)
        shutdown(h->quiesced_fd, SHUT_RDWR);
}

unsigned sr_http_in_flight(struct sr_http *h)
{
    return atomic_load(&h->in_flight);
}

void sr_http_stop(struct sr_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    http_cache_free(h->cache);
    if (h->quiesced_fd != MHD_INVALID_SOCKET)
        close(h->quiesced_fd);
    free(h);
}
