/* SPDX-License-Identifier: Apache-2.0 */
/* Embedded store: the prepared statements and the storage operations built on them, with
 * the same observable behaviour as the PostgreSQL store (src/store/pg/pg_query.c). Subject
 * names compare bytewise (BINARY collation); core sorts listings into Confluent's order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sqlite_int.h"

#define SQ_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
#define SQ_VERSION_COLUMNS                                                                      \
    "SELECT s.name, v.version, v.schema_id, v.deleted, h.hash FROM subjects s JOIN versions v " \
    "ON v.subject_id = s.id JOIN schemas h ON h.id = v.schema_id "

const char *const sq_statement_sql[SQ_STMT_COUNT] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SCHEMA_BY_ID] =
        "SELECT id, schema_type, schema, refs, metadata, rule_set, hash FROM schemas WHERE id = ?1",
    [SQ_SCHEMA_ID_BY_HASH] = "SELECT id FROM schemas WHERE hash = ?1 AND is_owner = 1",
    [SQ_SCHEMA_ID_HASH_EQ] = "SELECT hash = ?2 FROM schemas WHERE id = ?1",
    /* The first row of a content owns its hash; an imported id for known content does not. */
    [SQ_SCHEMA_INSERT] =
        "INSERT INTO schemas (id, hash, is_owner, schema_type, schema, refs, metadata, rule_set) "
        "VALUES (?1, ?2, NOT EXISTS (SELECT 1 FROM schemas WHERE hash = ?2 AND is_owner = 1), ?3, "
        "?4, ?5, ?6, ?7)",
    [SQ_SCHEMA_ID_NEXT] = "UPDATE schema_ids SET last_value = last_value + 1 WHERE singleton = 1 "
                          "RETURNING last_value",
    [SQ_SCHEMA_ID_BUMP] =
        "UPDATE schema_ids SET last_value = max(last_value, ?1) WHERE singleton = 1",
    [SQ_SCHEMA_MAX_ID] = "SELECT coalesce(max(id), 0) FROM schemas",
    [SQ_SCHEMA_REFS] =
        "SELECT name, subject, version FROM schema_refs WHERE schema_id = ?1 ORDER BY position",
    [SQ_REF_INSERT] = "INSERT INTO schema_refs (schema_id, position, name, subject, version) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQ_SUBJECT_VERSIONS] = SQ_VERSION_COLUMNS "WHERE s.name = ?1 ORDER BY v.version",
    [SQ_SUBJECT_ENSURE] = "INSERT INTO subjects (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
    [SQ_VERSION_INSERT] = "INSERT INTO versions (subject_id, version, schema_id) SELECT id, ?2, ?3 "
                          "FROM subjects WHERE name = ?1",
    [SQ_VERSION_SET_DELETED] = "UPDATE versions SET deleted = 1 WHERE subject_id = (SELECT id "
                               "FROM subjects WHERE name = ?1) AND version = ?2",
    [SQ_VERSION_REMOVE] = "DELETE FROM versions WHERE subject_id = (SELECT id FROM subjects WHERE "
                          "name = ?1) AND version = ?2 RETURNING schema_id, subject_id",
    [SQ_SCHEMA_DROP_ORPHAN] = "DELETE FROM schemas WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM "
                              "versions WHERE schema_id = ?1)",
    [SQ_SUBJECT_DROP_EMPTY] = "DELETE FROM subjects WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM "
                              "versions WHERE subject_id = ?1)",
    [SQ_SUBJECTS_LIST] = "SELECT s.name, sum(v.deleted = 0), sum(v.deleted <> 0) FROM subjects s "
                         "JOIN versions v ON v.subject_id = s.id GROUP BY s.id ORDER BY s.name",
    /* A range on the bytes, not LIKE: '%' and '_' in a prefix are literal. ?2 is the prefix
     * with its last byte incremented (NULL for the empty prefix). */
    [SQ_VERSIONS_BY_PREFIX] = SQ_VERSION_COLUMNS "WHERE s.name >= ?1 AND (?2 IS NULL OR s.name "
                                                 "< ?2) ORDER BY s.name, v.version",
    [SQ_VERSIONS_BY_SCHEMA_ID] =
        SQ_VERSION_COLUMNS "WHERE v.schema_id = ?1 ORDER BY s.name, v.version",
    [SQ_REFERENCED_BY] = "SELECT DISTINCT schema_id FROM schema_refs WHERE subject = ?1 AND "
                         "version = ?2 ORDER BY 1",
    [SQ_CONFIG_GET] = "SELECT config FROM configs WHERE is_global = ?1 AND subject = ?2",
    [SQ_CONFIG_PUT] = "INSERT INTO configs (is_global, subject, config) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (is_global, subject) DO UPDATE SET config = excluded.config, "
                      "updated_at = " SQ_NOW,
    [SQ_CONFIG_DELETE] = "DELETE FROM configs WHERE is_global = ?1 AND subject = ?2",
    [SQ_MODE_GET] = "SELECT mode FROM modes WHERE is_global = ?1 AND subject = ?2",
    [SQ_MODE_PUT] = "INSERT INTO modes (is_global, subject, mode) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT (is_global, subject) DO UPDATE SET mode = excluded.mode, "
                    "updated_at = " SQ_NOW,
    [SQ_MODE_DELETE] = "DELETE FROM modes WHERE is_global = ?1 AND subject = ?2",
};

