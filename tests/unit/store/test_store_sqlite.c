/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the embedded store through its operation table, on a real SQLite file in a
 * temporary directory: migrations, insert-or-get and imported ids, versions with orphan
 * cleanup, listings, references, settings, transactions, the lock against a second daemon,
 * error mapping, and concurrent writers. */
#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schemaregd/store_sqlite.h"

static int failures, checks;

#define CHECK(cond, ...)                                         \
    do {                                                         \
        __atomic_add_fetch(&checks, 1, __ATOMIC_RELAXED);        \
        if (!(cond)) {                                           \
            __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);  \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
        }                                                        \
    } while (0)

/* A check the rest of the run depends on: stop at once. */
#define REQUIRE(cond, ...)             \
    do {                               \
        bool required_ = (cond);       \
        CHECK(required_, __VA_ARGS__); \
        if (!required_)                \
            exit(1);                   \
    } while (0)

#define OK(expr) CHECK((expr) == SR_STORE_OK, "%s: %s", #expr, err.message)

static char tmp_dir[] = "/tmp/sr-store-sqlite-XXXXXX";
static char db_path[sizeof(tmp_dir) + 32];

static void remove_tmp_dir(void)
{
    DIR *d = opendir(tmp_dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = sr_xasprintf("%s/%s", tmp_dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(tmp_dir);
}

static struct sr_store *open_store(int timeout_ms)
{
    struct sr_config cfg = {.db_statement_timeout_ms = timeout_ms};
    struct sr_err err = {0};
    struct sr_store *st = sr_store_sqlite_new(db_path, &cfg, &err);
    REQUIRE(st != NULL, "open %s: %s (%s)", db_path, err.message, err.detail);
    return st;
}

/* The identity hash of a made-up content. */
static void hash_of(const char *text, unsigned char out[16])
{
    struct sr_md5 m;
    sr_md5_init(&m);
    sr_md5_update(&m, text, strlen(text));
    sr_md5_final(&m, out);
}

/* Inserts content text (with optional references); returns the id, 0 on failure. */
static int32_t insert_content(struct sr_store *st, int32_t explicit_id, const char *text,
                              const char *refs, bool *conflict)
{
    struct sr_schema_record rec = {.id = explicit_id,
                                   .schema_type = (char[]){"AVRO"},
                                   .schema = (char *)(uintptr_t)text,
                                   .references = (char *)(uintptr_t)refs};
    hash_of(text, rec.hash);
    struct sr_err err = {0};
    int32_t id = 0;
    bool c = false;
    enum sr_store_status rs = st->ops->schema_insert(st, &rec, &id, &c, &err);
    CHECK(rs == SR_STORE_OK, "insert %s: %s (%s)", text, err.message, err.detail);
    if (conflict)
        *conflict = c;
    return rs == SR_STORE_OK ? id : 0;
}

static int32_t id_of(struct sr_store *st, const char *text)
{
    unsigned char h[16];
    hash_of(text, h);
    struct sr_err err = {0};
    int32_t id = 0;
    enum sr_store_status rs = st->ops->schema_id_by_hash(st, h, &id, &err);
    return rs == SR_STORE_OK ? id : rs == SR_STORE_NOT_FOUND ? 0 : -1;
}

static int64_t count_rows(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int64_t n = -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static void test_migrations(void)
{
    size_t n = 0;
    sr_store_migrations("sqlite", &n);
    REQUIRE(n >= 1, "no sqlite migrations compiled in");
    struct sr_store *st = open_store(5000);
    struct sr_err err = {0};
    CHECK(strcmp(st->ops->name, "sqlite") == 0, "name %s", st->ops->name);
    OK(st->ops->ping(st, &err));
    insert_content(st, 0, "survives reopen", NULL, NULL);
    sr_store_free(st);
    CHECK(count_rows("SELECT count(*) FROM schema_migrations") == (int64_t)n, "migrations");
    st = open_store(5000);
    OK(st->ops->ping(st, &err));
    CHECK(count_rows("SELECT count(*) FROM schema_migrations") == (int64_t)n,
          "migrations applied again on reopen");
    CHECK(id_of(st, "survives reopen") == 1, "data lost on reopen");
    sr_store_free(st);
    sqlite3 *db = NULL;
    sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *s = NULL;
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
    CHECK(sqlite3_step(s) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(s, 0), "wal") == 0,
          "journal_mode is not wal");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_schemas(struct sr_store *st)
{
    struct sr_err err = {0};
    bool conflict = true;
    int32_t a = insert_content(st, 0, "content a", NULL, &conflict);
    CHECK(a > 1 && !conflict, "a = %d", a);
    CHECK(insert_content(st, 0, "content a", NULL, NULL) == a, "insert-or-get gave a new id");
    int32_t b = insert_content(st, 0, "content b", NULL, NULL);
    CHECK(b == a + 1, "b = %d, a = %d", b, a);
    CHECK(id_of(st, "content a") == a && id_of(st, "content b") == b, "id by hash");
    CHECK(id_of(st, "never stored") == 0, "unknown hash found");

    struct sr_schema_record rec = {0};
    OK(st->ops->schema_by_id(st, a, &rec, &err));
    unsigned char h[16];
    hash_of("content a", h);
    CHECK(rec.id == a && strcmp(rec.schema, "content a") == 0 &&
              strcmp(rec.schema_type, "AVRO") == 0 && !rec.references && !rec.metadata &&
              !rec.rule_set && memcmp(rec.hash, h, 16) == 0,
          "schema_by_id content");
    sr_schema_record_fini(&rec);
    CHECK(st->ops->schema_by_id(st, 99999, &rec, &err) == SR_STORE_NOT_FOUND, "missing id");

    /* IMPORT: explicit ids. */
    CHECK(insert_content(st, 100, "imported c", NULL, &conflict) == 100 && !conflict, "import");
    CHECK(insert_content(st, 100, "imported c", NULL, &conflict) == 100 && !conflict,
          "import same id, same content");
    CHECK(insert_content(st, 100, "other d", NULL, &conflict) == 100 && conflict,
          "import same id, other content: no conflict");
    OK(st->ops->schema_by_id(st, 100, &rec, &err));
    CHECK(strcmp(rec.schema, "imported c") == 0, "conflicting import overwrote the content");
    sr_schema_record_fini(&rec);
    CHECK(id_of(st, "other d") == 0, "conflicting import wrote a row");
    int32_t e = insert_content(st, 0, "content e", NULL, NULL);
    CHECK(e == 101, "id after import = %d, want 101", e);
    /* An imported id for known content does not take over its hash; a lower imported id
     * does not move the counter down. */
    CHECK(insert_content(st, 50, "content a", NULL, &conflict) == 50 && !conflict, "import 50");
    CHECK(id_of(st, "content a") == a, "owner moved to the imported id");
    CHECK(insert_content(st, 0, "content f", NULL, NULL) == 102, "counter went down");
    int32_t max = 0;
    OK(st->ops->schema_max_id(st, &max, &err));
    CHECK(max == 102, "max id %d", max);
}

static void check_versions(struct sr_store *st, const char *subject, size_t n,
                           const int32_t *versions, const bool *deleted, int line)
{
    struct sr_err err = {0};
    struct sr_version_list vl = {0};
    enum sr_store_status rs = st->ops->subject_versions(st, subject, &vl, &err);
    CHECK(rs == SR_STORE_OK && vl.len == n, "line %d: %s has %zu versions, want %zu", line, subject,
          vl.len, n);
    for (size_t i = 0; rs == SR_STORE_OK && i < vl.len && i < n; i++) {
        CHECK(vl.items[i].version == versions[i] && vl.items[i].deleted == deleted[i] &&
                  strcmp(vl.items[i].subject, subject) == 0,
              "line %d: %s item %zu = v%d deleted %d", line, subject, i, vl.items[i].version,
              vl.items[i].deleted);
        struct sr_schema_record rec = {0};
        if (st->ops->schema_by_id(st, vl.items[i].schema_id, &rec, &err) == SR_STORE_OK)
            CHECK(memcmp(rec.hash, vl.items[i].hash, 16) == 0, "line %d: version hash", line);
        sr_schema_record_fini(&rec);
    }
    sr_version_list_fini(&vl);
}

static const struct sr_subject_record *find_subject(const struct sr_subject_list *sl,
                                                    const char *name)
{
    for (size_t i = 0; i < sl->len; i++)
        if (strcmp(sl->items[i].subject, name) == 0)
            return &sl->items[i];
    return NULL;
}

static void test_versions(struct sr_store *st)
{
    struct sr_err err = {0};
    int32_t a = id_of(st, "content a"), b = id_of(st, "content b");
    OK(st->ops->version_insert(st, "vs", 1, a, &err));
    OK(st->ops->version_insert(st, "vs", 2, b, &err));
    check_versions(st, "vs", 2, (int32_t[]){1, 2}, (bool[]){false, false}, __LINE__);
    check_versions(st, "VS", 0, NULL, NULL, __LINE__); /* binary comparison */

    /* Constraint failures: hard outside a transaction, retryable inside one. */
    CHECK(st->ops->version_insert(st, "vs", 1, b, &err) == SR_STORE_ERROR, "dup outside tx");
    CHECK(strstr(err.message, "sqlite") == NULL && strstr(err.detail, "UNIQUE") != NULL,
          "message '%s' detail '%s'", err.message, err.detail);
    OK(st->ops->tx_begin(st, "vs", &err));
    CHECK(st->ops->version_insert(st, "vs", 1, b, &err) == SR_STORE_RETRY, "dup inside tx");
    st->ops->tx_rollback(st);
    CHECK(st->ops->version_insert(st, "ghost", 1, 77777, &err) == SR_STORE_ERROR, "bad id");
    check_versions(st, "ghost", 0, NULL, NULL, __LINE__);
    CHECK(st->ops->version_insert(st, "vs", 0, a, &err) == SR_STORE_ERROR, "version 0");

    OK(st->ops->version_set_deleted(st, "vs", 1, &err));
    OK(st->ops->version_set_deleted(st, "vs", 1, &err));
    check_versions(st, "vs", 2, (int32_t[]){1, 2}, (bool[]){true, false}, __LINE__);
    CHECK(st->ops->version_set_deleted(st, "vs", 9, &err) == SR_STORE_NOT_FOUND, "set_deleted");
    CHECK(st->ops->version_set_deleted(st, "nope", 1, &err) == SR_STORE_NOT_FOUND, "nope");

    struct sr_subject_list sl = {0};
    OK(st->ops->subjects_list(st, &sl, &err));
    const struct sr_subject_record *r = find_subject(&sl, "vs");
    CHECK(r && r->active == 1 && r->deleted == 1, "vs counts");
    CHECK(!find_subject(&sl, "ghost"), "subject of a failed insert left behind");
    sr_subject_list_fini(&sl);

    /* Orphan cleanup: a content goes with its last carrier, a subject with its last
     * version, and the same content registered again gets a new id. */
    int32_t x = insert_content(st, 0, "content x", NULL, NULL);
    OK(st->ops->version_insert(st, "vs", 3, x, &err));
    OK(st->ops->version_insert(st, "carrier", 1, x, &err));
    struct sr_version_list vl = {0};
    OK(st->ops->versions_by_schema_id(st, x, &vl, &err));
    CHECK(vl.len == 2 && strcmp(vl.items[0].subject, "carrier") == 0 &&
              strcmp(vl.items[1].subject, "vs") == 0 && vl.items[1].version == 3,
          "versions_by_schema_id");
    sr_version_list_fini(&vl);
    OK(st->ops->version_remove(st, "vs", 3, &err));
    struct sr_schema_record rec = {0};
    OK(st->ops->schema_by_id(st, x, &rec, &err));
    sr_schema_record_fini(&rec);
    OK(st->ops->version_remove(st, "carrier", 1, &err));
    CHECK(st->ops->schema_by_id(st, x, &rec, &err) == SR_STORE_NOT_FOUND, "orphan kept");
    CHECK(id_of(st, "content x") == 0, "orphan hash kept");
    OK(st->ops->subjects_list(st, &sl, &err));
    CHECK(!find_subject(&sl, "carrier") && find_subject(&sl, "vs"), "empty subject kept");
    sr_subject_list_fini(&sl);
    int32_t x2 = insert_content(st, 0, "content x", NULL, NULL);
    CHECK(x2 > x, "id %d reused (was %d)", x2, x);
    CHECK(st->ops->version_remove(st, "vs", 3, &err) == SR_STORE_NOT_FOUND, "remove twice");
    CHECK(st->ops->version_remove(st, "nope", 1, &err) == SR_STORE_NOT_FOUND, "remove nope");
    OK(st->ops->versions_by_schema_id(st, x, &vl, &err));
    CHECK(vl.len == 0, "versions of a removed id");
    sr_version_list_fini(&vl);
}

static void test_prefix(struct sr_store *st)
{
    struct sr_err err = {0};
    static const char *const names[] = {"p%x", "p_y", "pz", "p%", "q", "p\xc3\xa9", "p"};
    int32_t id = insert_content(st, 0, "prefix content", NULL, NULL);
    for (size_t i = 0; i < SR_ARRAY_LEN(names); i++) {
        OK(st->ops->version_insert(st, names[i], 2, id, &err));
        OK(st->ops->version_insert(st, names[i], 1, id, &err));
    }
    static const struct {
        const char *prefix;
        const char *want; /* subject:version list, in order */
    } cases[] = {
        {"p%", "p%:1 p%:2 p%x:1 p%x:2"},
        {"p_", "p_y:1 p_y:2"},
        {"p\xc3", "p\xc3\xa9:1 p\xc3\xa9:2"},
        {"p", "p:1 p:2 p%:1 p%:2 p%x:1 p%x:2 p_y:1 p_y:2 pz:1 pz:2 p\xc3\xa9:1 p\xc3\xa9:2"},
        {"q", "q:1 q:2"},
        {"r", ""},
        {"%", ""},
    };
    for (size_t i = 0; i < SR_ARRAY_LEN(cases); i++) {
        struct sr_version_list vl = {0};
        OK(st->ops->versions_by_prefix(st, cases[i].prefix, &vl, &err));
        struct sr_buf b;
        sr_buf_init(&b, 0);
        for (size_t k = 0; k < vl.len; k++)
            sr_buf_printf(&b, "%s%s:%d", k ? " " : "", vl.items[k].subject, vl.items[k].version);
        const char *got = b.len ? b.data : "";
        CHECK(strcmp(got, cases[i].want) == 0, "prefix '%s': '%s'", cases[i].prefix, got);
        sr_buf_fini(&b);
        sr_version_list_fini(&vl);
    }
    struct sr_version_list all = {0};
    OK(st->ops->versions_by_prefix(st, "", &all, &err));
    size_t n = all.len;
    sr_version_list_fini(&all);
    struct sr_subject_list sl = {0};
    OK(st->ops->subjects_list(st, &sl, &err));
    int64_t total = 0;
    for (size_t i = 0; i < sl.len; i++)
        total += sl.items[i].active + sl.items[i].deleted;
    CHECK(total == (int64_t)n, "empty prefix: %zu rows, %lld versions", n, (long long)total);
    sr_subject_list_fini(&sl);
}

static void test_references(struct sr_store *st)
{
    struct sr_err err = {0};
    int32_t r1 = insert_content(st, 0, "refers s1",
                                "[{\"name\":\"n\",\"subject\":\"s\",\"version\":1}]", NULL);
    int32_t r2 = insert_content(st, 0, "refers s1 t2",
                                "[{\"name\":\"m\",\"subject\":\"t\",\"version\":2},"
                                "{\"name\":\"n\",\"subject\":\"s\",\"version\":1}]",
                                NULL);
    struct sr_id_list ids = {0};
    OK(st->ops->referenced_by(st, "s", 1, &ids, &err));
    CHECK(ids.len == 2 && ids.items[0] == r1 && ids.items[1] == r2, "referenced_by s/1");
    sr_id_list_fini(&ids);
    OK(st->ops->referenced_by(st, "t", 2, &ids, &err));
    CHECK(ids.len == 1 && ids.items[0] == r2, "referenced_by t/2");
    sr_id_list_fini(&ids);
    OK(st->ops->referenced_by(st, "s", 2, &ids, &err));
    CHECK(ids.len == 0, "referenced_by s/2");
    sr_id_list_fini(&ids);

    struct sr_ref_record *refs = NULL;
    size_t n = 0;
    OK(st->ops->schema_refs(st, r2, &refs, &n, &err));
    CHECK(n == 2 && strcmp(refs[0].name, "m") == 0 && strcmp(refs[0].subject, "t") == 0 &&
              refs[0].version == 2 && strcmp(refs[1].name, "n") == 0,
          "schema_refs order");
    sr_ref_records_free(refs, n);
    struct sr_schema_record rec = {0};
    OK(st->ops->schema_by_id(st, r1, &rec, &err));
    CHECK(rec.references && strstr(rec.references, "\"subject\":\"s\""), "refs text");
    sr_schema_record_fini(&rec);

    /* References go with their content. */
    OK(st->ops->version_insert(st, "refs", 1, r1, &err));
    OK(st->ops->version_remove(st, "refs", 1, &err));
    OK(st->ops->referenced_by(st, "s", 1, &ids, &err));
    CHECK(ids.len == 1 && ids.items[0] == r2, "refs of a removed content kept");
    sr_id_list_fini(&ids);
    OK(st->ops->schema_refs(st, r1, &refs, &n, &err));
    CHECK(n == 0, "schema_refs of a removed content");
    sr_ref_records_free(refs, n);
}

static void test_settings(struct sr_store *st)
{
    struct sr_err err = {0};
    static const enum sr_setting kinds[] = {SR_SETTING_CONFIG, SR_SETTING_MODE};
    for (size_t k = 0; k < SR_ARRAY_LEN(kinds); k++) {
        enum sr_setting kind = kinds[k];
        char *v = NULL;
        CHECK(st->ops->setting_get(st, kind, SR_SCOPE_GLOBAL, NULL, &v, &err) == SR_STORE_NOT_FOUND,
              "global unset");
        OK(st->ops->setting_put(st, kind, SR_SCOPE_GLOBAL, NULL, "g1", &err));
        OK(st->ops->setting_put(st, kind, SR_SCOPE_GLOBAL, NULL, "g2", &err));
        OK(st->ops->setting_get(st, kind, SR_SCOPE_GLOBAL, NULL, &v, &err));
        CHECK(v && strcmp(v, "g2") == 0, "global value %s", v ? v : "(null)");
        free(v);
        v = NULL;
        /* A subject named "" is not the global row. */
        CHECK(st->ops->setting_get(st, kind, SR_SCOPE_SUBJECT, "", &v, &err) == SR_STORE_NOT_FOUND,
              "subject '' is global");
        CHECK(st->ops->setting_get(st, kind, SR_SCOPE_SUBJECT, "s1", &v, &err) ==
                  SR_STORE_NOT_FOUND,
              "subject unset");
        OK(st->ops->setting_put(st, kind, SR_SCOPE_SUBJECT, "s1", "{\"x\":1}", &err));
        OK(st->ops->setting_get(st, kind, SR_SCOPE_SUBJECT, "s1", &v, &err));
        CHECK(v && strcmp(v, "{\"x\":1}") == 0, "subject value");
        free(v);
        v = NULL;
        OK(st->ops->setting_get(st, kind, SR_SCOPE_GLOBAL, NULL, &v, &err));
        CHECK(v && strcmp(v, "g2") == 0, "global changed by subject put");
        free(v);
        OK(st->ops->setting_delete(st, kind, SR_SCOPE_SUBJECT, "s1", &err));
        CHECK(st->ops->setting_delete(st, kind, SR_SCOPE_SUBJECT, "s1", &err) == SR_STORE_NOT_FOUND,
              "delete twice");
        OK(st->ops->setting_delete(st, kind, SR_SCOPE_GLOBAL, NULL, &err));
        CHECK(st->ops->setting_delete(st, kind, SR_SCOPE_GLOBAL, NULL, &err) == SR_STORE_NOT_FOUND,
              "global delete twice");
    }
    /* Config and mode are separate rows. */
    OK(st->ops->setting_put(st, SR_SETTING_MODE, SR_SCOPE_SUBJECT, "both", "IMPORT", &err));
    char *v = NULL;
    CHECK(st->ops->setting_get(st, SR_SETTING_CONFIG, SR_SCOPE_SUBJECT, "both", &v, &err) ==
              SR_STORE_NOT_FOUND,
          "mode visible as config");
    OK(st->ops->setting_delete(st, SR_SETTING_MODE, SR_SCOPE_SUBJECT, "both", &err));
}

static void test_transactions(struct sr_store *st)
{
    struct sr_err err = {0};
    OK(st->ops->tx_begin(st, "rb", &err));
    int32_t id = insert_content(st, 0, "rolled back", NULL, NULL);
    OK(st->ops->version_insert(st, "rb", 1, id, &err));
    OK(st->ops->setting_put(st, SR_SETTING_MODE, SR_SCOPE_SUBJECT, "rb", "READONLY", &err));
    check_versions(st, "rb", 1, (int32_t[]){1}, (bool[]){false}, __LINE__);
    st->ops->tx_rollback(st);
    check_versions(st, "rb", 0, NULL, NULL, __LINE__);
    CHECK(id_of(st, "rolled back") == 0, "content survived rollback");
    char *v = NULL;
    CHECK(st->ops->setting_get(st, SR_SETTING_MODE, SR_SCOPE_SUBJECT, "rb", &v, &err) ==
              SR_STORE_NOT_FOUND,
          "setting survived rollback");
    st->ops->tx_rollback(st); /* without a transaction: harmless */

    /* The global lock (NULL subject) and commit. */
    OK(st->ops->tx_begin(st, NULL, &err));
    id = insert_content(st, 0, "committed", NULL, NULL);
    OK(st->ops->version_insert(st, "cm", 1, id, &err));
    OK(st->ops->tx_commit(st, &err));
    check_versions(st, "cm", 1, (int32_t[]){1}, (bool[]){false}, __LINE__);
    CHECK(st->ops->tx_commit(st, &err) == SR_STORE_RETRY, "commit without a transaction");

    /* A transaction left open is discarded by the next begin. */
    OK(st->ops->tx_begin(st, "left", &err));
    insert_content(st, 0, "left open", NULL, NULL);
    OK(st->ops->tx_begin(st, "left", &err));
    OK(st->ops->tx_commit(st, &err));
    CHECK(id_of(st, "left open") == 0, "a transaction left open was committed");
}

static void test_second_open(struct sr_store *st)
{
    struct sr_config cfg = {.db_statement_timeout_ms = 1000};
    struct sr_err err = {0};
    struct sr_store *two = sr_store_sqlite_new(db_path, &cfg, &err);
    CHECK(two == NULL, "second open succeeded");
    CHECK(strstr(err.message, "in use by another schemaregd process") != NULL, "message: %s",
          err.message);
    sr_store_free(two);
    char *link = sr_xasprintf("%s/link.db", tmp_dir);
    CHECK(symlink(db_path, link) == 0, "symlink");
    two = sr_store_sqlite_new(link, &cfg, &err);
    CHECK(two == NULL, "second open through a symlink succeeded");
    sr_store_free(two);
    free(link);
    OK(st->ops->ping(st, &err));
}

/* Paths are file names, never SQLite URIs; a missing directory is a clear error. */
static void test_paths(void)
{
    struct sr_config cfg = {.db_statement_timeout_ms = 1000};
    struct sr_err err = {0};
    char *missing = sr_xasprintf("%s/no/such/dir/x.db", tmp_dir);
    struct sr_store *st = sr_store_sqlite_new(missing, &cfg, &err);
    CHECK(st == NULL && strstr(err.message, missing) != NULL, "missing dir: %s", err.message);
    free(missing);
    char *cwd = getcwd(NULL, 0);
    REQUIRE(cwd && chdir(tmp_dir) == 0, "chdir");
    st = sr_store_sqlite_new("file:uri.db?mode=memory", &cfg, &err);
    CHECK(st != NULL, "relative file: path: %s (%s)", err.message, err.detail);
    sr_store_free(st);
    CHECK(access("file:uri.db?mode=memory", F_OK) == 0, "file: path read as a URI");
    REQUIRE(chdir(cwd) == 0, "chdir back");
    free(cwd);
}

/* SQLite's own lock held by someone else (not a schemaregd: no lock file) is a timeout. */
static void test_busy(struct sr_store *st)
{
    sqlite3 *db = NULL;
    REQUIRE(sqlite3_open(db_path, &db) == SQLITE_OK, "raw open");
    REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK, "raw lock");
    struct sr_err err = {0};
    int64_t t0 = sr_now_ms();
    enum sr_store_status rs = st->ops->tx_begin(st, "busy", &err);
    CHECK(rs == SR_STORE_UNAVAILABLE && err.code == SR_E_OPERATION_TIMEOUT &&
              strcmp(err.message, "Operation timed out in the backend data store") == 0,
          "busy begin: %s / %s", sr_store_status_name(rs), err.message);
    CHECK(strstr(err.detail, "locked") != NULL, "detail: %s", err.detail);
    CHECK(sr_now_ms() - t0 >= 150, "busy timeout not waited");
    rs = st->ops->setting_put(st, SR_SETTING_MODE, SR_SCOPE_GLOBAL, NULL, "READONLY", &err);
    CHECK(rs == SR_STORE_UNAVAILABLE, "busy write: %s", sr_store_status_name(rs));
    /* Readers are not blocked by a writer under WAL. */
    struct sr_version_list vl = {0};
    OK(st->ops->subject_versions(st, "vs", &vl, &err));
    CHECK(vl.len > 0, "read under a writer");
    sr_version_list_fini(&vl);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    OK(st->ops->tx_begin(st, "busy", &err));
    st->ops->tx_rollback(st);
}

#define THREADS 8
#define PER_THREAD 25

struct worker {
    struct sr_store *st;
    int index;
    int32_t shared_id;
    int failures;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct sr_store *st = w->st;
    char subject[32];
    snprintf(subject, sizeof(subject), "thr-%d", w->index);
    for (int i = 0; i < PER_THREAD; i++) {
        struct sr_err err = {0};
        char text[64];
        snprintf(text, sizeof(text), "thread %d schema %d", w->index, i);
        enum sr_store_status rs;
        for (int attempt = 0;; attempt++) {
            rs = st->ops->tx_begin(st, subject, &err);
            if (rs == SR_STORE_OK) {
                int32_t id = insert_content(st, 0, text, NULL, NULL);
                rs =
                    id > 0 ? st->ops->version_insert(st, subject, i + 1, id, &err) : SR_STORE_ERROR;
                if (rs == SR_STORE_OK)
                    rs = st->ops->tx_commit(st, &err);
                else
                    st->ops->tx_rollback(st);
            }
            if (rs != SR_STORE_RETRY || attempt > 3)
                break;
        }
        CHECK(rs == SR_STORE_OK, "thread %d: %s: %s (%s)", w->index, sr_store_status_name(rs),
              err.message, err.detail);
        /* Readers alongside the writers. */
        struct sr_subject_list sl = {0};
        CHECK(st->ops->subjects_list(st, &sl, &err) == SR_STORE_OK, "list: %s", err.message);
        sr_subject_list_fini(&sl);
    }
    w->shared_id = insert_content(st, 0, "shared by all threads", NULL, NULL);
    return NULL;
}

static void test_concurrency(struct sr_store *st)
{
    struct worker w[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.st = st, .index = i};
        REQUIRE(pthread_create(&t[i], NULL, worker_main, &w[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 1; i < THREADS; i++)
        CHECK(w[i].shared_id == w[0].shared_id && w[0].shared_id > 0,
              "shared content got ids %d and %d", w[i].shared_id, w[0].shared_id);

    struct sr_err err = {0};
    struct sr_subject_list sl = {0};
    OK(st->ops->subjects_list(st, &sl, &err));
    for (int i = 0; i < THREADS; i++) {
        char subject[32];
        snprintf(subject, sizeof(subject), "thr-%d", i);
        const struct sr_subject_record *r = find_subject(&sl, subject);
        CHECK(r && r->active == PER_THREAD && r->deleted == 0, "%s counts", subject);
    }
    sr_subject_list_fini(&sl);
    struct sr_version_list vl = {0};
    OK(st->ops->versions_by_prefix(st, "thr-", &vl, &err));
    CHECK(vl.len == THREADS * PER_THREAD, "%zu versions", vl.len);
    bool unique = true;
    for (size_t i = 0; i < vl.len; i++)
        for (size_t k = i + 1; k < vl.len; k++)
            unique = unique && vl.items[i].schema_id != vl.items[k].schema_id;
    CHECK(unique, "schema ids handed out twice");
    sr_version_list_fini(&vl);
}

int main(void)
{
    REQUIRE(mkdtemp(tmp_dir) != NULL, "mkdtemp");
    atexit(remove_tmp_dir);
    snprintf(db_path, sizeof(db_path), "%s/schemaregd.db", tmp_dir);

    test_migrations();
    test_paths();
    struct sr_store *st = open_store(5000);
    test_schemas(st);
    test_versions(st);
    test_prefix(st);
    test_references(st);
    test_settings(st);
    test_transactions(st);
    test_second_open(st);
    test_concurrency(st);
    sr_store_free(st);

    /* Free released the lock: the file opens again, with its data. */
    st = open_store(200);
    CHECK(id_of(st, "content a") > 0, "data after reopen");
    test_busy(st);
    sr_store_free(st);

    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
