/* SPDX-License-Identifier: Apache-2.0 */
/* The core object and what every operation shares: compatibility levels and modes, the
 * effective config/mode of a subject, subject validation, and the transaction retry loop. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

static const char *const level_names[LEVEL_COUNT] = {
    "NONE", "BACKWARD",       "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
    "FULL", "FULL_TRANSITIVE"};
static const char *const mode_names[] = {"READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT"};

const char *core_level_name(enum compat_level l)
{
    return level_names[l];
}

bool core_level_parse(const char *text, enum compat_level *out)
{
    for (int i = 0; text && i < LEVEL_COUNT; i++)
        if (sr_str_ieq(text, level_names[i])) {
            *out = (enum compat_level)i;
            return true;
        }
    return false;
}

const char *core_mode_name(enum registry_mode m)
{
    return mode_names[m];
}

bool core_mode_parse(const char *text, enum registry_mode *out)
{
    for (size_t i = 0; text && i < SR_ARRAY_LEN(mode_names); i++)
        if (sr_str_ieq(text, mode_names[i])) {
            *out = (enum registry_mode)i;
            return true;
        }
    return false;
}

struct sr_core *sr_core_new(const struct sr_config *cfg, struct sr_store *store)
{
    struct sr_core *core = sr_xcalloc(1, sizeof(*core));
    core->cfg = cfg;
    core->store = store;
    if (!core_level_parse(cfg->default_compatibility, &core->default_level))
        core->default_level = LEVEL_BACKWARD;
    core->cache = schema_cache_new((size_t)cfg->schema_cache_entries);
    return core;
}

void sr_core_free(struct sr_core *core)
{
    if (!core)
        return;
    schema_cache_free(core->cache);
    free(core);
}

uint64_t sr_core_data_generation(struct sr_core *core)
{
    struct sr_store *st = core->store;
    return st->ops->generation ? st->ops->generation(st) : 0;
}

bool sr_core_ready(struct sr_core *core, struct sr_err *err)
{
    return core->store->ops->ping(core->store, err) == SR_STORE_OK;
}

bool sr_core_parse_version(const char *text, int32_t *out, struct sr_err *err)
{
    const char *t = text ? text : "";
    char trimmed[64];
    while (*t == ' ' || *t == '\t')
        t++;
    snprintf(trimmed, sizeof(trimmed), "%s", t);
    size_t n = strlen(trimmed);
    while (n && (trimmed[n - 1] == ' ' || trimmed[n - 1] == '\t'))
        trimmed[--n] = '\0';
    if (sr_str_ieq(trimmed, "latest")) {
        *out = -1;
        return true;
    }
    int32_t v;
    if (!sr_parse_int32(text, &v))
        return sr_err_set(err, SR_E_INVALID_VERSION,
                          "The specified version '%s' is not a valid version id. Allowed values "
                          "are between [1, 2^31-1] and the string \"latest\"",
                          text ? text : "");
    if (v == -1 || v >= 1) {
        *out = v;
        return true;
    }
    /* An integer out of range is reported by its parsed value (Java's VersionId). */
    return sr_err_set(err, SR_E_INVALID_VERSION,
                      "The specified version '%d' is not a valid version id. Allowed values are "
                      "between [1, 2^31-1] and the string \"latest\"",
                      (int)v);
}

bool core_store_failed(enum sr_store_status st, struct sr_err *err)
{
    /* The store says what went wrong; this only covers a status that came without words. */
    SR_UNUSED(st);
    if (err->code == SR_E_NONE)
        sr_err_set(err, SR_E_STORE_ERROR, "Error in the backend data store");
    return false;
}

bool core_read_versions(struct sr_core *core, const char *subject, struct sr_version_list *out,
                        struct sr_err *err)
{
    enum sr_store_status rs = core->store->ops->subject_versions(core->store, subject, out, err);
    return rs == SR_STORE_OK || core_store_failed(rs, err);
}

bool core_schema_is_blank(const char *schema)
{
    if (!schema)
        return true;
    for (const char *p = schema; *p; p++)
        if ((unsigned char)*p > ' ')
            return false;
    return true;
}

bool core_check_subject(struct sr_core *core, const char *subject, struct sr_err *err)
{
    /* Confluent (since 7.4): no ISO control characters, and not the reserved keys it uses
     * for the global and empty-context scopes. The length bound is ours. */
    if (sr_has_control_chars(subject) || strcmp(subject, "__GLOBAL") == 0 ||
        strcmp(subject, "__EMPTY") == 0 || strlen(subject) > (size_t)core->cfg->max_subject_length)
        return sr_err_set(err, SR_E_INVALID_SUBJECT, "The specified subject '%s' is not a valid.",
                          subject);
    return true;
}

