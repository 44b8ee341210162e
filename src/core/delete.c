/* SPDX-License-Identifier: Apache-2.0 */
/* Deletes of subjects and versions, soft and permanent, with Confluent's order of checks and
 * its 7.x side effect: when a subject has no active version left, its subject-level config
 * and mode go too. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

struct delete_op {
    const char *subject;
    int32_t version;          /* -1 = latest */
    const char *version_text; /* as given in the path, for 40406 */
    bool permanent;
    enum registry_mode mode;
    struct sr_int_list *deleted; /* subject delete: the versions deleted */
    int32_t version_out;
};

/* 42206 when another schema still references subject/version. */
static enum sr_store_status check_not_referenced(struct sr_core *core, const char *subject,
                                                 int32_t version, struct sr_err *err)
{
    struct sr_id_list ids = {0};
    enum sr_store_status rs =
        core->store->ops->referenced_by(core->store, subject, version, &ids, err);
    if (rs == SR_STORE_OK && ids.len > 0) {
        sr_err_set(err, SR_E_REFERENCE_EXISTS,
                   "One or more references exist to the schema "
                   "{magic=1,keytype=SCHEMA,subject=%s,version=%d}.",
                   subject, (int)version);
        rs = SR_STORE_ERROR;
    }
    sr_id_list_fini(&ids);
    return rs;
}

static enum sr_store_status delete_version_tx(struct sr_core *core, void *arg, struct sr_err *err)
{
    struct delete_op *op = arg;
    struct sr_store *st = core->store;
    struct sr_version_list vl = {0};
    /* The mode as it is now, under the subject lock. */
    if (!core_effective_mode(core, op->subject, &op->mode, err))
        return SR_STORE_ERROR;
    enum sr_store_status rs = st->ops->subject_versions(st, op->subject, &vl, err);
    if (rs != SR_STORE_OK)
        return rs;
    const struct sr_version_record *v = NULL;
    size_t active = 0;
    for (size_t i = vl.len; i-- > 0;) {
        const struct sr_version_record *c = &vl.items[i];
        active += !c->deleted;
        if (!v && (op->version == -1 ? !c->deleted : c->version == op->version))
            v = c;
    }
    rs = SR_STORE_ERROR;
    if (v && v->deleted && !op->permanent) {
        sr_err_set(err, SR_E_VERSION_SOFT_DELETED,
                   "Subject '%s' Version %s was soft deleted.Set permanent=true to delete "
                   "permanently",
                   op->subject, op->version_text);
    } else if (!v && vl.len == 0) {
        sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", op->subject);
    } else if (!v) {
        sr_err_set(err, SR_E_VERSION_NOT_FOUND, "Version %d not found.", (int)op->version);
    } else if (core_check_not_readonly(op->mode, op->subject, err) &&
               (rs = check_not_referenced(core, op->subject, v->version, err)) == SR_STORE_OK) {
        if (op->permanent && !v->deleted) {
            sr_err_set(err, SR_E_VERSION_NOT_SOFT_DELETED,
                       "Subject '%s' Version %d was not deleted first before being permanently "
                       "deleted",
                       op->subject, (int)v->version);
            rs = SR_STORE_ERROR;
        } else {
            op->version_out = v->version;
            rs = op->permanent ? st->ops->version_remove(st, op->subject, v->version, err)
                               : st->ops->version_set_deleted(st, op->subject, v->version, err);
            /* 7.x: the last active version gone (soft) or nothing left (permanent) drops the
             * subject's config and mode. */
            bool last = op->permanent ? vl.len == 1 : active == 1;
            if (rs == SR_STORE_OK && last)
                rs = core_drop_subject_settings(core, op->subject, err);
        }
    }
    sr_version_list_fini(&vl);
    return rs;
}

bool sr_core_delete_version(struct sr_core *core, const char *subject, int32_t version,
                            const char *version_text, bool permanent, int32_t *out,
                            struct sr_err *err)
{
    struct delete_op op = {.subject = subject,
                           .version = version,
                           .version_text = version_text,
                           .permanent = permanent};
    if (!core_effective_mode(core, subject, &op.mode, err))
        return false;
    if (!core_in_tx(core, subject, delete_version_tx, &op, err))
        return false;
    *out = op.version_out;
    return true;
}

static enum sr_store_status delete_subject_tx(struct sr_core *core, void *arg, struct sr_err *err)
{
    struct delete_op *op = arg;
    struct sr_store *st = core->store;
    struct sr_version_list vl = {0};
    /* The mode as it is now, under the subject lock. */
    if (!core_effective_mode(core, op->subject, &op->mode, err))
        return SR_STORE_ERROR;
    enum sr_store_status rs = st->ops->subject_versions(st, op->subject, &vl, err);
    if (rs != SR_STORE_OK)
        return rs;
    size_t active = 0;
    for (size_t i = 0; i < vl.len; i++)
        active += !vl.items[i].deleted;
    rs = SR_STORE_ERROR;
    sr_int_list_fini(op->deleted);
    if (vl.len == 0) {
        sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", op->subject);
    } else if (!op->permanent && active == 0) {
        sr_err_set(err, SR_E_SUBJECT_SOFT_DELETED,
                   "Subject '%s' was soft deleted.Set permanent=true to delete permanently",
                   op->subject);
    } else if (core_check_not_readonly(op->mode, op->subject, err)) {
        rs = SR_STORE_OK;
        /* Ascending; for each version the reference check comes first. */
        for (size_t i = 0; rs == SR_STORE_OK && i < vl.len; i++) {
            const struct sr_version_record *v = &vl.items[i];
            if (!op->permanent && v->deleted)
                continue;
            rs = check_not_referenced(core, op->subject, v->version, err);
            if (rs == SR_STORE_OK && op->permanent && !v->deleted) {
                sr_err_set(err, SR_E_SUBJECT_NOT_SOFT_DELETED,
                           "Subject '%s' was not deleted first before being permanently "
                           "deleted",
                           op->subject);
                rs = SR_STORE_ERROR;
            }
        }
        for (size_t i = 0; rs == SR_STORE_OK && i < vl.len; i++) {
            const struct sr_version_record *v = &vl.items[i];
            if (!op->permanent && v->deleted)
                continue;
            rs = op->permanent ? st->ops->version_remove(st, op->subject, v->version, err)
                               : st->ops->version_set_deleted(st, op->subject, v->version, err);
            if (rs == SR_STORE_OK)
                core_int_list_push(op->deleted, v->version);
        }
        if (rs == SR_STORE_OK)
            rs = core_drop_subject_settings(core, op->subject, err);
    }
    sr_version_list_fini(&vl);
    return rs;
}

bool sr_core_delete_subject(struct sr_core *core, const char *subject, bool permanent,
                            struct sr_int_list *out, struct sr_err *err)
{
    struct delete_op op = {.subject = subject, .permanent = permanent, .deleted = out};
    if (!core_effective_mode(core, subject, &op.mode, err))
        return false;
    return core_in_tx(core, subject, delete_subject_tx, &op, err);
}
