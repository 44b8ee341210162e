/* SPDX-License-Identifier: Apache-2.0 */
/* Listings: subjects, a subject's versions, GET /schemas, the carriers of an id and
 * referencedby, with Confluent's visibility flags, ordering and paging. */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

static bool visible(bool deleted_flag, struct sr_visibility vis)
{
    if (vis.deleted_only)
        return deleted_flag;
    return vis.deleted || !deleted_flag;
}

/* Applies offset/limit to a list of n items: the [start, end) range to keep. */
static void page_range(struct sr_page page, size_t n, size_t *start, size_t *end)
{
    size_t off = page.offset > 0 ? (size_t)page.offset : 0;
    *start = off < n ? off : n;
    *end = n;
    if (page.limit > 0 && (size_t)page.limit < *end - *start)
        *end = *start + (size_t)page.limit;
}

static int java_str_cmp(const void *a, const void *b)
{
    return sr_utf16_cmp(*(char *const *)a, *(char *const *)b);
}

bool sr_core_subjects(struct sr_core *core, const char *prefix, struct sr_visibility vis,
                      struct sr_page page, struct sr_string_list *out, struct sr_err *err)
{
    struct sr_subject_list sl = {0};
    enum sr_store_status rs = core->store->ops->subjects_list(core->store, &sl, err);
    if (rs != SR_STORE_OK)
        return core_store_failed(rs, err);
    /* ":*:" (Confluent's default) means every context; only the default one exists. */
    if (prefix && strcmp(prefix, ":*:") == 0)
        prefix = NULL;
    struct sr_string_list all = {0};
    for (size_t i = 0; i < sl.len; i++) {
        const struct sr_subject_record *s = &sl.items[i];
        if (prefix && strncmp(s->subject, prefix, strlen(prefix)) != 0)
            continue;
        /* deletedOnly: subjects whose every version is soft-deleted. */
        bool show = vis.deleted_only ? s->active == 0 : (s->active > 0 || vis.deleted);
        if (show)
            core_string_list_push(&all, s->subject);
    }
    sr_subject_list_fini(&sl);
    sr_sort(all.items, all.len, sizeof(*all.items), java_str_cmp);
    size_t start, end;
    page_range(page, all.len, &start, &end);
    for (size_t i = start; i < end; i++)
        core_string_list_push(out, all.items[i]);
    sr_string_list_fini(&all);
    return true;
}

bool sr_core_versions(struct sr_core *core, const char *subject, struct sr_visibility vis,
                      struct sr_page page, struct sr_int_list *out, struct sr_err *err)
{
    struct sr_version_list vl = {0};
    if (!core_read_versions(core, subject, &vl, err))
        return false;
    struct sr_int_list all = {0};
    for (size_t i = 0; i < vl.len; i++)
        if (visible(vl.items[i].deleted, vis))
            core_int_list_push(&all, vl.items[i].version);
    sr_version_list_fini(&vl);
    if (all.len == 0) {
        sr_int_list_fini(&all);
        return sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
    }
    size_t start, end;
    page_range(page, all.len, &start, &end);
    for (size_t i = start; i < end; i++)
        core_int_list_push(out, all.items[i]);
    sr_int_list_fini(&all);
    return true;
}

static int version_cmp(const void *a, const void *b)
{
    const struct sr_version_record *x = a, *y = b;
    int c = sr_utf16_cmp(x->subject, y->subject);
    if (c)
        return c;
    return (x->version > y->version) - (x->version < y->version);
}

/* Copies a version row (with its schema) into out. */
static bool push_version(struct sr_core *core, const struct sr_version_record *v,
                         struct sr_subject_version_list *out, struct sr_err *err)
{
    struct loaded_schema *ls = core_load_schema(core, v->schema_id, v->hash, err);
    if (!ls)
        return false;
    out->items = sr_xrealloc(out->items, (out->len + 1) * sizeof(*out->items));
    struct sr_subject_version *sv = &out->items[out->len++];
    memset(sv, 0, sizeof(*sv));
    sv->subject = sr_xstrdup(v->subject);
    sv->version = v->version;
    sv->id = v->schema_id;
    sv->deleted = v->deleted;
    core_fill_content(sv, ls, SR_FORMAT_DEFAULT);
    loaded_schema_release(ls);
    return true;
}

