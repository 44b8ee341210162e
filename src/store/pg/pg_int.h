/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the PostgreSQL store: the store object, per-thread sessions and the prepared
 * statement list. */
#ifndef SCHEMAREGD_PG_INT_H
#define SCHEMAREGD_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>

#include "schemaregd/store.h"

/* Prepared statements, one per query; indexes into pg_statements[]. */
enum pg_stmt {
    PG_LOCK_SUBJECT,
    PG_LOCK_GLOBAL,
    PG_SCHEMA_BY_ID,
    PG_SCHEMA_ID_BY_HASH,
    PG_SCHEMA_INSERT_NEW,
    PG_SCHEMA_ID_HASH_EQ,
    PG_SCHEMA_INSERT_WITH_ID,
    PG_SCHEMA_BUMP_SEQ,
    PG_SCHEMA_MAX_ID,
    PG_SCHEMA_REFS,
    PG_REF_INSERT,
    PG_SUBJECT_VERSIONS,
    PG_SUBJECT_ENSURE,
    PG_VERSION_INSERT,
    PG_VERSION_SET_DELETED,
    PG_VERSION_REMOVE,
    PG_SCHEMA_DROP_ORPHAN,
    PG_SUBJECT_DROP_EMPTY,
    PG_SUBJECTS_LIST,
    PG_VERSIONS_BY_PREFIX,
    PG_VERSIONS_BY_SCHEMA_ID,
    PG_REFERENCED_BY,
    PG_CONFIG_GET,
    PG_CONFIG_PUT,
    PG_CONFIG_DELETE,
    PG_MODE_GET,
    PG_MODE_PUT,
    PG_MODE_DELETE,
    PG_STMT_COUNT
};

struct pg_session {
    PGconn *conn;
    bool in_tx;
    bool prepared[PG_STMT_COUNT]; /* on this connection; prepared at first use */
    int64_t failed_at_ms;         /* last failed connect or unanswered query: fail fast a while */
    struct pg_session *next;
};

struct pg_store {
    struct sr_store base;
    char *conninfo;
    char *schema;       /* unquoted name */
    char *schema_ident; /* quoted identifier */
    int statement_timeout_ms;
    pthread_key_t key;
    pthread_mutex_t lock; /* guards sessions */
    struct pg_session *sessions;
    atomic_bool ready; /* migrations applied */
};

/* The calling thread's session, connected and prepared; NULL with err set when the
 * database cannot be reached. */
struct pg_session *pg_session_get(struct pg_store *ps, struct sr_err *err);
/* Runs prepared statement stmt with text parameters (lengths/formats may be NULL for all
 * text). On success *res holds the result (caller PQclear()s). On failure classifies the
 * error, drops a broken connection, and fills err. */
enum sr_store_status pg_exec(struct pg_store *ps, enum pg_stmt stmt, int nparams,
                             const char *const *values, const int *lengths, const int *formats,
                             PGresult **res, struct sr_err *err);

extern const struct sr_store_ops pg_ops;
extern const char *const pg_statement_sql[PG_STMT_COUNT];

/* Operations defined in pg.c (sessions, transactions, lifecycle). */
enum sr_store_status pg_ping_op(struct sr_store *st, struct sr_err *err);
enum sr_store_status pg_tx_begin_op(struct sr_store *st, const char *lock_subject,
                                    struct sr_err *err);
enum sr_store_status pg_tx_commit_op(struct sr_store *st, struct sr_err *err);
void pg_tx_rollback_op(struct sr_store *st);
void pg_free_op(struct sr_store *st);

#endif
