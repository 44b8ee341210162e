/* SPDX-License-Identifier: Apache-2.0 */
/* Reads of schemas: lookup under a subject, a subject's version, a schema by id, and the
 * compatibility endpoints (which read and never write). */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

bool core_find_match(struct sr_core *core, const struct sr_version_list *versions,
                     const struct parsed_request *pr, bool include_deleted, bool latest_only,
                     const struct sr_version_record **match, struct sr_err *err)
{
    *match = NULL;
    size_t lo = 0;
    if (latest_only) {
        /* Only the newest active version is a candidate. */
        size_t i = versions->len;
        while (i > 0 && versions->items[i - 1].deleted)
            i--;
        if (i == 0)
            return true;
        lo = i - 1;
        include_deleted = false;
    }
    size_t hi = latest_only ? lo + 1 : versions->len;
    for (size_t i = hi; i-- > lo;) {
        const struct sr_version_record *v = &versions->items[i];
        if ((include_deleted || !v->deleted) && memcmp(v->hash, pr->hash, 16) == 0) {
            *match = v;
            return true;
        }
    }
    for (size_t i = hi; i-- > lo;) {
        const struct sr_version_record *v = &versions->items[i];
        if (!include_deleted && v->deleted)
            continue;
        struct loaded_schema *ls = core_load_schema(core, v->schema_id, v->hash, err);
        if (!ls)
            return false;
        bool eq = core_equivalent(pr, ls);
        loaded_schema_release(ls);
        if (eq) {
            *match = v;
            return true;
        }
    }
    return true;
}

static bool any_visible(const struct sr_version_list *vl, bool deleted)
{
    for (size_t i = 0; i < vl->len; i++)
        if (deleted || !vl->items[i].deleted)
            return true;
    return false;
}

/* Fills out from a stored version. */
static bool fill_version(struct sr_core *core, const struct sr_version_record *v,
                         enum sr_schema_format format, struct sr_subject_version *out,
                         struct sr_err *err)
{
    struct loaded_schema *ls = core_load_schema(core, v->schema_id, v->hash, err);
    if (!ls)
        return false;
    out->subject = sr_xstrdup(v->subject);
    out->version = v->version;
    out->id = v->schema_id;
    out->deleted = v->deleted;
    core_fill_content(out, ls, format);
    loaded_schema_release(ls);
    return true;
}

/* Confluent 7.9.2+: a request without metadata is tried again with the latest active
 * version's metadata and rule set, which registration would have inherited. */
static bool retry_with_latest_metadata(struct sr_core *core, const char *subject,
                                       const struct sr_schema_request *req,
                                       const struct sr_version_list *vl, bool normalize,
                                       bool deleted, struct parsed_request *pr,
                                       const struct sr_version_record **match, struct sr_err *err)
{
    const struct sr_version_record *latest = NULL;
    for (size_t i = vl->len; i-- > 0 && !latest;)
        if (!vl->items[i].deleted)
            latest = &vl->items[i];
    if (!latest)
        return true;
    struct loaded_schema *ls = core_load_schema(core, latest->schema_id, latest->hash, err);
    if (!ls)
        return false;
    bool ok = true;
    if (ls->rec.metadata || ls->rec.rule_set) {
        struct sr_schema_request eff = *req;
        eff.metadata = ls->rec.metadata ? json_loads(ls->rec.metadata, 0, NULL) : NULL;
        eff.rule_set = ls->rec.rule_set ? json_loads(ls->rec.rule_set, 0, NULL) : NULL;
        struct parsed_request again = {0};
        ok = core_parse_request(core, subject, &eff, req->schema, NULL, normalize, false, &again,
                                err);
        if (ok) {
            ok = core_find_match(core, vl, &again, deleted, false, match, err);
            if (*match) {
                parsed_request_fini(pr);
                *pr = again;
            } else {
                parsed_request_fini(&again);
            }
        }
        json_decref(eff.metadata);
        json_decref(eff.rule_set);
    }
    loaded_schema_release(ls);
    return ok;
}

