/* SPDX-License-Identifier: Apache-2.0 */
/* Registration (POST /subjects/{s}/versions) in Confluent's order of checks: the fast path
 * (an identical active schema returns its id before any mode check), modes, then inside one
 * subject-locked transaction: strict parse, identity, semantic equivalence, compatibility,
 * version and id assignment, tombstones, insert. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

struct register_op {
    const char *subject;
    const struct sr_schema_request *req;
    bool normalize;
    enum registry_mode mode;
    enum compat_level level;
    int32_t id_out;
    struct sr_register_result *result;
};

/* Fills the full answer: the stored version as the registry made it. */
static void set_full(struct register_op *op, int32_t version, const struct parsed_request *pr)
{
    struct sr_subject_version *sv = &op->result->stored;
    sr_subject_version_fini(sv);
    op->result->full = true;
    sv->subject = sr_xstrdup(op->subject);
    sv->version = version;
    sv->id = op->id_out;
    sv->schema_type = sr_xstrdup("AVRO");
    sv->schema = sr_xstrdup(pr->canonical);
    sv->references = pr->references ? sr_xstrdup(pr->references) : NULL;
    sv->metadata = pr->metadata ? sr_xstrdup(pr->metadata) : NULL;
    sv->rule_set = pr->rule_set ? sr_xstrdup(pr->rule_set) : NULL;
}

static bool has_confluent_version(json_t *md)
{
    return json_object_get(json_object_get(md, "properties"), "confluent:version") != NULL;
}

/* Confluent 7.5+: metadata and rule set not given are inherited from the latest active
 * version; an explicit version (or an inherited confluent:version) stamps the version being
 * assigned into metadata property confluent:version. Returns new references (or NULL). */
static void merge_metadata(const struct sr_schema_request *req, const struct loaded_schema *latest,
                           int32_t version, json_t **md_out, json_t **rs_out)
{
    json_t *md = req->metadata ? json_deep_copy(req->metadata) : NULL;
    json_t *rs = req->rule_set ? json_deep_copy(req->rule_set) : NULL;
    if (!md && latest && latest->rec.metadata)
        md = json_loads(latest->rec.metadata, 0, NULL);
    if (!rs && latest && latest->rec.rule_set)
        rs = json_loads(latest->rec.rule_set, 0, NULL);
    if (req->version != 0 || has_confluent_version(md)) {
        if (!md)
            md = json_object();
        json_t *props = json_object_get(md, "properties");
        if (!json_is_object(props)) {
            props = json_object();
            json_object_set_new(md, "properties", props);
        }
        char v[16];
        snprintf(v, sizeof(v), "%d", (int)version);
        json_object_set_new(props, "confluent:version", json_string(v));
    }
    *md_out = md;
    *rs_out = rs;
}

/* Finds an identical or equivalent active version before anything else (Confluent's
 * pre-lookup). Sets *id_out and returns true with *done when the request is answered. */
static bool fast_path(struct sr_core *core, struct register_op *op, bool *done, struct sr_err *err)
{
    const struct sr_schema_request *req = op->req;
    *done = false;
    if (core_schema_is_blank(req->schema))
        return true;
    struct parsed_request pr = {0};
    if (!core_parse_request(core, op->subject, req, req->schema, NULL, op->normalize, false, &pr,
                            err))
        return false;
    struct sr_version_list vl = {0};
    enum sr_store_status rs =
        core->store->ops->subject_versions(core->store, op->subject, &vl, err);
    bool ok = rs == SR_STORE_OK || core_store_failed(rs, err);
    const struct sr_version_record *m = NULL;
    if (ok)
        ok = core_find_match(core, &vl, &pr, false, req->version == -1, &m, err);
    if (ok && m) {
        if (req->version <= 0 && (req->id < 0 || req->id == m->schema_id)) {
            op->id_out = m->schema_id;
            *done = true;
        } else if (req->version > 0 && req->id == m->schema_id) {
            if (m->version == req->version) {
                op->id_out = m->schema_id;
                *done = true;
                set_full(op, m->version, &pr);
            } else {
                /* The requested version may hold the same content under the same id. */
                for (size_t i = 0; i < vl.len; i++)
                    if (vl.items[i].version == req->version && vl.items[i].schema_id == req->id &&
                        memcmp(vl.items[i].hash, pr.hash, 16) == 0) {
                        op->id_out = req->id;
                        *done = true;
                        set_full(op, req->version, &pr);
                    }
            }
        }
    }
    sr_version_list_fini(&vl);
    parsed_request_fini(&pr);
    return ok;
}

