/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the SQLite store: the store object, the per-thread connections with their
 * prepared statements, and the helpers the operations in sqlite_query.c are built on. */
#ifndef SCHEMAREGD_SQLITE_INT_H
#define SCHEMAREGD_SQLITE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>

#include "schemaregd/store.h"

/* Prepared statements, one per query; indexes into sq_statement_sql[]. */
enum sq_stmt {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SCHEMA_BY_ID,
    SQ_SCHEMA_ID_BY_HASH,
    SQ_SCHEMA_ID_HASH_EQ,
    SQ_SCHEMA_INSERT,
    SQ_SCHEMA_ID_NEXT,
    SQ_SCHEMA_ID_BUMP,
    SQ_SCHEMA_MAX_ID,
    SQ_SCHEMA_REFS,
    SQ_REF_INSERT,
    SQ_SUBJECT_VERSIONS,
    SQ_SUBJECT_ENSURE,
    SQ_VERSION_INSERT,
    SQ_VERSION_SET_DELETED,
    SQ_VERSION_REMOVE,
    SQ_SCHEMA_DROP_ORPHAN,
    SQ_SUBJECT_DROP_EMPTY,
    SQ_SUBJECTS_LIST,
    SQ_VERSIONS_BY_PREFIX,
    SQ_VERSIONS_BY_SCHEMA_ID,
    SQ_REFERENCED_BY,
    SQ_CONFIG_GET,
    SQ_CONFIG_PUT,
    SQ_CONFIG_DELETE,
    SQ_MODE_GET,
    SQ_MODE_PUT,
    SQ_MODE_DELETE,
    SQ_STMT_COUNT
};

struct sq_store;

/* One thread's connection. Used only by its thread; the store's list owns it. */
struct sq_conn {
    struct sq_store *store;
    sqlite3 *db;
    /* Prepared on first use, kept until the connection closes. */
    sqlite3_stmt *stmts[SQ_STMT_COUNT];
    bool in_tx;       /* a transaction opened by sr_store_tx_begin is open */
    bool own_tx;      /* an operation called outside a transaction opened its own */
    bool holds_write; /* this thread holds the store's writer mutex */
    struct sq_conn *prev, *next;
};

struct sq_store {
    struct sr_store base;
    char *path;          /* as configured, for messages */
    char *file;          /* absolute, symlinks resolved: what SQLite opens */
    int lock_fd;         /* flock()ed <file>.lock, held for the store's lifetime */
    int busy_timeout_ms; /* SQLite busy timeout and the wait for the writer mutex */
    pthread_key_t key;
    pthread_mutex_t conns_lock; /* guards conns */
    struct sq_conn *conns;
    /* Serialises write transactions of this process. SQLite's own busy handler polls with
     * sleeps of up to 100 ms; queueing writers on a mutex instead hands the write lock over
     * at once. Held from BEGIN IMMEDIATE to COMMIT/ROLLBACK. */
    pthread_mutex_t write_lock;
    /* Bumped after every write transaction ends with a commit: see sr_store_ops.generation.
     * The file belongs to this process alone (the lock file), so no write escapes it. */
    _Atomic uint64_t generation;
};

/* The calling thread's connection (borrowed), opened and configured on first use; NULL with
 * err set when the database file cannot be opened. */
struct sq_conn *sq_conn_get(struct sq_store *ss, struct sr_err *err);
/* Prepared statement stmt of c (borrowed; pass it to sq_done after use), prepared on first
 * use. NULL with err set when it cannot be prepared. */
sqlite3_stmt *sq_stmt(struct sq_conn *c, enum sq_stmt stmt, struct sr_err *err);
/* The calling thread's connection and its statement stmt: SR_STORE_OK, or
 * SR_STORE_UNAVAILABLE / SR_STORE_ERROR with err set. */
enum sr_store_status sq_prepare(struct sq_store *ss, enum sq_stmt stmt, struct sq_conn **c,
                                sqlite3_stmt **s, struct sr_err *err);
/* Resets a statement after use so it holds no read snapshot, and drops its bindings. */
void sq_done(sqlite3_stmt *s);
/* Classifies a failed SQLite call (rc) on c into a store status and fills err: the SQLite
 * text goes to err->detail only. */
enum sr_store_status sq_fail(struct sq_conn *c, int rc, struct sr_err *err);
/* Begins a write operation: inside the caller's transaction it only returns the
 * connection; outside one it opens a transaction of its own so the operation's statements
 * apply together. sq_write_end then commits (rs OK) or rolls back that transaction and
 * returns the operation's final status. */
enum sr_store_status sq_write_begin(struct sq_store *ss, struct sq_conn **c, struct sr_err *err);
enum sr_store_status sq_write_end(struct sq_conn *c, enum sr_store_status rs, struct sr_err *err);

extern const struct sr_store_ops sq_ops;
extern const char *const sq_statement_sql[SQ_STMT_COUNT];

/* Operations defined in sqlite.c (connections, transactions, lifecycle). */
enum sr_store_status sq_ping_op(struct sr_store *st, struct sr_err *err);
enum sr_store_status sq_tx_begin_op(struct sr_store *st, const char *lock_subject,
                                    struct sr_err *err);
enum sr_store_status sq_tx_commit_op(struct sr_store *st, struct sr_err *err);
void sq_tx_rollback_op(struct sr_store *st);
void sq_free_op(struct sr_store *st);

#endif
