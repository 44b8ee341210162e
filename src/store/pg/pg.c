/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL store: connection string handling, one libpq connection per worker thread with
 * its prepared statements, error classification and reconnects, transactions and
 * migrations. The queries themselves live in pg_query.c. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_int.h"
#include "schemaregd/log.h"
#include "schemaregd/store_pg.h"

/* A connect attempt that failed makes further attempts from that thread fail at once for
 * this long, so requests during an outage answer quickly instead of queueing on connects. */
#define PG_RECONNECT_BACKOFF_MS 250

/* How much longer than the statement timeout a query may go unanswered. The server cancels
 * slow statements itself; this only fires when it cannot answer at all (a frozen server, or
 * a network that drops packets without a reset), where libpq alone would wait forever. */
#define PG_ANSWER_GRACE_MS 1000

static char *prepared_sql[PG_STMT_COUNT];

/* Replaces every @S@ in sql with the quoted schema identifier (new string). */
static char *expand_schema(const char *sql, const char *ident)
{
    struct sr_buf b;
    sr_buf_init(&b, 0);
    for (const char *p = sql; *p;) {
        const char *m = strstr(p, "@S@");
        if (!m) {
            sr_buf_adds(&b, p);
            break;
        }
        sr_buf_add(&b, p, (size_t)(m - p));
        sr_buf_adds(&b, ident);
        p = m + 3;
    }
    return sr_buf_take(&b);
}

static char *quote_ident(const char *name)
{
    struct sr_buf b;
    sr_buf_init(&b, 0);
    sr_buf_addc(&b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            sr_buf_addc(&b, '"');
        sr_buf_addc(&b, *p);
    }
    sr_buf_addc(&b, '"');
    return sr_buf_take(&b);
}

/* ---- connection strings ---- */

/* Maps one JDBC query parameter to libpq (appending to b) or to the schema. */
static void jdbc_param(struct sr_buf *b, const char *key, size_t klen, const char *val, size_t vlen,
                       char **current_schema)
{
    static const char *const same[] = {"user",
                                       "password",
                                       "sslmode",
                                       "sslcert",
                                       "sslkey",
                                       "sslrootcert",
                                       "connect_timeout",
                                       "application_name",
                                       "target_session_attrs",
                                       "options"};
    const char *mapped = NULL;
    for (size_t i = 0; i < SR_ARRAY_LEN(same); i++)
        if (strlen(same[i]) == klen && strncmp(key, same[i], klen) == 0)
            mapped = same[i];
    if (klen == 13 && strncmp(key, "currentSchema", 13) == 0) {
        free(*current_schema);
        *current_schema = sr_percent_decode(val, vlen);
        return;
    }
    if (klen == 15 && strncmp(key, "ApplicationName", 15) == 0)
        mapped = "application_name";
    if ((klen == 14 && strncmp(key, "connectTimeout", 14) == 0) ||
        (klen == 12 && strncmp(key, "loginTimeout", 12) == 0))
        mapped = "connect_timeout";
    if (klen == 3 && strncmp(key, "ssl", 3) == 0) {
        if (vlen == 4 && strncmp(val, "true", 4) == 0) {
            sr_buf_adds(b, b->len && strchr(b->data, '?') ? "&" : "?");
            sr_buf_adds(b, "sslmode=require");
        }
        return;
    }
    if (!mapped) {
        sr_log_warn("database-url: ignoring JDBC parameter '%.*s' that libpq does not know",
                    (int)klen, key);
        return;
    }
    sr_buf_adds(b, strchr(b->data, '?') ? "&" : "?");
    sr_buf_adds(b, mapped);
    sr_buf_addc(b, '=');
    sr_buf_add(b, val, vlen);
}

/* Converts jdbc:postgresql://... (or jdbc:postgresql:db) to a libpq URI. */
static char *jdbc_to_uri(const char *jdbc, char **current_schema)
{
    const char *rest = jdbc + strlen("jdbc:postgresql:");
    struct sr_buf b;
    sr_buf_init(&b, 0);
    sr_buf_adds(&b, "postgresql:");
    const char *q = strchr(rest, '?');
    if (strncmp(rest, "//", 2) != 0)
        sr_buf_adds(&b, "///"); /* jdbc:postgresql:db means localhost */
    sr_buf_add(&b, rest, q ? (size_t)(q - rest) : strlen(rest));
    while (q && *q) {
        q++;
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        if (eq && eq > q)
            jdbc_param(&b, q, (size_t)(eq - q), eq + 1, len - (size_t)(eq - q) - 1, current_schema);
        q = amp;
    }
    return sr_buf_take(&b);
}