#define SS(st) ((struct sq_store *)(st))

/* ---- binding and stepping ---- */

/* Binders chain through *rc: after the first failure the rest do nothing, and step_row
 * reports it. Texts are bound SQLITE_STATIC: sq_done drops them before the caller's
 * strings can go away. */
static void bind_int(sqlite3_stmt *s, int i, int64_t v, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_int64(s, i, v);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

static void bind_hash(sqlite3_stmt *s, int i, const unsigned char hash[16], int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_blob(s, i, hash, 16, SQLITE_STATIC);
}

/* Steps s once (after its bindings, rc): OK with *row saying whether a row came. */
static enum sr_store_status step_row(struct sq_conn *c, sqlite3_stmt *s, int rc, bool *row,
                                     struct sr_err *err)
{
    *row = false;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(s);
        *row = rc == SQLITE_ROW;
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            return SR_STORE_OK;
    }
    return sq_fail(c, rc, err);
}

/* Runs a statement that returns no rows, then releases it; *changes (may be NULL) gets
 * the number of rows it wrote. */
static enum sr_store_status exec_stmt(struct sq_conn *c, sqlite3_stmt *s, int rc, int *changes,
                                      struct sr_err *err)
{
    bool row;
    enum sr_store_status rs = step_row(c, s, rc, &row, err);
    if (rs == SR_STORE_OK && changes)
        *changes = sqlite3_changes(c->db);
    sq_done(s);
    return rs;
}

static char *column_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? sr_xstrdup((const char *)t) : NULL;
}

static const char *column_str(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? (const char *)t : "";
}

/* The 16-byte hash in column col as hex (NULL when the column is not such a blob). */
static const char *column_hash_hex(sqlite3_stmt *s, int col, char hex[33])
{
    const void *b = sqlite3_column_blob(s, col);
    if (!b || sqlite3_column_bytes(s, col) != 16)
        return NULL;
    sr_hash_to_hex(b, hex);
    return hex;
}

/* ---- schemas ---- */

static enum sr_store_status sq_schema_by_id(struct sr_store *st, int32_t id,
                                            struct sr_schema_record *out, struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    enum sr_store_status rs = sq_prepare(SS(st), SQ_SCHEMA_BY_ID, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    int rc = SQLITE_OK;
    bool row;
    bind_int(s, 1, id, &rc);
    rs = step_row(c, s, rc, &row, err);
    if (rs == SR_STORE_OK && !row)
        rs = SR_STORE_NOT_FOUND;
    if (rs == SR_STORE_OK) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int(s, 0);
        out->schema_type = column_dup(s, 1);
        out->schema = column_dup(s, 2);
        out->references = column_dup(s, 3);
        out->metadata = column_dup(s, 4);
        out->rule_set = column_dup(s, 5);
        const void *h = sqlite3_column_blob(s, 6);
        if (h && sqlite3_column_bytes(s, 6) == 16)
            memcpy(out->hash, h, 16);
    }
    sq_done(s);
    return rs;
}