bool sr_core_lookup(struct sr_core *core, const char *subject, const struct sr_schema_request *req,
                    bool normalize, bool deleted, enum sr_schema_format format,
                    struct sr_subject_version *out, struct sr_err *err)
{
    enum compat_level level;
    bool cfg_normalize;
    if (!core_effective_config(core, subject, &level, &cfg_normalize, err))
        return false;
    struct sr_version_list vl = {0};
    struct parsed_request pr = {0};
    bool ok = false;
    /* A blank schema never matches (Confluent answers 40401/40403, not 42201). */
    if (!core_schema_is_blank(req->schema) &&
        !core_parse_request(core, subject, req, req->schema, NULL, normalize || cfg_normalize,
                            false, &pr, err))
        goto out;
    if (!core_read_versions(core, subject, &vl, err))
        goto out;
    const struct sr_version_record *match = NULL;
    if (pr.schema && !core_find_match(core, &vl, &pr, deleted, false, &match, err))
        goto out;
    if (pr.schema && !match && !req->metadata && !req->rule_set &&
        !retry_with_latest_metadata(core, subject, req, &vl, normalize || cfg_normalize, deleted,
                                    &pr, &match, err))
        goto out;
    if (!match) {
        if (!any_visible(&vl, deleted))
            sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
        else
            sr_err_set(err, SR_E_SCHEMA_NOT_FOUND, "Schema not found");
        goto out;
    }
    if (!fill_version(core, match, format, out, err))
        goto out;
    if (format == SR_FORMAT_DEFAULT && memcmp(match->hash, pr.hash, 16) == 0) {
        /* An identity match answers with the submitted schema, canonicalized. */
        free(out->schema);
        out->schema = sr_xstrdup(pr.canonical);
    }
    ok = true;
out:
    parsed_request_fini(&pr);
    sr_version_list_fini(&vl);
    return ok;
}

bool sr_core_version_get(struct sr_core *core, const char *subject, int32_t version, bool deleted,
                         enum sr_schema_format format, struct sr_subject_version *out,
                         struct sr_err *err)
{
    struct sr_version_list vl = {0};
    if (!core_read_versions(core, subject, &vl, err))
        return false;
    const struct sr_version_record *found = NULL;
    for (size_t i = vl.len; i-- > 0 && !found;) {
        const struct sr_version_record *v = &vl.items[i];
        if (version == -1 ? !v->deleted : (v->version == version && (deleted || !v->deleted)))
            found = v;
    }
    bool ok = false;
    if (!found) {
        if (!any_visible(&vl, deleted))
            sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
        else
            sr_err_set(err, SR_E_VERSION_NOT_FOUND, "Version %d not found.", (int)version);
    } else {
        ok = fill_version(core, found, format, out, err);
    }
    sr_version_list_fini(&vl);
    return ok;
}

static bool properties_contain(const char *metadata, const char *const *keys,
                               const char *const *values, size_t n)
{
    json_t *md = metadata ? json_loads(metadata, 0, NULL) : NULL;
    json_t *props = json_object_get(md, "properties");
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        const char *v = json_string_value(json_object_get(props, keys[i]));
        ok = v && strcmp(v, values[i]) == 0;
    }
    json_decref(md);
    return ok;
}