char *sr_store_pg_conninfo(const struct sr_config *cfg, char **schema_out, struct sr_err *err)
{
    const char *url = cfg->database_url;
    char *current_schema = NULL;
    char *base;
    if (strncmp(url, "jdbc:postgresql:", 16) == 0)
        base = jdbc_to_uri(url, &current_schema);
    else
        base = sr_xstrdup(url);

    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(base, &perr);
    if (!opts) {
        sr_err_set(err, SR_E_INTERNAL, "invalid --database-url: %s", perr ? perr : "cannot parse");
        PQfreemem(perr);
        free(base);
        free(current_schema);
        return NULL;
    }
    PQconninfoFree(opts);

    /* Serialized as "key=value" lines: the connect call expands the URL (dbname) first and
     * lets the later keywords override what it held. */
    struct sr_buf b;
    sr_buf_init(&b, 0);
    const char *keys[] = {"dbname",           "user",
                          "password",         "connect_timeout",
                          "application_name", "keepalives",
                          "keepalives_idle",  "keepalives_interval",
                          "keepalives_count", "tcp_user_timeout"};
    char timeout[16], user_timeout[16];
    snprintf(timeout, sizeof(timeout), "%d", cfg->db_connect_timeout_s);
    snprintf(user_timeout, sizeof(user_timeout), "%d", cfg->db_statement_timeout_ms + 5000);
    const char *vals[] = {
        base, cfg->database_user, cfg->database_password, timeout, "schemaregd", "1", "10", "5",
        "3",  user_timeout};
    for (size_t i = 0; i < SR_ARRAY_LEN(keys); i++) {
        if (!vals[i] || !*vals[i])
            continue;
        sr_buf_printf(&b, "%s=%s", keys[i], vals[i]);
        sr_buf_addc(&b, '\0');
    }
    free(base);
    if (strcmp(cfg->db_schema, "registry") == 0 && current_schema && *current_schema)
        *schema_out = current_schema;
    else {
        *schema_out = sr_xstrdup(cfg->db_schema);
        free(current_schema);
    }
    /* The buffer holds NUL-separated entries; a final empty entry ends it. */
    sr_buf_addc(&b, '\0');
    return sr_buf_take(&b);
}

/* Connects with the NUL-separated "key=value" list made by sr_store_pg_conninfo. */
static PGconn *connect_params(const char *params)
{
    const char *keys[16], *vals[16];
    char copies[16][64];
    int n = 0;
    for (const char *p = params; *p && n < 15; p += strlen(p) + 1) {
        const char *eq = strchr(p, '=');
        size_t kl = (size_t)(eq - p) < sizeof(copies[0]) ? (size_t)(eq - p) : sizeof(copies[0]) - 1;
        memcpy(copies[n], p, kl);
        copies[n][kl] = '\0';
        keys[n] = copies[n];
        vals[n] = eq + 1;
        n++;
    }
    keys[n] = vals[n] = NULL;
    return PQconnectdbParams(keys, vals, 1);
}

/* ---- sessions ---- */

/* Collects the results of the query just sent, as PQexec does (the last result, or the
 * first error), waiting for the server until deadline_ms at most. NULL when the send failed
 * (the connection's error message says why) or, with *timed_out, when no answer came. */
static PGresult *await_result(PGconn *conn, bool sent, int64_t deadline_ms, bool *timed_out)
{
    *timed_out = false;
    if (!sent)
        return NULL;
    PGresult *keep = NULL;
    for (;;) {
        while (PQisBusy(conn)) {
            int64_t left = deadline_ms - sr_now_ms();
            if (left <= 0) {
                *timed_out = true;
                PQclear(keep);
                return NULL;
            }
            struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
            int n = poll(&p, 1, (int)left);
            if (n < 0 && errno == EINTR)
                continue;
            /* A broken connection: PQgetResult reports it without waiting. */
            if (n < 0 || (n > 0 && !PQconsumeInput(conn)))
                break;
        }
        PGresult *r = PQgetResult(conn);
        if (!r)
            return keep;
        if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
            PQclear(r);
            continue;
        }
        PQclear(keep);
        keep = r;
    }
}

