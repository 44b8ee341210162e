/* SPDX-License-Identifier: Apache-2.0 */
/* Compatibility config and modes, global and per subject: Confluent's field names (GET says
 * compatibilityLevel, PUT says compatibility), the echo of PUT bodies, 40408/40409 for unset
 * subject settings, and the rules for switching to IMPORT. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

/* The config fields in Confluent's order; "compatibility" is the level. */
static const char *const config_fields[] = {
    "alias",          "normalize",          "validateFields",  "validateRules",
    "compatibility",  "compatibilityGroup", "defaultMetadata", "overrideMetadata",
    "defaultRuleSet", "overrideRuleSet"};

static bool is_bool_field(const char *k)
{
    return !strcmp(k, "normalize") || !strcmp(k, "validateFields") || !strcmp(k, "validateRules");
}

static bool is_object_field(const char *k)
{
    return strstr(k, "Metadata") || strstr(k, "RuleSet");
}

static enum sr_store_scope scope_of(const char *subject)
{
    return subject ? SR_SCOPE_SUBJECT : SR_SCOPE_GLOBAL;
}

static bool read_setting(struct sr_core *core, enum sr_setting kind, const char *subject,
                         char **out, bool *found, struct sr_err *err)
{
    *out = NULL;
    enum sr_store_status rs =
        core->store->ops->setting_get(core->store, kind, scope_of(subject), subject, out, err);
    *found = rs == SR_STORE_OK;
    return rs == SR_STORE_OK || rs == SR_STORE_NOT_FOUND || core_store_failed(rs, err);
}

/* A stored config in GET shape; a missing level is the server default. */
static json_t *config_for_get(struct sr_core *core, const char *stored)
{
    json_t *cfg = stored ? json_loads(stored, 0, NULL) : NULL;
    json_t *out = json_object();
    for (size_t i = 0; i < SR_ARRAY_LEN(config_fields); i++) {
        const char *k = config_fields[i];
        json_t *v = cfg ? json_object_get(cfg, k) : NULL;
        if (!strcmp(k, "compatibility")) {
            enum compat_level l = core->default_level;
            if (v)
                core_level_parse(json_string_value(v), &l);
            json_object_set_new(out, "compatibilityLevel", json_string(core_level_name(l)));
        } else if (v && !json_is_null(v)) {
            json_object_set(out, k, v);
        }
    }
    json_decref(cfg);
    return out;
}

json_t *sr_core_config_get(struct sr_core *core, const char *subject, bool default_to_global,
                           struct sr_err *err)
{
    char *stored = NULL;
    bool found;
    if (!read_setting(core, SR_SETTING_CONFIG, subject, &stored, &found, err))
        return NULL;
    if (!found && subject) {
        if (!default_to_global) {
            sr_err_set(err, SR_E_SUBJECT_COMPAT_NOT_CONFIGURED,
                       "Subject '%s' does not have subject-level compatibility configured",
                       subject);
            return NULL;
        }
        if (!read_setting(core, SR_SETTING_CONFIG, NULL, &stored, &found, err))
            return NULL;
    }
    json_t *out = config_for_get(core, stored);
    free(stored);
    return out;
}

static bool check_writable(struct sr_core *core, const char *subject, struct sr_err *err)
{
    enum registry_mode mode;
    if (!core_effective_mode(core, subject, &mode, err))
        return false;
    return core_check_not_readonly(mode, subject, err);
}

