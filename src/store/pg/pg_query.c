/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL store: the prepared statements and the storage operations built on them.
 * Every statement is schema-qualified (@S@), so a connection pooler that ignores
 * search_path cannot make it touch the wrong tables. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pg_int.h"
#include "schemaregd/log.h"

const char *const pg_statement_sql[PG_STMT_COUNT] = {
    [PG_LOCK_SUBJECT] =
        "SELECT pg_advisory_xact_lock_shared(hashtextextended('schemaregd-global:' || $1, 0)), "
        "pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))",
    [PG_LOCK_GLOBAL] =
        "SELECT pg_advisory_xact_lock(hashtextextended('schemaregd-global:' || $1, 0))",
    [PG_SCHEMA_BY_ID] = "SELECT id, schema_type, schema, refs, metadata, rule_set, "
                        "encode(hash, 'hex') FROM @S@.schemas WHERE id = $1",
    [PG_SCHEMA_ID_BY_HASH] =
        "SELECT id FROM @S@.schemas WHERE hash = decode($1, 'hex') AND is_owner",
    [PG_SCHEMA_INSERT_NEW] =
        "INSERT INTO @S@.schemas (id, hash, is_owner, schema_type, schema, refs, metadata, "
        "rule_set) VALUES (nextval('@S@.schema_ids'), decode($1, 'hex'), true, $2, $3, $4, $5, "
        "$6) ON CONFLICT (hash) WHERE is_owner DO NOTHING RETURNING id",
    [PG_SCHEMA_ID_HASH_EQ] = "SELECT hash = decode($2, 'hex') FROM @S@.schemas WHERE id = $1",
    [PG_SCHEMA_INSERT_WITH_ID] =
        "INSERT INTO @S@.schemas (id, hash, is_owner, schema_type, schema, refs, metadata, "
        "rule_set) VALUES ($1, decode($2, 'hex'), NOT EXISTS (SELECT 1 FROM @S@.schemas WHERE "
        "hash = decode($2, 'hex') AND is_owner), $3, $4, $5, $6, $7)",
    [PG_SCHEMA_BUMP_SEQ] =
        "SELECT setval('@S@.schema_ids', greatest($1::bigint, (SELECT last_value FROM "
        "@S@.schema_ids)))",
    [PG_SCHEMA_MAX_ID] = "SELECT coalesce(max(id), 0) FROM @S@.schemas",
    [PG_SCHEMA_REFS] = "SELECT name, subject, version FROM @S@.schema_refs WHERE schema_id = $1 "
                       "ORDER BY position",
    [PG_REF_INSERT] = "INSERT INTO @S@.schema_refs (schema_id, position, name, subject, version) "
                      "VALUES ($1, $2, $3, $4, $5)",
    [PG_SUBJECT_VERSIONS] =
        "SELECT v.version, v.schema_id, v.deleted, encode(h.hash, 'hex') FROM @S@.versions v "
        "JOIN @S@.subjects s ON s.id = v.subject_id JOIN @S@.schemas h ON h.id = v.schema_id "
        "WHERE s.name = $1 ORDER BY v.version",
    [PG_SUBJECT_ENSURE] =
        "INSERT INTO @S@.subjects (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
    [PG_VERSION_INSERT] =
        "INSERT INTO @S@.versions (subject_id, version, schema_id) SELECT id, $2, $3 FROM "
        "@S@.subjects WHERE name = $1",
    [PG_VERSION_SET_DELETED] =
        "UPDATE @S@.versions v SET deleted = true FROM @S@.subjects s WHERE s.id = v.subject_id "
        "AND s.name = $1 AND v.version = $2",
    [PG_VERSION_REMOVE] =
        "DELETE FROM @S@.versions v USING @S@.subjects s WHERE s.id = v.subject_id AND s.name = "
        "$1 AND v.version = $2 RETURNING v.schema_id, v.subject_id",
    [PG_SCHEMA_DROP_ORPHAN] =
        "DELETE FROM @S@.schemas WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM @S@.versions "
        "WHERE schema_id = $1)",
    [PG_SUBJECT_DROP_EMPTY] =
        "DELETE FROM @S@.subjects WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM @S@.versions "
        "WHERE subject_id = $1)",
    [PG_SUBJECTS_LIST] =
        "SELECT s.name, count(*) FILTER (WHERE NOT v.deleted), count(*) FILTER (WHERE "
        "v.deleted) FROM @S@.subjects s JOIN @S@.versions v ON v.subject_id = s.id GROUP BY "
        "s.name",
    [PG_VERSIONS_BY_PREFIX] =
        "SELECT s.name, v.version, v.schema_id, v.deleted, encode(h.hash, 'hex') FROM "
        "@S@.subjects s JOIN @S@.versions v ON v.subject_id = s.id JOIN @S@.schemas h ON h.id = "
        "v.schema_id WHERE starts_with(s.name, $1) ORDER BY s.name, v.version",
    [PG_VERSIONS_BY_SCHEMA_ID] =
        "SELECT s.name, v.version, v.schema_id, v.deleted, encode(h.hash, 'hex') FROM "
        "@S@.versions v JOIN @S@.subjects s ON s.id = v.subject_id JOIN @S@.schemas h ON h.id = "
        "v.schema_id WHERE v.schema_id = $1",
    [PG_REFERENCED_BY] = "SELECT DISTINCT schema_id FROM @S@.schema_refs WHERE subject = $1 AND "
                         "version = $2 ORDER BY 1",
    [PG_CONFIG_GET] = "SELECT config FROM @S@.configs WHERE is_global = $1 AND subject = $2",
    [PG_CONFIG_PUT] = "INSERT INTO @S@.configs (is_global, subject, config) VALUES ($1, $2, $3) "
                      "ON CONFLICT (is_global, subject) DO UPDATE SET config = EXCLUDED.config, "
                      "updated_at = now()",
    [PG_CONFIG_DELETE] = "DELETE FROM @S@.configs WHERE is_global = $1 AND subject = $2",
    [PG_MODE_GET] = "SELECT mode FROM @S@.modes WHERE is_global = $1 AND subject = $2",
    [PG_MODE_PUT] = "INSERT INTO @S@.modes (is_global, subject, mode) VALUES ($1, $2, $3) "
                    "ON CONFLICT (is_global, subject) DO UPDATE SET mode = EXCLUDED.mode, "
                    "updated_at = now()",
    [PG_MODE_DELETE] = "DELETE FROM @S@.modes WHERE is_global = $1 AND subject = $2",
};

