/* SPDX-License-Identifier: Apache-2.0 */
/* Embedded store: one SQLite connection per worker thread (WAL, so readers run in parallel
 * with the writer) with its prepared statements, error classification, write transactions
 * serialised by BEGIN IMMEDIATE behind an in-process mutex, the lock file that keeps a
 * second daemon away, and the migrations applied at open. The queries live in
 * sqlite_query.c. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "schemaregd/log.h"
#include "schemaregd/store_sqlite.h"
#include "sqlite_int.h"

/* Busy timeout when no configuration is given (the --db-statement-timeout-ms default). */
#define SQ_DEFAULT_BUSY_TIMEOUT_MS 10000

#define SS(st) ((struct sq_store *)(st))

/* ---- errors ---- */

enum sr_store_status sq_fail(struct sq_conn *c, int rc, struct sr_err *err)
{
    /* Read SQLite's text first: any later call on the connection replaces it. */
    const char *text = c && c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    char detail[SR_ERR_DETAIL_MAX];
    snprintf(detail, sizeof(detail), "sqlite %s (%d): %s", sqlite3_errstr(rc), rc,
             text ? text : "");
    enum sr_store_status rs = SR_STORE_ERROR;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        sr_err_set(err, SR_E_OPERATION_TIMEOUT, "Operation timed out in the backend data store");
        rs = SR_STORE_UNAVAILABLE;
        break;
    case SQLITE_CONSTRAINT:
        /* Uniqueness and foreign keys are what a concurrent change breaks (PostgreSQL's
         * 23505/23503); a CHECK or NOT NULL failure is a bug and retrying cannot help. */
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE ||
            rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_ROWID) {
            sr_err_set(err, SR_E_STORE_ERROR,
                       "Error while writing to the backend data store: concurrent update");
            rs = c && c->in_tx ? SR_STORE_RETRY : SR_STORE_ERROR;
        } else {
            sr_err_set(err, SR_E_STORE_ERROR, "Error while writing to the backend data store");
        }
        break;
    default:
        sr_err_set(err, SR_E_STORE_ERROR, "Error while accessing the backend data store");
        break;
    }
    sr_err_detail(err, "%s", detail);
    return rs;
}

/* ---- connections ---- */

/* Runs a pragma on a new connection; when expect is given, its first result column must
 * equal it (case-insensitive): some pragmas fail silently. */
static bool pragma(sqlite3 *db, const char *sql, const char *expect, struct sr_err *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    bool ok = false;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        const char *got = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
        ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
        if (ok && expect && (!got || !sr_str_ieq(got, expect))) {
            sr_err_set(err, SR_E_STORE_ERROR, "Error while opening the backend data store");
            sr_err_detail(err, "%s gave %s instead of %s", sql, got ? got : "nothing", expect);
            sqlite3_finalize(s);
            return false;
        }
    }
    if (!ok) {
        struct sq_conn tmp = {.db = db};
        sq_fail(&tmp, rc, err);
    }
    sqlite3_finalize(s);
    return ok;
}