static enum sr_store_status id_by_hash(struct sq_conn *c, const unsigned char hash[16],
                                       int32_t *id_out, struct sr_err *err)
{
    sqlite3_stmt *s = sq_stmt(c, SQ_SCHEMA_ID_BY_HASH, err);
    if (!s)
        return SR_STORE_ERROR;
    int rc = SQLITE_OK;
    bool row;
    bind_hash(s, 1, hash, &rc);
    enum sr_store_status rs = step_row(c, s, rc, &row, err);
    if (rs == SR_STORE_OK && !row)
        rs = SR_STORE_NOT_FOUND;
    if (rs == SR_STORE_OK)
        *id_out = sqlite3_column_int(s, 0);
    sq_done(s);
    return rs;
}

static enum sr_store_status sq_schema_id_by_hash(struct sr_store *st, const unsigned char hash[16],
                                                 int32_t *id_out, struct sr_err *err)
{
    struct sq_conn *c = sq_conn_get(SS(st), err);
    return c ? id_by_hash(c, hash, id_out, err) : SR_STORE_UNAVAILABLE;
}

/* Writes the reference rows of a new content from its JSON array text. */
static enum sr_store_status insert_refs(struct sq_conn *c, int32_t id, const char *refs_json,
                                        struct sr_err *err)
{
    if (!refs_json)
        return SR_STORE_OK;
    json_t *arr = json_loads(refs_json, 0, NULL);
    enum sr_store_status rs = SR_STORE_OK;
    size_t i;
    json_t *ref;
    json_array_foreach(arr, i, ref)
    {
        sqlite3_stmt *s = sq_stmt(c, SQ_REF_INSERT, err);
        if (!s) {
            rs = SR_STORE_ERROR;
            break;
        }
        int rc = SQLITE_OK;
        bind_int(s, 1, id, &rc);
        bind_int(s, 2, (int64_t)i, &rc);
        bind_text(s, 3, json_string_value(json_object_get(ref, "name")), &rc);
        bind_text(s, 4, json_string_value(json_object_get(ref, "subject")), &rc);
        bind_int(s, 5, json_integer_value(json_object_get(ref, "version")), &rc);
        rs = exec_stmt(c, s, rc, NULL, err);
        if (rs != SR_STORE_OK)
            break;
    }
    json_decref(arr);
    return rs;
}

/* Inserts the content row under id (already chosen) and its references. */
static enum sr_store_status insert_row(struct sq_conn *c, int32_t id,
                                       const struct sr_schema_record *rec, struct sr_err *err)
{
    sqlite3_stmt *s = sq_stmt(c, SQ_SCHEMA_INSERT, err);
    if (!s)
        return SR_STORE_ERROR;
    int rc = SQLITE_OK;
    bind_int(s, 1, id, &rc);
    bind_hash(s, 2, rec->hash, &rc);
    bind_text(s, 3, rec->schema_type, &rc);
    bind_text(s, 4, rec->schema, &rc);
    bind_text(s, 5, rec->references, &rc);
    bind_text(s, 6, rec->metadata, &rc);
    bind_text(s, 7, rec->rule_set, &rc);
    enum sr_store_status rs = exec_stmt(c, s, rc, NULL, err);
    return rs == SR_STORE_OK ? insert_refs(c, id, rec->references, err) : rs;
}

static enum sr_store_status insert_new(struct sq_conn *c, const struct sr_schema_record *rec,
                                       int32_t *id_out, struct sr_err *err)
{
    /* Writers are serialised, so the owner found here cannot appear concurrently. */
    enum sr_store_status rs = id_by_hash(c, rec->hash, id_out, err);
    if (rs != SR_STORE_NOT_FOUND)
        return rs;
    sqlite3_stmt *s = sq_stmt(c, SQ_SCHEMA_ID_NEXT, err);
    if (!s)
        return SR_STORE_ERROR;
    bool row;
    rs = step_row(c, s, SQLITE_OK, &row, err);
    int32_t id = row ? sqlite3_column_int(s, 0) : 0;
    sq_done(s);
    if (rs != SR_STORE_OK)
        return rs;
    if (!row) {
        sr_err_set(err, SR_E_STORE_ERROR, "Error while writing to the backend data store");
        sr_err_detail(err, "the schema_ids counter row is missing");
        return SR_STORE_ERROR;
    }
    rs = insert_row(c, id, rec, err);
    if (rs == SR_STORE_OK)
        *id_out = id;
    return rs;
}