/* Runs a command without parameters (session setup, BEGIN, COMMIT, ROLLBACK), bounded. */
static PGresult *exec_bounded(struct pg_store *ps, PGconn *conn, const char *sql, bool *timed_out)
{
    int64_t deadline = sr_now_ms() + ps->statement_timeout_ms + PG_ANSWER_GRACE_MS;
    return await_result(conn, PQsendQuery(conn, sql) == 1, deadline, timed_out);
}

static void session_drop_conn(struct pg_session *s)
{
    if (s->conn)
        PQfinish(s->conn);
    s->conn = NULL;
    s->in_tx = false;
    memset(s->prepared, 0, sizeof(s->prepared));
}

static void session_destroy(void *p)
{
    struct pg_session *s = p;
    if (s)
        session_drop_conn(s);
    /* The session struct stays on the store's list; sr_store_free releases it. */
}

static bool session_connect(struct pg_store *ps, struct pg_session *s, struct sr_err *err)
{
    int64_t now = sr_now_ms();
    if (s->failed_at_ms && now - s->failed_at_ms < PG_RECONNECT_BACKOFF_MS)
        return sr_err_set(err, SR_E_STORE_ERROR,
                          "Error while connecting to the backend data "
                          "store: database unavailable");
    s->conn = connect_params(ps->conninfo);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        sr_err_set(err, SR_E_STORE_ERROR,
                   "Error while connecting to the backend data store: database unavailable");
        sr_err_detail(err, "connect: %s", PQerrorMessage(s->conn));
        session_drop_conn(s);
        /* From the failure, not the attempt: a connect can take the whole connect timeout. */
        s->failed_at_ms = sr_now_ms();
        return false;
    }
    s->failed_at_ms = 0;
    char setup[160];
    snprintf(setup, sizeof(setup),
             "SET statement_timeout = %d; SET lock_timeout = %d; "
             "SET idle_in_transaction_session_timeout = %d",
             ps->statement_timeout_ms, ps->statement_timeout_ms, ps->statement_timeout_ms * 3);
    bool timed_out;
    PGresult *r = exec_bounded(ps, s->conn, setup, &timed_out);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        sr_err_set(err, SR_E_STORE_ERROR, "Error while connecting to the backend data store");
        sr_err_detail(err, "session setup: %s", PQerrorMessage(s->conn));
        session_drop_conn(s);
        s->failed_at_ms = sr_now_ms();
    }
    PQclear(r);
    /* Statements are prepared at first use (pg_exec), not here: preparing one locks the
     * tables it names, so preparing all of them would make a new connection wait for (and
     * time out on) a lock on any table, even for a read that never touches it. */
    return ok;
}

struct pg_session *pg_session_get(struct pg_store *ps, struct sr_err *err)
{
    struct pg_session *s = pthread_getspecific(ps->key);
    if (!s) {
        s = sr_xcalloc(1, sizeof(*s));
        pthread_mutex_lock(&ps->lock);
        s->next = ps->sessions;
        ps->sessions = s;
        pthread_mutex_unlock(&ps->lock);
        pthread_setspecific(ps->key, s);
    }
    if (!s->conn && !session_connect(ps, s, err))
        return NULL;
    return s;
}

/* A query the server did not answer within the statement timeout and the grace: its
 * connection cannot be used any more (the answer may still come), so it is dropped. */
static enum sr_store_status no_answer(struct pg_session *s, struct sr_err *err)
{
    sr_err_set(err, SR_E_OPERATION_TIMEOUT, "Operation timed out in the backend data store");
    sr_err_detail(err, "no answer from the database within the statement timeout + %d ms",
                  PG_ANSWER_GRACE_MS);
    session_drop_conn(s);
    s->failed_at_ms = sr_now_ms(); /* requests queued behind this one fail fast too */
    return SR_STORE_UNAVAILABLE;
}