static bool check_mode(const struct register_op *op, struct sr_err *err)
{
    if (!core_check_not_readonly(op->mode, op->subject, err))
        return false;
    if (op->req->id >= 0 && op->mode != MODE_IMPORT)
        return sr_err_set(err, SR_E_OPERATION_NOT_PERMITTED, "Subject %s is not in import mode",
                          op->subject);
    if (op->req->id < 0 && op->mode != MODE_READWRITE)
        return sr_err_set(err, SR_E_OPERATION_NOT_PERMITTED, "Subject %s is not in read-write mode",
                          op->subject);
    return true;
}

static char *incompatible_message(const char *subject, const struct sr_string_list *msgs)
{
    struct sr_buf b;
    sr_buf_init(&b, 0);
    sr_buf_printf(&b,
                  "Schema being registered is incompatible with an earlier schema for subject "
                  "\"%s\", details: [",
                  subject);
    for (size_t i = 0; i < msgs->len; i++)
        sr_buf_printf(&b, "%s%s", i ? ", " : "", msgs->items[i]);
    sr_buf_addc(&b, ']');
    return sr_buf_take(&b);
}

/* Inside the subject lock. */
static enum sr_store_status register_tx(struct sr_core *core, void *arg, struct sr_err *err)
{
    struct register_op *op = arg;
    const struct sr_schema_request *req = op->req;
    struct sr_store *st = core->store;
    bool import = op->mode == MODE_IMPORT;
    struct sr_version_list vl = {0};
    struct parsed_request pr = {0};
    struct loaded_schema *latest = NULL;
    struct sr_compat_result cr = {0};
    struct sr_version_record *active = NULL;
    json_t *merged_md = NULL, *merged_rs = NULL;
    int32_t final_version = 0;
    enum sr_store_status rs = SR_STORE_ERROR;
    /* The mode again, under the locks: a switch to IMPORT (which takes the global lock
     * exclusively) may have committed while this registration waited. */
    if (!core_effective_mode(core, op->subject, &op->mode, err) || !check_mode(op, err))
        goto out;
    import = op->mode == MODE_IMPORT;
    rs = st->ops->subject_versions(st, op->subject, &vl, err);
    if (rs != SR_STORE_OK)
        goto out;
    int32_t next = vl.len ? vl.items[vl.len - 1].version + 1 : 1;
    active = sr_xcalloc(vl.len + 1, sizeof(*active));
    size_t n_active = 0;
    for (size_t i = 0; i < vl.len; i++)
        if (!vl.items[i].deleted)
            active[n_active++] = vl.items[i];

    /* The latest active version: a blank schema re-registers it (to attach new metadata),
     * and it lends its metadata and rule set to a request that has none. */
    if (!import && n_active > 0) {
        const struct sr_version_record *lv = &active[n_active - 1];
        latest = core_load_schema(core, lv->schema_id, lv->hash, err);
        if (!latest) {
            rs = SR_STORE_ERROR;
            goto out;
        }
    }
    const char *schema_text = req->schema;
    const char *refs_json = NULL;
    if (core_schema_is_blank(schema_text)) {
        if (!latest) {
            sr_err_set(err, SR_E_INVALID_SCHEMA, "Empty schema");
            rs = SR_STORE_ERROR;
            goto out;
        }
        schema_text = latest->rec.schema;
        refs_json = latest->rec.references;
    }
    struct sr_schema_request eff = *req;
    if (!import)
        merge_metadata(req, latest, req->version > 0 ? req->version : next, &merged_md, &merged_rs);
    if (merged_md)
        eff.metadata = merged_md;
    if (merged_rs)
        eff.rule_set = merged_rs;
    bool validate = (core->cfg->avro_validate_defaults || op->normalize) && req->id < 0 && !import;
    if (!core_parse_request(core, op->subject, &eff, schema_text, refs_json, op->normalize,
                            validate, &pr, err)) {
        rs = SR_STORE_ERROR;
        goto out;
    }