static enum sr_store_status insert_with_id(struct sq_conn *c, const struct sr_schema_record *rec,
                                           int32_t *id_out, bool *id_conflict, struct sr_err *err)
{
    sqlite3_stmt *s = sq_stmt(c, SQ_SCHEMA_ID_HASH_EQ, err);
    if (!s)
        return SR_STORE_ERROR;
    int rc = SQLITE_OK;
    bool row;
    bind_int(s, 1, rec->id, &rc);
    bind_hash(s, 2, rec->hash, &rc);
    enum sr_store_status rs = step_row(c, s, rc, &row, err);
    bool same = row && sqlite3_column_int(s, 0) != 0;
    sq_done(s);
    if (rs != SR_STORE_OK)
        return rs;
    if (row) {
        *id_conflict = !same;
        *id_out = rec->id;
        return SR_STORE_OK;
    }
    rs = insert_row(c, rec->id, rec, err);
    if (rs != SR_STORE_OK)
        return rs;
    /* New ids must continue above every imported one. */
    if (!(s = sq_stmt(c, SQ_SCHEMA_ID_BUMP, err)))
        return SR_STORE_ERROR;
    rc = SQLITE_OK;
    bind_int(s, 1, rec->id, &rc);
    rs = exec_stmt(c, s, rc, NULL, err);
    if (rs == SR_STORE_OK)
        *id_out = rec->id;
    return rs;
}

static enum sr_store_status sq_schema_insert(struct sr_store *st,
                                             const struct sr_schema_record *rec, int32_t *id_out,
                                             bool *id_conflict, struct sr_err *err)
{
    *id_conflict = false;
    struct sq_conn *c;
    enum sr_store_status rs = sq_write_begin(SS(st), &c, err);
    if (rs == SR_STORE_OK)
        rs = rec->id > 0 ? insert_with_id(c, rec, id_out, id_conflict, err)
                         : insert_new(c, rec, id_out, err);
    return sq_write_end(c, rs, err);
}

static enum sr_store_status sq_schema_max_id(struct sr_store *st, int32_t *out, struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    enum sr_store_status rs = sq_prepare(SS(st), SQ_SCHEMA_MAX_ID, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    bool row;
    rs = step_row(c, s, SQLITE_OK, &row, err);
    if (rs == SR_STORE_OK)
        *out = row ? sqlite3_column_int(s, 0) : 0;
    sq_done(s);
    return rs;
}

static enum sr_store_status sq_schema_refs(struct sr_store *st, int32_t id,
                                           struct sr_ref_record **out, size_t *n,
                                           struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    enum sr_store_status rs = sq_prepare(SS(st), SQ_SCHEMA_REFS, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    int rc = sqlite3_bind_int(s, 1, id);
    size_t len = 0, cap = 4;
    struct sr_ref_record *refs = sr_xcalloc(cap, sizeof(*refs));
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap)
            refs = sr_xrealloc(refs, (cap *= 2) * sizeof(*refs));
        refs[len].name = sr_xstrdup(column_str(s, 0));
        refs[len].subject = sr_xstrdup(column_str(s, 1));
        refs[len].version = sqlite3_column_int(s, 2);
        len++;
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
        rs = sq_fail(c, rc, err);
        sr_ref_records_free(refs, len);
    } else {
        *out = refs;
        *n = len;
    }
    sq_done(s);
    return rs;
}

/* ---- versions ---- */

/* Collects the rows of a statement selecting SQ_VERSION_COLUMNS (bindings done, rc). */
static enum sr_store_status version_rows(struct sq_conn *c, sqlite3_stmt *s, int rc,
                                         struct sr_version_list *out, struct sr_err *err)
{
    enum sr_store_status rs = SR_STORE_OK;
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        char hex[33];
        sr_version_list_push(out, column_str(s, 0), sqlite3_column_int(s, 1),
                             sqlite3_column_int(s, 2), sqlite3_column_int(s, 3) != 0,
                             column_hash_hex(s, 4, hex));
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
        rs = sq_fail(c, rc, err);
        sr_version_list_fini(out);
    }
    sq_done(s);
    return rs;
}