#define PS(st) ((struct pg_store *)(st))

static char *dup_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : sr_xstrdup(PQgetvalue(r, row, col));
}

static enum sr_store_status pg_schema_by_id(struct sr_store *st, int32_t id,
                                            struct sr_schema_record *out, struct sr_err *err)
{
    char ids[16];
    snprintf(ids, sizeof(ids), "%d", id);
    const char *p[1] = {ids};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_SCHEMA_BY_ID, 1, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return SR_STORE_NOT_FOUND;
    }
    memset(out, 0, sizeof(*out));
    out->id = atoi(PQgetvalue(r, 0, 0));
    out->schema_type = dup_or_null(r, 0, 1);
    out->schema = dup_or_null(r, 0, 2);
    out->references = dup_or_null(r, 0, 3);
    out->metadata = dup_or_null(r, 0, 4);
    out->rule_set = dup_or_null(r, 0, 5);
    sr_hash_from_hex(PQgetvalue(r, 0, 6), out->hash);
    PQclear(r);
    return SR_STORE_OK;
}

static enum sr_store_status pg_schema_id_by_hash(struct sr_store *st, const unsigned char hash[16],
                                                 int32_t *id_out, struct sr_err *err)
{
    char hex[33];
    sr_hash_to_hex(hash, hex);
    const char *p[1] = {hex};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_SCHEMA_ID_BY_HASH, 1, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    rs = PQntuples(r) ? SR_STORE_OK : SR_STORE_NOT_FOUND;
    if (rs == SR_STORE_OK)
        *id_out = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return rs;
}

/* Writes the reference rows of a new content from its JSON array text. */
static enum sr_store_status insert_refs(struct sr_store *st, int32_t id, const char *refs_json,
                                        struct sr_err *err)
{
    if (!refs_json)
        return SR_STORE_OK;
    json_t *arr = json_loads(refs_json, 0, NULL);
    enum sr_store_status rs = SR_STORE_OK;
    size_t i;
    json_t *ref;
    char ids[16];
    snprintf(ids, sizeof(ids), "%d", id);
    json_array_foreach(arr, i, ref)
    {
        char pos[24], ver[24];
        snprintf(pos, sizeof(pos), "%zu", i);
        snprintf(ver, sizeof(ver), "%lld",
                 (long long)json_integer_value(json_object_get(ref, "version")));
        const char *p[5] = {ids, pos, json_string_value(json_object_get(ref, "name")),
                            json_string_value(json_object_get(ref, "subject")), ver};
        PGresult *r;
        rs = pg_exec(PS(st), PG_REF_INSERT, 5, p, NULL, NULL, &r, err);
        PQclear(r);
        if (rs != SR_STORE_OK)
            break;
    }
    json_decref(arr);
    return rs;
}