bool sr_core_version_by_metadata(struct sr_core *core, const char *subject, const char *const *keys,
                                 const char *const *values, size_t n, bool deleted,
                                 enum sr_schema_format format, struct sr_subject_version *out,
                                 struct sr_err *err)
{
    struct sr_version_list vl = {0};
    if (!core_read_versions(core, subject, &vl, err))
        return false;
    bool ok = false, found = false;
    if (!any_visible(&vl, deleted)) {
        sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
        goto out;
    }
    for (size_t i = vl.len; i-- > 0 && !found;) {
        const struct sr_version_record *v = &vl.items[i];
        if (v->deleted && !deleted)
            continue;
        struct loaded_schema *ls = core_load_schema(core, v->schema_id, v->hash, err);
        if (!ls)
            goto out;
        found = properties_contain(ls->rec.metadata, keys, values, n);
        loaded_schema_release(ls);
        if (found && !fill_version(core, v, format, out, err))
            goto out;
    }
    if (!found) {
        sr_err_set(err, SR_E_SCHEMA_NOT_FOUND, "Schema not found");
        goto out;
    }
    ok = true;
out:
    sr_version_list_fini(&vl);
    return ok;
}

bool sr_core_schema_by_id(struct sr_core *core, int32_t id, const char *subject,
                          enum sr_schema_format format, struct sr_subject_version *out,
                          struct sr_err *err)
{
    /* Only the default context exists, so the subject parameter selects nothing (Confluent
     * falls back to any carrier in the context too). */
    SR_UNUSED(subject);
    struct loaded_schema *ls = core_load_schema(core, id, NULL, err);
    if (!ls)
        return false;
    out->id = id;
    core_fill_content(out, ls, format);
    loaded_schema_release(ls);
    return true;
}

bool sr_core_max_schema_id(struct sr_core *core, int32_t *out, struct sr_err *err)
{
    enum sr_store_status rs = core->store->ops->schema_max_id(core->store, out, err);
    return rs == SR_STORE_OK || core_store_failed(rs, err);
}

bool sr_core_check_compatibility(struct sr_core *core, const char *subject, bool version_given,
                                 int32_t version, const char *version_text,
                                 const struct sr_schema_request *req, bool normalize, bool verbose,
                                 struct sr_compat_result *out, struct sr_err *err)
{
    SR_UNUSED(version_text);
    memset(out, 0, sizeof(*out));
    enum compat_level level;
    bool cfg_normalize;
    if (!core_effective_config(core, subject, &level, &cfg_normalize, err))
        return false;
    normalize = normalize || cfg_normalize;
    struct sr_version_list vl = {0};
    if (!core_read_versions(core, subject, &vl, err))
        return false;
    /* Candidates: the active versions, or the one asked for. */
    struct sr_version_record *cands = sr_xcalloc(vl.len + 1, sizeof(*cands));
    size_t n = 0;
    bool ok = false;
    struct parsed_request pr = {0};
    for (size_t i = 0; i < vl.len; i++)
        if (!vl.items[i].deleted)
            cands[n++] = vl.items[i];
    if (version_given) {
        size_t k = n;
        if (version == -1) {
            k = n ? n - 1 : n;
        } else {
            for (size_t i = 0; i < n; i++)
                if (cands[i].version == version)
                    k = i;
            if (k == n) {
                /* A numbered version that is missing is 40402, even for a missing subject. */
                sr_err_set(err, SR_E_VERSION_NOT_FOUND, "Version %d not found.", (int)version);
                goto out;
            }
        }
        if (k < n) {
            cands[0] = cands[k];
            n = 1;
        } else {
            n = 0;
        }
    }
    if (core_schema_is_blank(req->schema)) {
        sr_err_set(err, SR_E_INVALID_SCHEMA, "Empty schema");
    } else {
        bool validate = core->cfg->avro_validate_defaults || normalize;
        if (core_parse_request(core, subject, req, req->schema, NULL, normalize, validate, &pr,
                               err)) {
            ok = core_check_against(core, &pr, level, cands, n, out, err);
            goto out;
        }
    }
    /* An invalid schema: 42201, or with verbose a 200 carrying the reason. */
    if (verbose && err->code == SR_E_INVALID_SCHEMA) {
        out->is_compatible = false;
        core_string_list_push(&out->messages, sr_err_message(err));
        sr_err_clear(err);
        ok = true;
    }
out:
    parsed_request_fini(&pr);
    free(cands);
    sr_version_list_fini(&vl);
    return ok;
}