/* Classifies a failed result. Connection-level failures drop the connection. */
static enum sr_store_status classify(struct pg_session *s, PGresult *res, struct sr_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
    bool was_in_tx = s->in_tx;
    if (PQstatus(s->conn) == CONNECTION_BAD || !state) {
        sr_err_set(err, SR_E_STORE_ERROR,
                   "Error while accessing the backend data store: connection lost");
        sr_err_detail(err, "connection lost: %s", msg ? msg : "");
        session_drop_conn(s);
        return SR_STORE_RETRY;
    }
    sr_err_detail(err, "SQLSTATE %s: %s", state, msg ? msg : "");
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "23505") ||
        !strcmp(state, "23503")) {
        sr_err_set(err, SR_E_STORE_ERROR,
                   "Error while writing to the backend data store: "
                   "concurrent update");
        sr_err_detail(err, "SQLSTATE %s: %s", state, msg ? msg : "");
        return was_in_tx ? SR_STORE_RETRY : SR_STORE_ERROR;
    }
    if (!strcmp(state, "57014") || !strcmp(state, "55P03") || !strcmp(state, "25P03")) {
        sr_err_set(err, SR_E_OPERATION_TIMEOUT, "Operation timed out in the backend data store");
        sr_err_detail(err, "SQLSTATE %s: %s", state, msg ? msg : "");
        return SR_STORE_UNAVAILABLE;
    }
    if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) || !strncmp(state, "53", 2)) {
        sr_err_set(err, SR_E_STORE_ERROR,
                   "Error while accessing the backend data store: database unavailable");
        sr_err_detail(err, "SQLSTATE %s: %s", state, msg ? msg : "");
        session_drop_conn(s);
        return SR_STORE_RETRY;
    }
    sr_err_set(err, SR_E_STORE_ERROR, "Error while accessing the backend data store");
    sr_err_detail(err, "SQLSTATE %s: %s", state, msg ? msg : "");
    return SR_STORE_ERROR;
}

enum sr_store_status pg_exec(struct pg_store *ps, enum pg_stmt stmt, int nparams,
                             const char *const *values, const int *lengths, const int *formats,
                             PGresult **res, struct sr_err *err)
{
    *res = NULL;
    char name[16];
    snprintf(name, sizeof(name), "s%d", (int)stmt);
    /* Outside a transaction a statement may be retried once on a fresh connection: a
     * single read or autocommit write either happened or did not. */
    for (int attempt = 0; attempt < 2; attempt++) {
        struct pg_session *s = pg_session_get(ps, err);
        if (!s)
            return SR_STORE_UNAVAILABLE;
        bool in_tx = s->in_tx;
        int64_t deadline = sr_now_ms() + ps->statement_timeout_ms + PG_ANSWER_GRACE_MS;
        bool timed_out = false;
        PGresult *r = NULL;
        if (!s->prepared[stmt]) {
            int sent = PQsendPrepare(s->conn, name, prepared_sql[stmt], 0, NULL);
            r = await_result(s->conn, sent == 1, deadline, &timed_out);
            s->prepared[stmt] = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (s->prepared[stmt]) {
                PQclear(r);
                r = NULL;
            }
        }
        if (!r && !timed_out) {
            int sent = PQsendQueryPrepared(s->conn, name, nparams, values, lengths, formats, 0);
            r = await_result(s->conn, sent == 1, deadline, &timed_out);
        }
        if (timed_out)
            return no_answer(s, err);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            *res = r;
            return SR_STORE_OK;
        }
        enum sr_store_status cs = classify(s, r, err);
        PQclear(r);
        sr_log_debug("pg statement %d failed: %s", (int)stmt, err->detail);
        if (cs == SR_STORE_RETRY && !in_tx && !s->conn && attempt == 0)
            continue;
        if (cs == SR_STORE_RETRY && !in_tx)
            return SR_STORE_UNAVAILABLE;
        return cs;
    }
    return SR_STORE_UNAVAILABLE;
}

/* Runs a plain command on the session (BEGIN/ROLLBACK). */
static enum sr_store_status run_command(struct pg_store *ps, struct pg_session *s, const char *sql,
                                        struct sr_err *err)
{
    bool timed_out;
    PGresult *r = exec_bounded(ps, s->conn, sql, &timed_out);
    if (timed_out)
        return no_answer(s, err);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
        PQclear(r);
        return SR_STORE_OK;
    }
    enum sr_store_status st = classify(s, r, err);
    PQclear(r);
    return st;
}

/* ---- transactions ---- */