json_t *sr_core_config_put(struct sr_core *core, const char *subject, json_t *body,
                           struct sr_err *err)
{
    json_t *level = json_object_get(body, "compatibility");
    enum compat_level l;
    if (level && !json_is_null(level) && !core_level_parse(json_string_value(level), &l)) {
        sr_err_set(err, SR_E_INVALID_COMPATIBILITY_LEVEL,
                   "Invalid compatibility level. Valid values are none, backward, forward, full, "
                   "backward_transitive, forward_transitive, and full_transitive");
        return NULL;
    }
    for (size_t i = 0; i < SR_ARRAY_LEN(config_fields); i++) {
        const char *k = config_fields[i];
        json_t *v = json_object_get(body, k);
        if (!v || json_is_null(v) || !strcmp(k, "compatibility"))
            continue;
        bool ok = is_bool_field(k)     ? json_is_boolean(v)
                  : is_object_field(k) ? json_is_object(v)
                                       : json_is_string(v);
        if (!ok) {
            sr_err_set(err, SR_E_HTTP_BAD_REQUEST,
                       "Cannot deserialize value of field '%s' of the config", k);
            return NULL;
        }
    }
    if ((subject && !core_check_subject(core, subject, err)) || !check_writable(core, subject, err))
        return NULL;
    char *stored = NULL;
    bool found;
    if (!read_setting(core, SR_SETTING_CONFIG, subject, &stored, &found, err))
        return NULL;
    /* Merge: every field given (non-null) wins; the level is stored upper-case. */
    json_t *merged = stored ? json_loads(stored, 0, NULL) : json_object();
    if (!merged)
        merged = json_object();
    free(stored);
    json_t *echo = json_object();
    for (size_t i = 0; i < SR_ARRAY_LEN(config_fields); i++) {
        const char *k = config_fields[i];
        json_t *v = json_object_get(body, k);
        if (!v || json_is_null(v))
            continue;
        /* Confluent omits empty values from the echo (NON_EMPTY). */
        if (!(json_is_string(v) && !*json_string_value(v)) &&
            !(json_is_object(v) && json_object_size(v) == 0))
            json_object_set(echo, k, v);
        if (!strcmp(k, "compatibility"))
            json_object_set_new(merged, k, json_string(core_level_name(l)));
        else
            json_object_set(merged, k, v);
    }
    char *text = json_dumps(merged, JSON_COMPACT);
    json_decref(merged);
    enum sr_store_status rs = core->store->ops->setting_put(core->store, SR_SETTING_CONFIG,
                                                            scope_of(subject), subject, text, err);
    free(text);
    if (rs != SR_STORE_OK) {
        json_decref(echo);
        core_store_failed(rs, err);
        return NULL;
    }
    return echo;
}

json_t *sr_core_config_delete(struct sr_core *core, const char *subject, struct sr_err *err)
{
    char *stored = NULL;
    bool found;
    if (!read_setting(core, SR_SETTING_CONFIG, subject, &stored, &found, err))
        return NULL;
    if (!found && subject) {
        sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
        return NULL;
    }
    if (!check_writable(core, subject, err)) {
        free(stored);
        return NULL;
    }
    json_t *previous = config_for_get(core, stored);
    free(stored);
    enum sr_store_status rs = core->store->ops->setting_delete(core->store, SR_SETTING_CONFIG,
                                                               scope_of(subject), subject, err);
    if (rs != SR_STORE_OK && rs != SR_STORE_NOT_FOUND) {
        json_decref(previous);
        core_store_failed(rs, err);
        return NULL;
    }
    return previous;
}

/* ---- modes ---- */

json_t *sr_core_mode_get(struct sr_core *core, const char *subject, bool default_to_global,
                         struct sr_err *err)
{
    if (subject && !default_to_global) {
        char *stored = NULL;
        bool found;
        if (!read_setting(core, SR_SETTING_MODE, subject, &stored, &found, err))
            return NULL;
        if (!found) {
            sr_err_set(err, SR_E_SUBJECT_MODE_NOT_CONFIGURED,
                       "Subject '%s' does not have subject-level mode configured", subject);
            return NULL;
        }
        enum registry_mode m = MODE_READWRITE;
        core_mode_parse(stored, &m);
        free(stored);
        /* A global READONLY_OVERRIDE is what the subject effectively has. */
        enum registry_mode global;
        if (!core_effective_mode(core, NULL, &global, err))
            return NULL;
        if (global == MODE_READONLY_OVERRIDE)
            m = global;
        return json_pack("{s:s}", "mode", core_mode_name(m));
    }
    enum registry_mode m;
    if (!core_effective_mode(core, subject, &m, err))
        return NULL;
    return json_pack("{s:s}", "mode", core_mode_name(m));
}

struct mode_op {
    const char *subject;
    enum registry_mode target;
    bool force;
};

/* Switching a scope to IMPORT: no active version may exist in it (unless forced), and the
 * soft-deleted leftovers are purged so imported ids and versions cannot collide with them. */