static enum sr_store_status insert_with_id(struct sr_store *st, const struct sr_schema_record *rec,
                                           const char *hex, int32_t *id_out, bool *id_conflict,
                                           struct sr_err *err)
{
    char ids[16];
    snprintf(ids, sizeof(ids), "%d", rec->id);
    const char *pe[2] = {ids, hex};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_SCHEMA_ID_HASH_EQ, 2, pe, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    if (PQntuples(r) > 0) {
        *id_conflict = strcmp(PQgetvalue(r, 0, 0), "t") != 0;
        *id_out = rec->id;
        PQclear(r);
        return SR_STORE_OK;
    }
    PQclear(r);
    const char *pi[7] = {
        ids, hex, rec->schema_type, rec->schema, rec->references, rec->metadata, rec->rule_set};
    rs = pg_exec(PS(st), PG_SCHEMA_INSERT_WITH_ID, 7, pi, NULL, NULL, &r, err);
    PQclear(r);
    if (rs != SR_STORE_OK)
        return rs;
    /* New ids must continue above every imported one. */
    rs = pg_exec(PS(st), PG_SCHEMA_BUMP_SEQ, 1, pe, NULL, NULL, &r, err);
    PQclear(r);
    if (rs != SR_STORE_OK)
        return rs;
    *id_out = rec->id;
    return insert_refs(st, rec->id, rec->references, err);
}

static enum sr_store_status pg_schema_insert(struct sr_store *st,
                                             const struct sr_schema_record *rec, int32_t *id_out,
                                             bool *id_conflict, struct sr_err *err)
{
    char hex[33];
    sr_hash_to_hex(rec->hash, hex);
    *id_conflict = false;
    if (rec->id > 0)
        return insert_with_id(st, rec, hex, id_out, id_conflict, err);
    const char *p[6] = {hex,           rec->schema_type, rec->schema, rec->references,
                        rec->metadata, rec->rule_set};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_SCHEMA_INSERT_NEW, 6, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    if (PQntuples(r) == 1) {
        *id_out = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
        return insert_refs(st, *id_out, rec->references, err);
    }
    PQclear(r);
    /* Another transaction owns this content (it committed while we waited on the unique
     * index): converge on its id. */
    rs = pg_schema_id_by_hash(st, rec->hash, id_out, err);
    if (rs == SR_STORE_NOT_FOUND) {
        sr_err_set(err, SR_E_STORE_ERROR, "Error while writing to the backend data store");
        return SR_STORE_RETRY;
    }
    return rs;
}

static enum sr_store_status single_int(struct sr_store *st, enum pg_stmt stmt, int32_t *out,
                                       struct sr_err *err)
{
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), stmt, 0, NULL, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    *out = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    return SR_STORE_OK;
}

static enum sr_store_status pg_schema_max_id(struct sr_store *st, int32_t *out, struct sr_err *err)
{
    return single_int(st, PG_SCHEMA_MAX_ID, out, err);
}

static enum sr_store_status pg_schema_refs(struct sr_store *st, int32_t id,
                                           struct sr_ref_record **out, size_t *n,
                                           struct sr_err *err)
{
    char ids[16];
    snprintf(ids, sizeof(ids), "%d", id);
    const char *p[1] = {ids};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_SCHEMA_REFS, 1, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    *n = (size_t)PQntuples(r);
    *out = sr_xcalloc(*n ? *n : 1, sizeof(**out));
    for (size_t i = 0; i < *n; i++) {
        (*out)[i].name = sr_xstrdup(PQgetvalue(r, (int)i, 0));
        (*out)[i].subject = sr_xstrdup(PQgetvalue(r, (int)i, 1));
        (*out)[i].version = atoi(PQgetvalue(r, (int)i, 2));
    }
    PQclear(r);
    return SR_STORE_OK;
}