static enum sr_store_status sq_subject_versions(struct sr_store *st, const char *subject,
                                                struct sr_version_list *out, struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = sq_prepare(SS(st), SQ_SUBJECT_VERSIONS, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    int rc = SQLITE_OK;
    bind_text(s, 1, subject, &rc);
    return version_rows(c, s, rc, out, err);
}

static enum sr_store_status sq_version_insert(struct sr_store *st, const char *subject,
                                              int32_t version, int32_t schema_id,
                                              struct sr_err *err)
{
    struct sq_conn *c;
    enum sr_store_status rs = sq_write_begin(SS(st), &c, err);
    sqlite3_stmt *s = rs == SR_STORE_OK ? sq_stmt(c, SQ_SUBJECT_ENSURE, err) : NULL;
    if (rs == SR_STORE_OK && !s)
        rs = SR_STORE_ERROR;
    if (rs == SR_STORE_OK) {
        int rc = SQLITE_OK;
        bind_text(s, 1, subject, &rc);
        rs = exec_stmt(c, s, rc, NULL, err);
    }
    if (rs == SR_STORE_OK && !(s = sq_stmt(c, SQ_VERSION_INSERT, err)))
        rs = SR_STORE_ERROR;
    if (rs == SR_STORE_OK) {
        int rc = SQLITE_OK;
        bind_text(s, 1, subject, &rc);
        bind_int(s, 2, version, &rc);
        bind_int(s, 3, schema_id, &rc);
        rs = exec_stmt(c, s, rc, NULL, err);
    }
    return sq_write_end(c, rs, err);
}

static enum sr_store_status sq_version_set_deleted(struct sr_store *st, const char *subject,
                                                   int32_t version, struct sr_err *err)
{
    struct sq_conn *c;
    enum sr_store_status rs = sq_write_begin(SS(st), &c, err);
    sqlite3_stmt *s = rs == SR_STORE_OK ? sq_stmt(c, SQ_VERSION_SET_DELETED, err) : NULL;
    if (rs == SR_STORE_OK && !s)
        rs = SR_STORE_ERROR;
    if (rs == SR_STORE_OK) {
        int rc = SQLITE_OK, changes = 0;
        bind_text(s, 1, subject, &rc);
        bind_int(s, 2, version, &rc);
        rs = exec_stmt(c, s, rc, &changes, err);
        if (rs == SR_STORE_OK && changes == 0)
            rs = SR_STORE_NOT_FOUND;
    }
    return sq_write_end(c, rs, err);
}

/* Deletes row id through stmt (orphan schema or empty subject) when nothing uses it. */
static enum sr_store_status drop_unused(struct sq_conn *c, enum sq_stmt stmt, int64_t id,
                                        struct sr_err *err)
{
    sqlite3_stmt *s = sq_stmt(c, stmt, err);
    if (!s)
        return SR_STORE_ERROR;
    int rc = SQLITE_OK;
    bind_int(s, 1, id, &rc);
    return exec_stmt(c, s, rc, NULL, err);
}

static enum sr_store_status remove_version(struct sq_conn *c, const char *subject, int32_t version,
                                           struct sr_err *err)
{
    sqlite3_stmt *s = sq_stmt(c, SQ_VERSION_REMOVE, err);
    if (!s)
        return SR_STORE_ERROR;
    int rc = SQLITE_OK;
    bool row;
    bind_text(s, 1, subject, &rc);
    bind_int(s, 2, version, &rc);
    enum sr_store_status rs = step_row(c, s, rc, &row, err);
    int64_t schema_id = row ? sqlite3_column_int64(s, 0) : 0;
    int64_t subject_id = row ? sqlite3_column_int64(s, 1) : 0;
    /* The primary key allows one row: finish the statement so the delete is complete. */
    if (rs == SR_STORE_OK && row && (rc = sqlite3_step(s)) != SQLITE_DONE)
        rs = sq_fail(c, rc, err);
    sq_done(s);
    if (rs != SR_STORE_OK)
        return rs;
    if (!row)
        return SR_STORE_NOT_FOUND;
    rs = drop_unused(c, SQ_SCHEMA_DROP_ORPHAN, schema_id, err);
    if (rs == SR_STORE_OK)
        rs = drop_unused(c, SQ_SUBJECT_DROP_EMPTY, subject_id, err);
    return rs;
}

static enum sr_store_status sq_version_remove(struct sr_store *st, const char *subject,
                                              int32_t version, struct sr_err *err)
{
    struct sq_conn *c;
    enum sr_store_status rs = sq_write_begin(SS(st), &c, err);
    if (rs == SR_STORE_OK)
        rs = remove_version(c, subject, version, err);
    return sq_write_end(c, rs, err);
}

static enum sr_store_status sq_subjects_list(struct sr_store *st, struct sr_subject_list *out,
                                             struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = sq_prepare(SS(st), SQ_SUBJECTS_LIST, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    size_t cap = 8;
    out->items = sr_xcalloc(cap, sizeof(*out->items));
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->len == cap)
            out->items = sr_xrealloc(out->items, (cap *= 2) * sizeof(*out->items));
        struct sr_subject_record *r = &out->items[out->len++];
        r->subject = sr_xstrdup(column_str(s, 0));
        r->active = sqlite3_column_int64(s, 1);
        r->deleted = sqlite3_column_int64(s, 2);
    }
    if (rc != SQLITE_DONE) {
        rs = sq_fail(c, rc, err);
        sr_subject_list_fini(out);
    }
    sq_done(s);
    return rs;
}