    /* Identity: the content may already have an id (here or under another subject). */
    int32_t reuse_id = -1;
    int32_t owner = 0;
    rs = st->ops->schema_id_by_hash(st, pr.hash, &owner, err);
    if (rs != SR_STORE_OK && rs != SR_STORE_NOT_FOUND)
        goto out;
    if (rs == SR_STORE_OK && (req->id < 0 || req->id == owner)) {
        if (req->version == 0)
            for (size_t i = 0; i < n_active; i++)
                if (active[i].schema_id == owner) {
                    op->id_out = owner;
                    final_version = active[i].version;
                    rs = SR_STORE_OK;
                    goto out;
                }
        reuse_id = owner;
    }
    rs = SR_STORE_OK;
    if (req->version == 0) {
        const struct sr_version_record *m = NULL;
        struct sr_version_list av = {active, n_active};
        if (!core_find_match(core, &av, &pr, false, false, &m, err)) {
            rs = SR_STORE_ERROR;
            goto out;
        }
        if (m) {
            op->id_out = m->schema_id;
            final_version = m->version;
            goto out;
        }
    }

    if (!import) {
        if (!core_check_against(core, &pr, op->level, active, n_active, &cr, err)) {
            rs = SR_STORE_ERROR;
            goto out;
        }
        if (!cr.is_compatible) {
            sr_err_set_owned(err, SR_E_INCOMPATIBLE_SCHEMA,
                             incompatible_message(op->subject, &cr.messages));
            rs = SR_STORE_ERROR;
            goto out;
        }
    }

    int32_t version = next;
    if (req->version > 0 && req->version != next) {
        if (!import) {
            sr_err_set(err, SR_E_INVALID_SCHEMA, "Version is not one more than previous version");
            rs = SR_STORE_ERROR;
            goto out;
        }
        version = req->version;
    }

    static char avro_type[] = "AVRO";
    struct sr_schema_record rec = {.id = req->id >= 0 ? req->id : 0,
                                   .schema_type = avro_type,
                                   .schema = pr.canonical,
                                   .references = pr.references,
                                   .metadata = pr.metadata,
                                   .rule_set = pr.rule_set};
    memcpy(rec.hash, pr.hash, 16);
    int32_t id = reuse_id;
    if (req->id >= 0 || reuse_id < 0) {
        bool conflict = false;
        rs = st->ops->schema_insert(st, &rec, &id, &conflict, err);
        if (rs != SR_STORE_OK)
            goto out;
        if (conflict) {
            sr_err_set(err, SR_E_OPERATION_NOT_PERMITTED,
                       "Overwrite new schema with id %d is not permitted.", (int)req->id);
            rs = SR_STORE_ERROR;
            goto out;
        }
    }

    /* In IMPORT an explicit version replaces what is there. */
    for (size_t i = 0; i < vl.len; i++)
        if (vl.items[i].version == version) {
            rs = st->ops->version_remove(st, op->subject, version, err);
            if (rs != SR_STORE_OK)
                goto out;
        }
    rs = st->ops->version_insert(st, op->subject, version, id, err);
    if (rs != SR_STORE_OK)
        goto out;
    /* Soft-deleted versions of this subject holding the same id below the new version are
     * tombstoned (after the insert, so the content they share is never orphaned). */
    for (size_t i = 0; i < vl.len; i++) {
        const struct sr_version_record *v = &vl.items[i];
        if (v->deleted && v->schema_id == id && v->version < version) {
            rs = st->ops->version_remove(st, op->subject, v->version, err);
            if (rs != SR_STORE_OK)
                goto out;
        }
    }
    op->id_out = id;
    final_version = version;
out:
    /* The registry changed the schema (Confluent's "modified"): answer with all of it. */
    if (rs == SR_STORE_OK && op->id_out > 0 && (pr.metadata || pr.rule_set) && !import)
        set_full(op, final_version, &pr);
    json_decref(merged_md);
    json_decref(merged_rs);
    sr_compat_result_fini(&cr);
    loaded_schema_release(latest);
    parsed_request_fini(&pr);
    free(active);
    sr_version_list_fini(&vl);
    return rs;
}

bool sr_core_register(struct sr_core *core, const char *subject,
                      const struct sr_schema_request *req, bool normalize,
                      struct sr_register_result *out, struct sr_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!core_check_subject(core, subject, err))
        return false;
    struct register_op op = {.subject = subject, .req = req, .result = out};
    bool cfg_normalize;
    if (!core_effective_config(core, subject, &op.level, &cfg_normalize, err))
        return false;
    op.normalize = normalize || cfg_normalize;
    bool done;
    if (!fast_path(core, &op, &done, err))
        return false;
    if (!done) {
        if (!core_effective_mode(core, subject, &op.mode, err) || !check_mode(&op, err))
            return false;
        if (!core_in_tx(core, subject, register_tx, &op, err))
            return false;
    }
    out->id = op.id_out;
    out->stored.id = op.id_out;
    return true;
}