static enum sr_store_status pg_subject_versions(struct sr_store *st, const char *subject,
                                                struct sr_version_list *out, struct sr_err *err)
{
    const char *p[1] = {subject};
    PGresult *r;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = pg_exec(PS(st), PG_SUBJECT_VERSIONS, 1, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    for (int i = 0; i < PQntuples(r); i++)
        sr_version_list_push(out, subject, atoi(PQgetvalue(r, i, 0)), atoi(PQgetvalue(r, i, 1)),
                             PQgetvalue(r, i, 2)[0] == 't', PQgetvalue(r, i, 3));
    PQclear(r);
    return SR_STORE_OK;
}

static enum sr_store_status pg_version_insert(struct sr_store *st, const char *subject,
                                              int32_t version, int32_t schema_id,
                                              struct sr_err *err)
{
    char vs[16], ids[16];
    snprintf(vs, sizeof(vs), "%d", version);
    snprintf(ids, sizeof(ids), "%d", schema_id);
    const char *p[3] = {subject, vs, ids};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_SUBJECT_ENSURE, 1, p, NULL, NULL, &r, err);
    PQclear(r);
    if (rs != SR_STORE_OK)
        return rs;
    rs = pg_exec(PS(st), PG_VERSION_INSERT, 3, p, NULL, NULL, &r, err);
    PQclear(r);
    return rs;
}

static enum sr_store_status pg_version_set_deleted(struct sr_store *st, const char *subject,
                                                   int32_t version, struct sr_err *err)
{
    char vs[16];
    snprintf(vs, sizeof(vs), "%d", version);
    const char *p[2] = {subject, vs};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_VERSION_SET_DELETED, 2, p, NULL, NULL, &r, err);
    if (rs == SR_STORE_OK && strcmp(PQcmdTuples(r), "0") == 0)
        rs = SR_STORE_NOT_FOUND;
    PQclear(r);
    return rs;
}

static enum sr_store_status pg_version_remove(struct sr_store *st, const char *subject,
                                              int32_t version, struct sr_err *err)
{
    char vs[16];
    snprintf(vs, sizeof(vs), "%d", version);
    const char *p[2] = {subject, vs};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), PG_VERSION_REMOVE, 2, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return SR_STORE_NOT_FOUND;
    }
    char *schema_id = sr_xstrdup(PQgetvalue(r, 0, 0));
    char *subject_id = sr_xstrdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    const char *ps[1] = {schema_id};
    rs = pg_exec(PS(st), PG_SCHEMA_DROP_ORPHAN, 1, ps, NULL, NULL, &r, err);
    PQclear(r);
    if (rs == SR_STORE_OK) {
        const char *pj[1] = {subject_id};
        rs = pg_exec(PS(st), PG_SUBJECT_DROP_EMPTY, 1, pj, NULL, NULL, &r, err);
        PQclear(r);
    }
    free(schema_id);
    free(subject_id);
    return rs;
}