static enum sr_store_status sq_versions_by_prefix(struct sr_store *st, const char *prefix,
                                                  struct sr_version_list *out, struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = sq_prepare(SS(st), SQ_VERSIONS_BY_PREFIX, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    /* Names starting with prefix are exactly those in [prefix, prefix with its last byte
     * plus one) under bytewise order. UTF-8 has no 0xff byte; a prefix ending in one (not
     * UTF-8) gets no upper bound, which is still right for every valid name. */
    size_t len = prefix ? strlen(prefix) : 0;
    char *upper = NULL;
    if (len > 0 && (unsigned char)prefix[len - 1] != 0xff) {
        upper = sr_xstrdup(prefix);
        upper[len - 1] = (char)((unsigned char)upper[len - 1] + 1);
    }
    int rc = SQLITE_OK;
    bind_text(s, 1, prefix ? prefix : "", &rc);
    bind_text(s, 2, upper, &rc);
    rs = version_rows(c, s, rc, out, err);
    free(upper);
    return rs;
}

static enum sr_store_status sq_versions_by_schema_id(struct sr_store *st, int32_t id,
                                                     struct sr_version_list *out,
                                                     struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = sq_prepare(SS(st), SQ_VERSIONS_BY_SCHEMA_ID, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    int rc = SQLITE_OK;
    bind_int(s, 1, id, &rc);
    return version_rows(c, s, rc, out, err);
}

static enum sr_store_status sq_referenced_by(struct sr_store *st, const char *subject,
                                             int32_t version, struct sr_id_list *out,
                                             struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = sq_prepare(SS(st), SQ_REFERENCED_BY, &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    int rc = SQLITE_OK;
    bind_text(s, 1, subject, &rc);
    bind_int(s, 2, version, &rc);
    size_t cap = 8;
    out->items = sr_xcalloc(cap, sizeof(*out->items));
    while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->len == cap)
            out->items = sr_xrealloc(out->items, (cap *= 2) * sizeof(*out->items));
        out->items[out->len++] = sqlite3_column_int(s, 0);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE) {
        rs = sq_fail(c, rc, err);
        sr_id_list_fini(out);
    }
    sq_done(s);
    return rs;
}

/* ---- settings ---- */

enum setting_op { SETTING_GET, SETTING_PUT, SETTING_DELETE };

static enum sq_stmt setting_stmt(enum sr_setting kind, enum setting_op op)
{
    static const enum sq_stmt stmts[2][3] = {{SQ_CONFIG_GET, SQ_CONFIG_PUT, SQ_CONFIG_DELETE},
                                             {SQ_MODE_GET, SQ_MODE_PUT, SQ_MODE_DELETE}};
    return stmts[kind == SR_SETTING_MODE][op];
}

/* Binds the row key: the global row has subject '' (as in PostgreSQL). */
static void bind_scope(sqlite3_stmt *s, enum sr_store_scope scope, const char *subject, int *rc)
{
    bind_int(s, 1, scope == SR_SCOPE_GLOBAL, rc);
    bind_text(s, 2, scope == SR_SCOPE_GLOBAL ? "" : subject, rc);
}

static enum sr_store_status sq_setting_get(struct sr_store *st, enum sr_setting kind,
                                           enum sr_store_scope scope, const char *subject,
                                           char **value_out, struct sr_err *err)
{
    struct sq_conn *c;
    sqlite3_stmt *s;
    enum sr_store_status rs = sq_prepare(SS(st), setting_stmt(kind, SETTING_GET), &c, &s, err);
    if (rs != SR_STORE_OK)
        return rs;
    int rc = SQLITE_OK;
    bool row;
    bind_scope(s, scope, subject, &rc);
    rs = step_row(c, s, rc, &row, err);
    if (rs == SR_STORE_OK && !row)
        rs = SR_STORE_NOT_FOUND;
    if (rs == SR_STORE_OK)
        *value_out = sr_xstrdup(column_str(s, 0));
    sq_done(s);
    return rs;
}

static enum sr_store_status sq_setting_put(struct sr_store *st, enum sr_setting kind,
                                           enum sr_store_scope scope, const char *subject,
                                           const char *value, struct sr_err *err)
{
    struct sq_conn *c;
    enum sr_store_status rs = sq_write_begin(SS(st), &c, err);
    sqlite3_stmt *s = rs == SR_STORE_OK ? sq_stmt(c, setting_stmt(kind, SETTING_PUT), err) : NULL;
    if (rs == SR_STORE_OK && !s)
        rs = SR_STORE_ERROR;
    if (rs == SR_STORE_OK) {
        int rc = SQLITE_OK;
        bind_scope(s, scope, subject, &rc);
        bind_text(s, 3, value, &rc);
        rs = exec_stmt(c, s, rc, NULL, err);
    }
    return sq_write_end(c, rs, err);
}

static enum sr_store_status sq_setting_delete(struct sr_store *st, enum sr_setting kind,
                                              enum sr_store_scope scope, const char *subject,
                                              struct sr_err *err)
{
    struct sq_conn *c;
    enum sr_store_status rs = sq_write_begin(SS(st), &c, err);
    sqlite3_stmt *s =
        rs == SR_STORE_OK ? sq_stmt(c, setting_stmt(kind, SETTING_DELETE), err) : NULL;
    if (rs == SR_STORE_OK && !s)
        rs = SR_STORE_ERROR;
    if (rs == SR_STORE_OK) {
        int rc = SQLITE_OK, changes = 0;
        bind_scope(s, scope, subject, &rc);
        rs = exec_stmt(c, s, rc, &changes, err);
        if (rs == SR_STORE_OK && changes == 0)
            rs = SR_STORE_NOT_FOUND;
    }
    return sq_write_end(c, rs, err);
}

static uint64_t sq_generation(struct sr_store *st)
{
    /* Never 0: 0 means "no generation" to callers. */
    return atomic_load(&((struct sq_store *)st)->generation) + 1;
}

const struct sr_store_ops sq_ops = {
    .generation = sq_generation,
    .name = "sqlite",
    .free = sq_free_op,
    .ping = sq_ping_op,
    .tx_begin = sq_tx_begin_op,
    .tx_commit = sq_tx_commit_op,
    .tx_rollback = sq_tx_rollback_op,
    .schema_by_id = sq_schema_by_id,
    .schema_id_by_hash = sq_schema_id_by_hash,
    .schema_insert = sq_schema_insert,
    .schema_max_id = sq_schema_max_id,
    .schema_refs = sq_schema_refs,
    .subject_versions = sq_subject_versions,
    .version_insert = sq_version_insert,
    .version_set_deleted = sq_version_set_deleted,
    .version_remove = sq_version_remove,
    .subjects_list = sq_subjects_list,
    .versions_by_prefix = sq_versions_by_prefix,
    .versions_by_schema_id = sq_versions_by_schema_id,
    .referenced_by = sq_referenced_by,
    .setting_get = sq_setting_get,
    .setting_put = sq_setting_put,
    .setting_delete = sq_setting_delete,
};