static bool conn_open(struct sq_store *ss, struct sq_conn *c, struct sr_err *err)
{
    /* NOMUTEX: a connection is only ever used by the thread that opened it. */
    int rc = sqlite3_open_v2(
        ss->file, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sr_err_set(err, SR_E_STORE_ERROR, "Error while opening the backend data store");
        sr_err_detail(err, "%s: %s", ss->path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close_v2(c->db);
        c->db = NULL;
        return false;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, ss->busy_timeout_ms);
    /* FULL: each commit syncs the WAL, so an acknowledged registration survives a crash or
     * power loss right after the reply (NORMAL would only survive a process crash). */
    if (!pragma(c->db, "PRAGMA journal_mode = WAL", "wal", err) ||
        !pragma(c->db, "PRAGMA synchronous = FULL", NULL, err) ||
        !pragma(c->db, "PRAGMA foreign_keys = ON", NULL, err) ||
        !pragma(c->db, "PRAGMA foreign_keys", "1", err)) {
        sqlite3_close_v2(c->db);
        c->db = NULL;
        return false;
    }
    return true;
}

static void writer_release(struct sq_conn *c)
{
    if (c->holds_write) {
        c->holds_write = false;
        pthread_mutex_unlock(&c->store->write_lock);
    }
}

/* Closes a connection, rolling back what it left open. unlock: the caller is the thread
 * that owns c, so it may release the writer mutex c holds. */
static void conn_close(struct sq_conn *c, bool unlock)
{
    for (int i = 0; i < SQ_STMT_COUNT; i++) {
        sqlite3_finalize(c->stmts[i]);
        c->stmts[i] = NULL;
    }
    if (c->db && !sqlite3_get_autocommit(c->db))
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    if (unlock)
        writer_release(c);
    sqlite3_close_v2(c->db);
    c->db = NULL;
    c->in_tx = c->own_tx = false;
}

/* Thread exit: the thread's connection goes with it. */
static void conn_destroy(void *p)
{
    struct sq_conn *c = p;
    struct sq_store *ss = c->store;
    conn_close(c, true);
    pthread_mutex_lock(&ss->conns_lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        ss->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&ss->conns_lock);
    free(c);
}

struct sq_conn *sq_conn_get(struct sq_store *ss, struct sr_err *err)
{
    struct sq_conn *c = pthread_getspecific(ss->key);
    if (c)
        return c;
    c = sr_xcalloc(1, sizeof(*c));
    c->store = ss;
    if (!conn_open(ss, c, err)) {
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&ss->conns_lock);
    c->next = ss->conns;
    if (c->next)
        c->next->prev = c;
    ss->conns = c;
    pthread_mutex_unlock(&ss->conns_lock);
    pthread_setspecific(ss->key, c);
    return c;
}

sqlite3_stmt *sq_stmt(struct sq_conn *c, enum sq_stmt stmt, struct sr_err *err)
{
    sqlite3_stmt *s = c->stmts[stmt];
    if (s) {
        if (sqlite3_stmt_busy(s)) /* a caller forgot sq_done: never resume its cursor */
            sqlite3_reset(s);
        return s;
    }
    int rc =
        sqlite3_prepare_v3(c->db, sq_statement_sql[stmt], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        sq_fail(c, rc, err);
        sqlite3_finalize(s);
        return NULL;
    }
    c->stmts[stmt] = s;
    return s;
}

enum sr_store_status sq_prepare(struct sq_store *ss, enum sq_stmt stmt, struct sq_conn **c,
                                sqlite3_stmt **s, struct sr_err *err)
{
    *s = NULL;
    *c = sq_conn_get(ss, err);
    if (!*c)
        return SR_STORE_UNAVAILABLE;
    *s = sq_stmt(*c, stmt, err);
    return *s ? SR_STORE_OK : SR_STORE_ERROR;
}

void sq_done(sqlite3_stmt *s)
{
    if (!s)
        return;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Runs a statement without parameters or rows (BEGIN, COMMIT, ROLLBACK). */
static enum sr_store_status run_command(struct sq_conn *c, enum sq_stmt stmt, struct sr_err *err)
{
    sqlite3_stmt *s = sq_stmt(c, stmt, err);
    if (!s)
        return SR_STORE_ERROR;
    int rc = sqlite3_step(s);
    enum sr_store_status rs = rc == SQLITE_DONE ? SR_STORE_OK : sq_fail(c, rc, err);
    sq_done(s);
    return rs;
}

/* ---- write transactions ---- */

static enum sr_store_status write_tx_open(struct sq_conn *c, struct sr_err *err)
{
    struct sq_store *ss = c->store;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += ss->busy_timeout_ms / 1000;
    deadline.tv_nsec += (long)(ss->busy_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int lrc = pthread_mutex_timedlock(&ss->write_lock, &deadline);
    if (lrc != 0) {
        sr_err_set(err, SR_E_OPERATION_TIMEOUT, "Operation timed out in the backend data store");
        sr_err_detail(err, "waiting for the write lock: %s", strerror(lrc));
        return SR_STORE_UNAVAILABLE;
    }
    c->holds_write = true;
    /* IMMEDIATE takes SQLite's write lock now: a deferred transaction that reads first and
     * writes later could fail with SQLITE_BUSY without waiting. */
    enum sr_store_status rs = run_command(c, SQ_BEGIN, err);
    if (rs != SR_STORE_OK)
        writer_release(c);
    return rs;
}

/* Ends the connection's write transaction: commit (returning its status) or roll back. */
static enum sr_store_status write_tx_close(struct sq_conn *c, bool commit, struct sr_err *err)
{
    enum sr_store_status rs = SR_STORE_OK;
    if (commit && sqlite3_get_autocommit(c->db)) {
        /* SQLite already rolled the transaction back after an error (I/O, disk full). */
        sr_err_set(err, SR_E_STORE_ERROR, "Error while writing to the backend data store");
        sr_err_detail(err, "transaction rolled back by SQLite before commit");
        rs = SR_STORE_RETRY;
    } else if (commit) {
        rs = run_command(c, SQ_COMMIT, err);
        /* After the commit, so a reader that sees the old generation may hold old data but
         * one that sees the new generation reads what was committed. */
        atomic_fetch_add(&c->store->generation, 1);
    }
    if ((!commit || rs != SR_STORE_OK) && !sqlite3_get_autocommit(c->db)) {
        struct sr_err ignored = {0};
        run_command(c, SQ_ROLLBACK, &ignored);
    }
    writer_release(c);
    return rs;
}

enum sr_store_status sq_write_begin(struct sq_store *ss, struct sq_conn **cp, struct sr_err *err)
{
    *cp = NULL;
    struct sq_conn *c = sq_conn_get(ss, err);
    if (!c)
        return SR_STORE_UNAVAILABLE;
    *cp = c;
    if (c->in_tx && sqlite3_get_autocommit(c->db)) {
        /* SQLite ended the caller's transaction after an error: writing now would escape
         * both the transaction and the writer mutex. */
        sr_err_set(err, SR_E_STORE_ERROR, "Error while writing to the backend data store");
        sr_err_detail(err, "transaction rolled back by SQLite after an earlier error");
        return SR_STORE_RETRY;
    }
    if (c->in_tx)
        return SR_STORE_OK;
    enum sr_store_status rs = write_tx_open(c, err);
    c->own_tx = rs == SR_STORE_OK;
    return rs;
}

enum sr_store_status sq_write_end(struct sq_conn *c, enum sr_store_status rs, struct sr_err *err)
{
    if (!c || !c->own_tx)
        return rs;
    c->own_tx = false;
    if (rs == SR_STORE_OK)
        return write_tx_close(c, true, err);
    struct sr_err ignored = {0};
    write_tx_close(c, false, &ignored);
    return rs;
}

enum sr_store_status sq_tx_begin_op(struct sr_store *st, const char *lock_subject,
                                    struct sr_err *err)
{
    /* One writer at a time for the whole file, so the subject (or NULL for the global lock)
     * needs no lock of its own. */
    SR_UNUSED(lock_subject);
    struct sq_conn *c = sq_conn_get(SS(st), err);
    if (!c)
        return SR_STORE_UNAVAILABLE;
    if (c->in_tx) /* a previous request left one open: never reuse it */
        sq_tx_rollback_op(st);
    enum sr_store_status rs = write_tx_open(c, err);
    c->in_tx = rs == SR_STORE_OK;
    return rs;
}

enum sr_store_status sq_tx_commit_op(struct sr_store *st, struct sr_err *err)
{
    struct sq_conn *c = pthread_getspecific(SS(st)->key);
    if (!c || !c->in_tx) {
        sr_err_set(err, SR_E_STORE_ERROR, "Error while writing to the backend data store");
        sr_err_detail(err, "commit without a transaction");
        return SR_STORE_RETRY;
    }
    enum sr_store_status rs = write_tx_close(c, true, err);
    c->in_tx = false;
    return rs;
}

void sq_tx_rollback_op(struct sr_store *st)
{
    struct sq_conn *c = pthread_getspecific(SS(st)->key);
    if (!c || !c->in_tx)
        return;
    struct sr_err ignored = {0};
    write_tx_close(c, false, &ignored);
    c->in_tx = false;
}

/* ---- lifecycle ---- */

enum sr_store_status sq_ping_op(struct sr_store *st, struct sr_err *err)
{
    /* The constructor applied the migrations; what remains is whether this thread can read
     * the tables. */
    int32_t max_id = 0;
    return sq_ops.schema_max_id(st, &max_id, err);
}

void sq_free_op(struct sr_store *st)
{
    struct sq_store *ss = SS(st);
    if (!ss)
        return;
    struct sq_conn *mine = pthread_getspecific(ss->key);
    pthread_key_delete(ss->key);
    for (struct sq_conn *c = ss->conns, *n; c; c = n) {
        n = c->next;
        conn_close(c, c == mine);
        free(c);
    }
    pthread_mutex_destroy(&ss->conns_lock);
    pthread_mutex_destroy(&ss->write_lock);
    if (ss->lock_fd >= 0)
        close(ss->lock_fd); /* releases the flock */
    free(ss->path);
    free(ss->file);
    free(ss);
}

/* The absolute path of the database file with symlinks resolved (new string), so that every
 * spelling of one file finds the same lock, and SQLite never reads the name as a URI
 * ("file:...") or as ":memory:". NULL with err set when its directory does not exist. */
static char *resolve_path(const char *path, struct sr_err *err)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    /* A file still to be created: resolve its directory. */
    char *dir_copy = sr_xstrdup(path), *base_copy = sr_xstrdup(path);
    const char *dir_name = dirname(dir_copy);
    char *dir = realpath(dir_name, NULL);
    int e = errno;
    if (dir) {
        real = sr_xasprintf("%s/%s", dir, basename(base_copy));
    } else {
        sr_err_set(err, SR_E_STORE_ERROR, "cannot open the database file %s", path);
        sr_err_detail(err, "directory %s: %s", dir_name, strerror(e));
    }
    free(dir);
    free(dir_copy);
    free(base_copy);
    return real;
}

/* Takes the exclusive lock on <file>.lock that keeps a second daemon off this file. */
static bool lock_take(struct sq_store *ss, struct sr_err *err)
{
    char *lock_path = sr_xasprintf("%s.lock", ss->file);
    bool ok = false;
    ss->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (ss->lock_fd < 0) {
        int e = errno;
        sr_err_set(err, SR_E_STORE_ERROR, "cannot create the lock file %s", lock_path);
        sr_err_detail(err, "%s", strerror(e));
        goto out;
    }
    if (flock(ss->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        char pid[24] = "";
        ssize_t n = pread(ss->lock_fd, pid, sizeof(pid) - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        if (e == EWOULDBLOCK)
            sr_err_set(err, SR_E_STORE_ERROR,
                       "the database file %s is in use by another schemaregd process%s%s%s",
                       ss->path, *pid ? " (pid " : "", pid, *pid ? ")" : "");
        else
            sr_err_set(err, SR_E_STORE_ERROR, "cannot lock the database file %s", ss->path);
        sr_err_detail(err, "flock %s: %s", lock_path, strerror(e));
        close(ss->lock_fd);
        ss->lock_fd = -1;
        goto out;
    }
    /* The owner's pid, for the message a second daemon prints. */
    char pid[24];
    int len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(ss->lock_fd, 0) != 0 || pwrite(ss->lock_fd, pid, (size_t)len, 0) != len)
        sr_log_debug("cannot write the pid to %s: %s", lock_path, strerror(errno));
    ok = true;
out:
    free(lock_path);
    return ok;
}

/* ---- migrations ---- */

static int applied_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1,
                                &s, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = sqlite3_column_int(s, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

static int record_migration(sqlite3 *db, const struct sr_migration *m)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
                                -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(s, 1, m->version);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    sqlite3_finalize(s);
    return rc;
}

/* Applies the compiled-in migrations newer than the file's in one transaction: SQLite DDL
 * is transactional, so a failure leaves nothing half-applied. */
static enum sr_store_status migrate(struct sq_store *ss, struct sr_err *err)
{
    struct sq_conn *c = sq_conn_get(ss, err);
    if (!c)
        return SR_STORE_UNAVAILABLE;
    enum sr_store_status rs = write_tx_open(c, err);
    if (rs != SR_STORE_OK)
        return rs;
    size_t n = 0;
    const struct sr_migration *migs = sr_store_migrations("sqlite", &n);
    const char *failed = "schema_migrations";
    int applied = 0;
    int rc = sqlite3_exec(c->db,
                          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                          "KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
                          "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = applied_version(c->db, &applied);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        if (migs[i].version <= applied)
            continue;
        failed = migs[i].name;
        rc = sqlite3_exec(c->db, migs[i].sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = record_migration(c->db, &migs[i]);
        if (rc == SQLITE_OK)
            sr_log_info("applied migration %s to %s", migs[i].name, ss->path);
    }
    if (rc != SQLITE_OK) {
        char detail[SR_ERR_DETAIL_MAX];
        snprintf(detail, sizeof(detail), "%s: %s", failed, sqlite3_errmsg(c->db));
        rs = sq_fail(c, rc, err);
        if (rs != SR_STORE_UNAVAILABLE)
            sr_err_set(err, SR_E_STORE_ERROR, "cannot apply the migrations to %s", ss->path);
        sr_err_detail(err, "%s", detail);
        write_tx_close(c, false, err);
        return rs == SR_STORE_OK ? SR_STORE_ERROR : rs;
    }
    if (n > 0 && applied > migs[n - 1].version)
        sr_log_warn("%s has schema version %d, newer than this schemaregd knows (%d)", ss->path,
                    applied, migs[n - 1].version);
    return write_tx_close(c, true, err);
}

struct sr_store *sr_store_sqlite_new(const char *path, const struct sr_config *cfg,
                                     struct sr_err *err)
{
    if (!sqlite3_threadsafe()) {
        sr_err_set(err, SR_E_STORE_ERROR, "the SQLite library was built without thread support");
        return NULL;
    }
    if (!path || !*path) {
        sr_err_set(err, SR_E_STORE_ERROR, "no database file given for the embedded store");
        return NULL;
    }
    struct sq_store *ss = sr_xcalloc(1, sizeof(*ss));
    ss->base.ops = &sq_ops;
    ss->lock_fd = -1;
    ss->busy_timeout_ms = cfg ? cfg->db_statement_timeout_ms : SQ_DEFAULT_BUSY_TIMEOUT_MS;
    int krc = pthread_key_create(&ss->key, conn_destroy);
    if (krc != 0) {
        sr_err_set(err, SR_E_STORE_ERROR, "cannot open the embedded store");
        sr_err_detail(err, "pthread_key_create: %s", strerror(krc));
        free(ss);
        return NULL;
    }
    ss->path = sr_xstrdup(path);
    pthread_mutex_init(&ss->conns_lock, NULL);
    pthread_mutex_init(&ss->write_lock, NULL);
    bool ok = false;
    if (!(ss->file = resolve_path(path, err)) || !lock_take(ss, err))
        goto out;
    if (migrate(ss, err) != SR_STORE_OK)
        goto out;
    ok = true;
out:
    if (!ok) {
        sq_free_op(&ss->base);
        return NULL;
    }
    return &ss->base;
}