static enum sr_store_status prepare_import_tx(struct sr_core *core, void *arg, struct sr_err *err)
{
    struct mode_op *op = arg;
    struct sr_store *st = core->store;
    struct sr_version_list vl = {0};
    enum sr_store_status rs = op->subject ? st->ops->subject_versions(st, op->subject, &vl, err)
                                          : st->ops->versions_by_prefix(st, "", &vl, err);
    if (rs != SR_STORE_OK)
        return rs;
    for (size_t i = 0; i < vl.len; i++)
        if (!vl.items[i].deleted) {
            sr_err_set(err, SR_E_OPERATION_NOT_PERMITTED,
                       "Cannot import since found existing subjects");
            sr_version_list_fini(&vl);
            return SR_STORE_ERROR;
        }
    for (size_t i = 0; rs == SR_STORE_OK && i < vl.len; i++) {
        const struct sr_version_record *v = &vl.items[i];
        struct sr_id_list ids = {0};
        rs = st->ops->referenced_by(st, v->subject, v->version, &ids, err);
        if (rs == SR_STORE_OK && ids.len) {
            sr_err_set(err, SR_E_REFERENCE_EXISTS,
                       "One or more references exist to the schema "
                       "{magic=1,keytype=SCHEMA,subject=%s,version=%d}.",
                       v->subject, (int)v->version);
            rs = SR_STORE_ERROR;
        }
        sr_id_list_fini(&ids);
        if (rs == SR_STORE_OK)
            rs = st->ops->version_remove(st, v->subject, v->version, err);
    }
    if (rs == SR_STORE_OK) {
        enum sr_store_status ps = st->ops->setting_put(st, SR_SETTING_MODE, scope_of(op->subject),
                                                       op->subject, "IMPORT", err);
        rs = ps;
    }
    sr_version_list_fini(&vl);
    return rs;
}

json_t *sr_core_mode_put(struct sr_core *core, const char *subject, json_t *body, bool force,
                         struct sr_err *err)
{
    if (subject && !core_check_subject(core, subject, err))
        return NULL;
    json_t *jm = json_object_get(body, "mode");
    struct mode_op op = {.subject = subject, .force = force};
    bool remove = !jm || json_is_null(jm);
    if (!remove && (!json_is_string(jm) || !core_mode_parse(json_string_value(jm), &op.target))) {
        sr_err_set(err, SR_E_INVALID_MODE,
                   "Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.");
        return NULL;
    }
    if (!core->cfg->mode_mutability) {
        sr_err_set(err, SR_E_OPERATION_NOT_PERMITTED, "Mode changes are not allowed");
        return NULL;
    }
    struct sr_store *st = core->store;
    enum sr_store_status rs;
    if (remove) {
        rs = st->ops->setting_delete(st, SR_SETTING_MODE, scope_of(subject), subject, err);
        if (rs == SR_STORE_NOT_FOUND)
            rs = SR_STORE_OK;
    } else if (op.target == MODE_IMPORT) {
        enum registry_mode current;
        if (!core_effective_mode(core, subject, &current, err))
            return NULL;
        if (current == MODE_IMPORT || force)
            rs = st->ops->setting_put(st, SR_SETTING_MODE, scope_of(subject), subject, "IMPORT",
                                      err);
        else
            return core_in_tx(core, subject, prepare_import_tx, &op, err)
                       ? json_pack("{s:O}", "mode", jm)
                       : NULL;
    } else {
        rs = st->ops->setting_put(st, SR_SETTING_MODE, scope_of(subject), subject,
                                  core_mode_name(op.target), err);
    }
    if (rs != SR_STORE_OK) {
        core_store_failed(rs, err);
        return NULL;
    }
    /* Confluent echoes the request: a lower-case mode stays lower-case. */
    return remove ? json_object() : json_pack("{s:O}", "mode", jm);
}

json_t *sr_core_mode_delete(struct sr_core *core, const char *subject, struct sr_err *err)
{
    char *stored = NULL;
    bool found;
    if (!read_setting(core, SR_SETTING_MODE, subject, &stored, &found, err))
        return NULL;
    if (!found && subject) {
        sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
        return NULL;
    }
    if (!core->cfg->mode_mutability) {
        free(stored);
        sr_err_set(err, SR_E_OPERATION_NOT_PERMITTED, "Mode changes are not allowed");
        return NULL;
    }
    enum registry_mode m = MODE_READWRITE;
    if (stored)
        core_mode_parse(stored, &m);
    free(stored);
    enum sr_store_status rs = core->store->ops->setting_delete(core->store, SR_SETTING_MODE,
                                                               scope_of(subject), subject, err);
    if (rs != SR_STORE_OK && rs != SR_STORE_NOT_FOUND) {
        core_store_failed(rs, err);
        return NULL;
    }
    return json_pack("{s:s}", "mode", core_mode_name(m));
}

enum sr_store_status core_drop_subject_settings(struct sr_core *core, const char *subject,
                                                struct sr_err *err)
{
    struct sr_store *st = core->store;
    enum sr_store_status rs =
        st->ops->setting_delete(st, SR_SETTING_CONFIG, SR_SCOPE_SUBJECT, subject, err);
    if (rs == SR_STORE_OK || rs == SR_STORE_NOT_FOUND)
        rs = st->ops->setting_delete(st, SR_SETTING_MODE, SR_SCOPE_SUBJECT, subject, err);
    return rs == SR_STORE_NOT_FOUND ? SR_STORE_OK : rs;
}