bool core_check_not_readonly(enum registry_mode mode, const char *subject, struct sr_err *err)
{
    if (mode == MODE_READONLY || mode == MODE_READONLY_OVERRIDE)
        return sr_err_set(err, SR_E_OPERATION_NOT_PERMITTED, "Subject %s is in read-only mode",
                          subject ? subject : "null");
    return true;
}

bool core_effective_mode(struct sr_core *core, const char *subject, enum registry_mode *out,
                         struct sr_err *err)
{
    struct sr_store *st = core->store;
    char *global = NULL, *sub = NULL;
    enum sr_store_status rs =
        st->ops->setting_get(st, SR_SETTING_MODE, SR_SCOPE_GLOBAL, NULL, &global, err);
    if (rs != SR_STORE_OK && rs != SR_STORE_NOT_FOUND)
        return core_store_failed(rs, err);
    enum registry_mode gm = MODE_READWRITE;
    if (global)
        core_mode_parse(global, &gm);
    free(global);
    /* A global READONLY_OVERRIDE wins over any subject mode. */
    if (gm == MODE_READONLY_OVERRIDE || !subject) {
        *out = gm;
        return true;
    }
    rs = st->ops->setting_get(st, SR_SETTING_MODE, SR_SCOPE_SUBJECT, subject, &sub, err);
    if (rs != SR_STORE_OK && rs != SR_STORE_NOT_FOUND)
        return core_store_failed(rs, err);
    *out = gm;
    if (sub)
        core_mode_parse(sub, out);
    free(sub);
    return true;
}

bool core_effective_config(struct sr_core *core, const char *subject, enum compat_level *level,
                           bool *normalize, struct sr_err *err)
{
    struct sr_store *st = core->store;
    char *text = NULL;
    enum sr_store_status rs = SR_STORE_NOT_FOUND;
    if (subject)
        rs = st->ops->setting_get(st, SR_SETTING_CONFIG, SR_SCOPE_SUBJECT, subject, &text, err);
    if (rs == SR_STORE_NOT_FOUND)
        rs = st->ops->setting_get(st, SR_SETTING_CONFIG, SR_SCOPE_GLOBAL, NULL, &text, err);
    if (rs != SR_STORE_OK && rs != SR_STORE_NOT_FOUND)
        return core_store_failed(rs, err);
    /* The config in scope decides alone; a missing level is the server default (7.x). */
    *level = core->default_level;
    *normalize = false;
    json_t *cfg = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (cfg) {
        core_level_parse(json_string_value(json_object_get(cfg, "compatibility")), level);
        *normalize = json_is_true(json_object_get(cfg, "normalize"));
        json_decref(cfg);
    }
    return true;
}

bool core_in_tx(struct sr_core *core, const char *lock_subject, core_tx_body body, void *arg,
                struct sr_err *err)
{
    struct sr_store *st = core->store;
    int attempts = core->cfg->db_retry_attempts;
    for (int attempt = 1;; attempt++) {
        sr_err_clear(err);
        enum sr_store_status rs = st->ops->tx_begin(st, lock_subject, err);
        if (rs == SR_STORE_OK) {
            rs = body(core, arg, err);
            if (rs == SR_STORE_OK)
                rs = st->ops->tx_commit(st, err);
            else
                st->ops->tx_rollback(st);
        }
        if (rs == SR_STORE_OK)
            return true;
        if (rs != SR_STORE_RETRY || attempt >= attempts) {
            if (rs == SR_STORE_RETRY)
                sr_log_warn("giving up after %d attempts: %s", attempt, err->detail);
            return core_store_failed(rs, err);
        }
        sr_log_debug("retrying transaction (attempt %d): %s", attempt, err->detail);
    }
}

void core_string_list_push(struct sr_string_list *l, const char *s)
{
    l->items = sr_xrealloc(l->items, (l->len + 1) * sizeof(*l->items));
    l->items[l->len++] = sr_xstrdup(s);
}

void core_int_list_push(struct sr_int_list *l, int32_t v)
{
    l->items = sr_xrealloc(l->items, (l->len + 1) * sizeof(*l->items));
    l->items[l->len++] = v;
}

void sr_subject_version_fini(struct sr_subject_version *sv)
{
    if (!sv)
        return;
    free(sv->subject);
    free(sv->schema_type);
    free(sv->schema);
    free(sv->references);
    free(sv->metadata);
    free(sv->rule_set);
    memset(sv, 0, sizeof(*sv));
}

void sr_subject_version_list_fini(struct sr_subject_version_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        sr_subject_version_fini(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void sr_string_list_fini(struct sr_string_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void sr_int_list_fini(struct sr_int_list *l)
{
    if (!l)
        return;
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void sr_compat_result_fini(struct sr_compat_result *r)
{
    if (r)
        sr_string_list_fini(&r->messages);
}