enum sr_store_status pg_tx_begin_op(struct sr_store *st, const char *lock_subject,
                                    struct sr_err *err)
{
    struct pg_store *ps = (struct pg_store *)st;
    struct pg_session *s = pg_session_get(ps, err);
    if (!s)
        return SR_STORE_UNAVAILABLE;
    if (s->in_tx) /* a previous request left one open: never reuse it */
        run_command(ps, s, "ROLLBACK", err);
    if (!s->conn && !(s = pg_session_get(ps, err)))
        return SR_STORE_UNAVAILABLE;
    /* A connection the server dropped while idle fails here; RETRY lets the caller's
     * transaction loop start again on a fresh connection. */
    enum sr_store_status rs = run_command(ps, s, "BEGIN", err);
    if (rs != SR_STORE_OK)
        return rs;
    s->in_tx = true;
    /* Writers of one subject are serialised across all instances by a transaction-scoped
     * advisory lock on the subject's hash; they also hold the global lock shared, which
     * global operations (switching to IMPORT) take exclusively. */
    PGresult *r = NULL;
    const char *params[2] = {ps->schema, lock_subject};
    rs = lock_subject ? pg_exec(ps, PG_LOCK_SUBJECT, 2, params, NULL, NULL, &r, err)
                      : pg_exec(ps, PG_LOCK_GLOBAL, 1, params, NULL, NULL, &r, err);
    PQclear(r);
    if (rs != SR_STORE_OK) {
        pg_tx_rollback_op(st);
        return rs;
    }
    return SR_STORE_OK;
}

enum sr_store_status pg_tx_commit_op(struct sr_store *st, struct sr_err *err)
{
    struct pg_store *ps = (struct pg_store *)st;
    struct pg_session *s = pthread_getspecific(ps->key);
    if (!s || !s->conn || !s->in_tx)
        return sr_err_set(err, SR_E_STORE_ERROR,
                          "Error while writing to the backend data "
                          "store"),
               SR_STORE_RETRY;
    bool timed_out;
    PGresult *r = exec_bounded(ps, s->conn, "COMMIT", &timed_out);
    if (timed_out) /* unknown outcome, like a lost connection, but not worth a retry */
        return no_answer(s, err);
    ExecStatusType rst = PQresultStatus(r);
    /* COMMIT of an aborted transaction reports COMMAND_OK with tag ROLLBACK. */
    bool committed = rst == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0;
    enum sr_store_status out = SR_STORE_OK;
    if (!committed) {
        out = rst == PGRES_COMMAND_OK ? SR_STORE_RETRY : classify(s, r, err);
        if (rst == PGRES_COMMAND_OK)
            sr_err_set(err, SR_E_STORE_ERROR, "Error while writing to the backend data store");
        /* A COMMIT lost with the connection has an unknown outcome; callers retry their
         * idempotent operation, which finds the row if it was committed. */
        if (out != SR_STORE_ERROR && out != SR_STORE_UNAVAILABLE)
            out = SR_STORE_RETRY;
    }
    PQclear(r);
    s->in_tx = false;
    return out;
}

void pg_tx_rollback_op(struct sr_store *st)
{
    struct pg_store *ps = (struct pg_store *)st;
    struct pg_session *s = pthread_getspecific(ps->key);
    if (!s || !s->conn || !s->in_tx) {
        if (s)
            s->in_tx = false;
        return;
    }
    struct sr_err ignored = {0};
    run_command(ps, s, "ROLLBACK", &ignored);
    if (s)
        s->in_tx = false;
}

/* ---- lifecycle ---- */

enum sr_store_status pg_ping_op(struct sr_store *st, struct sr_err *err)
{
    struct pg_store *ps = (struct pg_store *)st;
    if (!atomic_load(&ps->ready))
        return sr_err_set(err, SR_E_STORE_ERROR, "database not migrated yet"), SR_STORE_UNAVAILABLE;
    PGresult *r = NULL;
    int32_t id;
    SR_UNUSED(id);
    enum sr_store_status rs = pg_exec(ps, PG_SCHEMA_MAX_ID, 0, NULL, NULL, NULL, &r, err);
    PQclear(r);
    return rs;
}

void pg_free_op(struct sr_store *st)
{
    struct pg_store *ps = (struct pg_store *)st;
    if (!ps)
        return;
    pthread_key_delete(ps->key);
    for (struct pg_session *s = ps->sessions, *n; s; s = n) {
        n = s->next;
        session_drop_conn(s);
        free(s);
    }
    pthread_mutex_destroy(&ps->lock);
    free(ps->conninfo);
    free(ps->schema);
    free(ps->schema_ident);
    free(ps);
}

struct sr_store *sr_store_pg_new(const struct sr_config *cfg, struct sr_err *err)
{
    char *schema = NULL;
    char *conninfo = sr_store_pg_conninfo(cfg, &schema, err);
    if (!conninfo)
        return NULL;
    struct pg_store *ps = sr_xcalloc(1, sizeof(*ps));
    ps->base.ops = &pg_ops;
    ps->conninfo = conninfo;
    ps->schema = schema;
    ps->schema_ident = quote_ident(schema);
    ps->statement_timeout_ms = cfg->db_statement_timeout_ms;
    pthread_key_create(&ps->key, session_destroy);
    pthread_mutex_init(&ps->lock, NULL);
    atomic_init(&ps->ready, false);
    /* Statement texts depend only on the schema name, which is the same for every store a
     * process creates (one). */
    for (int i = 0; i < PG_STMT_COUNT; i++) {
        free(prepared_sql[i]);
        prepared_sql[i] = expand_schema(pg_statement_sql[i], ps->schema_ident);
    }
    return &ps->base;
}