bool sr_core_schemas_list(struct sr_core *core, const char *prefix, bool deleted, bool latest_only,
                          struct sr_page page, struct sr_subject_version_list *out,
                          struct sr_err *err)
{
    struct sr_version_list vl = {0};
    enum sr_store_status rs =
        core->store->ops->versions_by_prefix(core->store, prefix ? prefix : "", &vl, err);
    if (rs != SR_STORE_OK)
        return core_store_failed(rs, err);
    sr_sort(vl.items, vl.len, sizeof(*vl.items), version_cmp);
    /* Visible rows; with latestOnly the highest visible version of each subject. */
    size_t *keep = sr_xmalloc((vl.len + 1) * sizeof(*keep));
    size_t n = 0;
    for (size_t i = 0; i < vl.len; i++) {
        if (!deleted && vl.items[i].deleted)
            continue;
        if (latest_only && n > 0 && strcmp(vl.items[keep[n - 1]].subject, vl.items[i].subject) == 0)
            n--;
        keep[n++] = i;
    }
    /* Confluent's schema.search default and maximum page size. */
    struct sr_page p = page;
    if (p.limit <= 0 || p.limit > core->cfg->max_list_limit)
        p.limit = core->cfg->max_list_limit;
    size_t start, end;
    page_range(p, n, &start, &end);
    bool ok = true;
    for (size_t i = start; ok && i < end; i++)
        ok = push_version(core, &vl.items[keep[i]], out, err);
    free(keep);
    sr_version_list_fini(&vl);
    return ok;
}

bool sr_core_schema_carriers(struct sr_core *core, int32_t id, const char *subject, bool deleted,
                             struct sr_page page, struct sr_subject_version_list *out,
                             struct sr_err *err)
{
    SR_UNUSED(subject); /* selects a context only; there is one */
    struct sr_version_list vl = {0};
    enum sr_store_status rs = core->store->ops->versions_by_schema_id(core->store, id, &vl, err);
    if (rs != SR_STORE_OK)
        return core_store_failed(rs, err);
    if (vl.len == 0) {
        sr_version_list_fini(&vl);
        return sr_err_set(err, SR_E_SCHEMA_NOT_FOUND, "Schema not found");
    }
    /* Confluent's order is a hash map's; sorting by subject, version is deterministic. */
    sr_sort(vl.items, vl.len, sizeof(*vl.items), version_cmp);
    size_t *keep = sr_xmalloc((vl.len + 1) * sizeof(*keep));
    size_t n = 0;
    for (size_t i = 0; i < vl.len; i++)
        if (deleted || !vl.items[i].deleted)
            keep[n++] = i;
    size_t start, end;
    page_range(page, n, &start, &end);
    for (size_t i = start; i < end; i++) {
        const struct sr_version_record *v = &vl.items[keep[i]];
        out->items = sr_xrealloc(out->items, (out->len + 1) * sizeof(*out->items));
        struct sr_subject_version *sv = &out->items[out->len++];
        memset(sv, 0, sizeof(*sv));
        sv->subject = sr_xstrdup(v->subject);
        sv->version = v->version;
        sv->id = v->schema_id;
        sv->deleted = v->deleted;
    }
    free(keep);
    sr_version_list_fini(&vl);
    return true;
}

bool sr_core_referenced_by(struct sr_core *core, const char *subject, int32_t version,
                           struct sr_int_list *out, struct sr_err *err)
{
    struct sr_version_list vl = {0};
    if (!core_read_versions(core, subject, &vl, err))
        return false;
    /* {version} resolves with soft-deleted numbered versions visible; latest = newest active. */
    const struct sr_version_record *found = NULL;
    for (size_t i = vl.len; i-- > 0 && !found;)
        if (version == -1 ? !vl.items[i].deleted : vl.items[i].version == version)
            found = &vl.items[i];
    bool ok = false;
    if (!found && vl.len == 0) {
        sr_err_set(err, SR_E_SUBJECT_NOT_FOUND, "Subject '%s' not found.", subject);
    } else if (!found) {
        sr_err_set(err, SR_E_VERSION_NOT_FOUND, "Version %d not found.", (int)version);
    } else {
        struct sr_id_list ids = {0};
        enum sr_store_status rs =
            core->store->ops->referenced_by(core->store, subject, found->version, &ids, err);
        ok = rs == SR_STORE_OK || core_store_failed(rs, err);
        for (size_t i = 0; ok && i < ids.len; i++)
            core_int_list_push(out, ids.items[i]);
        sr_id_list_fini(&ids);
    }
    sr_version_list_fini(&vl);
    return ok;
}