static enum sr_store_status pg_subjects_list(struct sr_store *st, struct sr_subject_list *out,
                                             struct sr_err *err)
{
    PGresult *r;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = pg_exec(PS(st), PG_SUBJECTS_LIST, 0, NULL, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    out->len = (size_t)PQntuples(r);
    out->items = sr_xcalloc(out->len ? out->len : 1, sizeof(*out->items));
    for (size_t i = 0; i < out->len; i++) {
        out->items[i].subject = sr_xstrdup(PQgetvalue(r, (int)i, 0));
        out->items[i].active = atoll(PQgetvalue(r, (int)i, 1));
        out->items[i].deleted = atoll(PQgetvalue(r, (int)i, 2));
    }
    PQclear(r);
    return SR_STORE_OK;
}

static enum sr_store_status version_rows(struct sr_store *st, enum pg_stmt stmt, const char *param,
                                         struct sr_version_list *out, struct sr_err *err)
{
    const char *p[1] = {param};
    PGresult *r;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = pg_exec(PS(st), stmt, 1, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    for (int i = 0; i < PQntuples(r); i++)
        sr_version_list_push(out, PQgetvalue(r, i, 0), atoi(PQgetvalue(r, i, 1)),
                             atoi(PQgetvalue(r, i, 2)), PQgetvalue(r, i, 3)[0] == 't',
                             PQgetvalue(r, i, 4));
    PQclear(r);
    return SR_STORE_OK;
}

static enum sr_store_status pg_versions_by_prefix(struct sr_store *st, const char *prefix,
                                                  struct sr_version_list *out, struct sr_err *err)
{
    return version_rows(st, PG_VERSIONS_BY_PREFIX, prefix, out, err);
}

static enum sr_store_status pg_versions_by_schema_id(struct sr_store *st, int32_t id,
                                                     struct sr_version_list *out,
                                                     struct sr_err *err)
{
    char ids[16];
    snprintf(ids, sizeof(ids), "%d", id);
    return version_rows(st, PG_VERSIONS_BY_SCHEMA_ID, ids, out, err);
}

static enum sr_store_status pg_referenced_by(struct sr_store *st, const char *subject,
                                             int32_t version, struct sr_id_list *out,
                                             struct sr_err *err)
{
    char vs[16];
    snprintf(vs, sizeof(vs), "%d", version);
    const char *p[2] = {subject, vs};
    PGresult *r;
    memset(out, 0, sizeof(*out));
    enum sr_store_status rs = pg_exec(PS(st), PG_REFERENCED_BY, 2, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    out->len = (size_t)PQntuples(r);
    out->items = sr_xcalloc(out->len ? out->len : 1, sizeof(*out->items));
    for (size_t i = 0; i < out->len; i++)
        out->items[i] = atoi(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    return SR_STORE_OK;
}

static enum pg_stmt setting_stmt(enum sr_setting kind, int op)
{
    static const enum pg_stmt stmts[2][3] = {{PG_CONFIG_GET, PG_CONFIG_PUT, PG_CONFIG_DELETE},
                                             {PG_MODE_GET, PG_MODE_PUT, PG_MODE_DELETE}};
    return stmts[kind == SR_SETTING_MODE][op];
}

static enum sr_store_status pg_setting_get(struct sr_store *st, enum sr_setting kind,
                                           enum sr_store_scope scope, const char *subject,
                                           char **value_out, struct sr_err *err)
{
    const char *p[2] = {scope == SR_SCOPE_GLOBAL ? "t" : "f",
                        scope == SR_SCOPE_GLOBAL ? "" : subject};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), setting_stmt(kind, 0), 2, p, NULL, NULL, &r, err);
    if (rs != SR_STORE_OK)
        return rs;
    rs = PQntuples(r) ? SR_STORE_OK : SR_STORE_NOT_FOUND;
    if (rs == SR_STORE_OK)
        *value_out = sr_xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return rs;
}

static enum sr_store_status pg_setting_put(struct sr_store *st, enum sr_setting kind,
                                           enum sr_store_scope scope, const char *subject,
                                           const char *value, struct sr_err *err)
{
    const char *p[3] = {scope == SR_SCOPE_GLOBAL ? "t" : "f",
                        scope == SR_SCOPE_GLOBAL ? "" : subject, value};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), setting_stmt(kind, 1), 3, p, NULL, NULL, &r, err);
    PQclear(r);
    return rs;
}

static enum sr_store_status pg_setting_delete(struct sr_store *st, enum sr_setting kind,
                                              enum sr_store_scope scope, const char *subject,
                                              struct sr_err *err)
{
    const char *p[2] = {scope == SR_SCOPE_GLOBAL ? "t" : "f",
                        scope == SR_SCOPE_GLOBAL ? "" : subject};
    PGresult *r;
    enum sr_store_status rs = pg_exec(PS(st), setting_stmt(kind, 2), 2, p, NULL, NULL, &r, err);
    if (rs == SR_STORE_OK && strcmp(PQcmdTuples(r), "0") == 0)
        rs = SR_STORE_NOT_FOUND;
    PQclear(r);
    return rs;
}

const struct sr_store_ops pg_ops = {
    .name = "postgresql",
    .free = pg_free_op,
    .ping = pg_ping_op,
    .tx_begin = pg_tx_begin_op,
    .tx_commit = pg_tx_commit_op,
    .tx_rollback = pg_tx_rollback_op,
    .schema_by_id = pg_schema_by_id,
    .schema_id_by_hash = pg_schema_id_by_hash,
    .schema_insert = pg_schema_insert,
    .schema_max_id = pg_schema_max_id,
    .schema_refs = pg_schema_refs,
    .subject_versions = pg_subject_versions,
    .version_insert = pg_version_insert,
    .version_set_deleted = pg_version_set_deleted,
    .version_remove = pg_version_remove,
    .subjects_list = pg_subjects_list,
    .versions_by_prefix = pg_versions_by_prefix,
    .versions_by_schema_id = pg_versions_by_schema_id,
    .referenced_by = pg_referenced_by,
    .setting_get = pg_setting_get,
    .setting_put = pg_setting_put,
    .setting_delete = pg_setting_delete,
};