/* ---- migrations ---- */

enum sr_store_status sr_store_pg_migrate(struct sr_store *st, struct sr_err *err)
{
    struct pg_store *ps = (struct pg_store *)st;
    struct pg_session *s = pthread_getspecific(ps->key);
    if (!s) {
        s = sr_xcalloc(1, sizeof(*s));
        pthread_mutex_lock(&ps->lock);
        s->next = ps->sessions;
        ps->sessions = s;
        pthread_mutex_unlock(&ps->lock);
        pthread_setspecific(ps->key, s);
    }
    if (!s->conn) {
        s->conn = connect_params(ps->conninfo);
        if (PQstatus(s->conn) != CONNECTION_OK) {
            sr_err_set(err, SR_E_STORE_ERROR, "database unavailable");
            sr_err_detail(err, "%s", PQerrorMessage(s->conn));
            session_drop_conn(s);
            return SR_STORE_UNAVAILABLE;
        }
    }
    size_t n = 0;
    const struct sr_migration *migs = sr_store_migrations("pg", &n);
    /* One transaction under an advisory lock: instances starting together on an empty
     * database wait for the first one, then find the migrations applied. PostgreSQL DDL is
     * transactional, so a failure leaves nothing half-applied. */
    char *literal = PQescapeLiteral(s->conn, ps->schema, strlen(ps->schema));
    char *lock_sql = sr_xasprintf(
        "SET statement_timeout = '60s'; SET lock_timeout = '60s'; "
        "BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('schemaregd-migrate:' || %s, 0)); "
        "CREATE SCHEMA IF NOT EXISTS %s; "
        "CREATE TABLE IF NOT EXISTS %s.schema_migrations (version integer PRIMARY KEY, "
        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
        literal ? literal : "''", ps->schema_ident, ps->schema_ident);
    PQfreemem(literal);
    PGresult *r = PQexec(s->conn, lock_sql);
    free(lock_sql);
    enum sr_store_status rs = SR_STORE_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rs = classify(s, r, err);
        PQclear(r);
        goto fail;
    }
    PQclear(r);
    char *q = sr_xasprintf("SELECT coalesce(max(version), 0) FROM %s.schema_migrations",
                           ps->schema_ident);
    r = PQexec(s->conn, q);
    free(q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rs = classify(s, r, err);
        PQclear(r);
        goto fail;
    }
    int applied = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    for (size_t i = 0; i < n; i++) {
        if (migs[i].version <= applied)
            continue;
        char *sql = expand_schema(migs[i].sql, ps->schema_ident);
        r = PQexec(s->conn, sql);
        free(sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            rs = classify(s, r, err);
            if (rs == SR_STORE_RETRY)
                rs = SR_STORE_UNAVAILABLE;
            else
                rs = SR_STORE_ERROR;
            sr_err_set(err, SR_E_STORE_ERROR, "migration %s failed", migs[i].name);
            sr_err_detail(err, "%s", PQresultErrorMessage(r));
            PQclear(r);
            goto fail;
        }
        PQclear(r);
        char *ins = sr_xasprintf("INSERT INTO %s.schema_migrations (version, name) VALUES "
                                 "(%d, '%s')",
                                 ps->schema_ident, migs[i].version, migs[i].name);
        r = PQexec(s->conn, ins);
        free(ins);
        PQclear(r);
        sr_log_info("applied migration %s to schema %s", migs[i].name, ps->schema);
    }
    r = PQexec(s->conn, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rs = classify(s, r, err);
        PQclear(r);
        goto fail;
    }
    PQclear(r);
    /* The migration connection lacks the session settings (timeouts): worker statements get
     * a connection of their own through session_connect. */
    session_drop_conn(s);
    atomic_store(&ps->ready, true);
    return SR_STORE_OK;
fail:
    if (s->conn) {
        r = PQexec(s->conn, "ROLLBACK");
        PQclear(r);
    }
    session_drop_conn(s);
    return rs == SR_STORE_OK ? SR_STORE_ERROR : rs;
}
