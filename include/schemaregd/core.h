/* SPDX-License-Identifier: Apache-2.0 */
/* The registry's rules: registration, lookup, versions, deletes, compatibility policy,
 * config and modes, references. Core knows neither HTTP nor SQL: it is called by src/http
 * with decoded parameters and talks to storage through store.h. Every function that can
 * fail takes `struct sr_err *err` last; err carries the Confluent error to answer with. */
#ifndef SCHEMAREGD_CORE_H
#define SCHEMAREGD_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "schemaregd/config.h"
#include "schemaregd/err.h"
#include "schemaregd/store.h"

struct sr_core;

/* A schema as submitted in a register, lookup or compatibility body. All pointers are
 * borrowed from the parsed request. */
struct sr_schema_request {
    const char *schema;      /* NULL when absent */
    const char *schema_type; /* NULL when absent (AVRO) */
    json_t *references;      /* array or NULL */
    json_t *metadata;        /* object or NULL */
    json_t *rule_set;        /* object or NULL */
    int32_t version;         /* 0 when absent */
    int32_t id;              /* -1 when absent */
};

/* A subject-version with its schema, as returned by version reads, lookups and GET
 * /schemas. Strings are owned; free with sr_subject_version_fini. */
struct sr_subject_version {
    char *subject;
    int32_t version;
    int32_t id;
    char *schema_type;
    char *schema;
    char *references; /* JSON array text or NULL */
    char *metadata;   /* JSON object text or NULL */
    char *rule_set;   /* JSON object text or NULL */
    bool deleted;
};

struct sr_subject_version_list {
    struct sr_subject_version *items;
    size_t len;
};

struct sr_string_list {
    char **items;
    size_t len;
};

struct sr_int_list {
    int32_t *items;
    size_t len;
};

/* Schema representation asked for with ?format=. */
enum sr_schema_format { SR_FORMAT_DEFAULT, SR_FORMAT_RESOLVED };

/* Paging of list endpoints: offset >= 0, limit <= 0 means "no limit". */
struct sr_page {
    int32_t offset;
    int32_t limit;
};

/* Which versions a listing shows. */
struct sr_visibility {
    bool deleted;      /* soft-deleted ones too */
    bool deleted_only; /* only soft-deleted ones (wins over deleted) */
};

/* Result of a compatibility check: messages in Confluent's format (owned strings). */
struct sr_compat_result {
    bool is_compatible;
    struct sr_string_list messages;
};

/* Creates the core. cfg and store are borrowed and must outlive it. */
struct sr_core *sr_core_new(const struct sr_config *cfg, struct sr_store *store);
void sr_core_free(struct sr_core *core);

/* The store's write generation (see sr_store_ops.generation), or 0 when responses must not
 * be reused (PostgreSQL: other instances write too). */
uint64_t sr_core_data_generation(struct sr_core *core);

/* True when the store is reachable and migrated. */
bool sr_core_ready(struct sr_core *core, struct sr_err *err);

/* Parses a {version} path value: "latest" (any case) or "-1" give -1, otherwise an int in
 * [1, 2^31-1]. Anything else sets 42202 and returns false. */
bool sr_core_parse_version(const char *text, int32_t *out, struct sr_err *err);

/* The answer to a registration. Confluent 7.x replies {"id":N} unless the registry changed
 * the schema (metadata inherited from the previous version, or confluent:version stamped for
 * an explicit version): then full is set and the other members describe the stored version. */
struct sr_register_result {
    int32_t id;
    bool full;
    struct sr_subject_version stored; /* set when full */
};

/* POST /subjects/{s}/versions. */
bool sr_core_register(struct sr_core *core, const char *subject,
                      const struct sr_schema_request *req, bool normalize,
                      struct sr_register_result *out, struct sr_err *err);
/* POST /subjects/{s}: finds the version of subject holding this schema. */
bool sr_core_lookup(struct sr_core *core, const char *subject, const struct sr_schema_request *req,
                    bool normalize, bool deleted, enum sr_schema_format format,
                    struct sr_subject_version *out, struct sr_err *err);

/* GET /subjects. */
bool sr_core_subjects(struct sr_core *core, const char *prefix, struct sr_visibility vis,
                      struct sr_page page, struct sr_string_list *out, struct sr_err *err);
/* GET /subjects/{s}/versions. */
bool sr_core_versions(struct sr_core *core, const char *subject, struct sr_visibility vis,
                      struct sr_page page, struct sr_int_list *out, struct sr_err *err);
/* GET /subjects/{s}/versions/{v} (version -1 = latest active). */
bool sr_core_version_get(struct sr_core *core, const char *subject, int32_t version, bool deleted,
                         enum sr_schema_format format, struct sr_subject_version *out,
                         struct sr_err *err);
/* GET /subjects/{s}/metadata: the latest version whose metadata properties contain every
 * given key/value pair (n pairs). */
bool sr_core_version_by_metadata(struct sr_core *core, const char *subject, const char *const *keys,
                                 const char *const *values, size_t n, bool deleted,
                                 enum sr_schema_format format, struct sr_subject_version *out,
                                 struct sr_err *err);
/* GET /subjects/{s}/versions/{v}/referencedby. */
bool sr_core_referenced_by(struct sr_core *core, const char *subject, int32_t version,
                           struct sr_int_list *out, struct sr_err *err);
/* GET /schemas/ids/{id}: out->subject/version are set only when a carrier was chosen. */
bool sr_core_schema_by_id(struct sr_core *core, int32_t id, const char *subject,
                          enum sr_schema_format format, struct sr_subject_version *out,
                          struct sr_err *err);
/* Highest schema id in use (fetchMaxId). */
bool sr_core_max_schema_id(struct sr_core *core, int32_t *out, struct sr_err *err);
/* GET /schemas/ids/{id}/versions (and /subjects: take the subjects of the result). */
bool sr_core_schema_carriers(struct sr_core *core, int32_t id, const char *subject, bool deleted,
                             struct sr_page page, struct sr_subject_version_list *out,
                             struct sr_err *err);
/* GET /schemas. */
bool sr_core_schemas_list(struct sr_core *core, const char *prefix, bool deleted, bool latest_only,
                          struct sr_page page, struct sr_subject_version_list *out,
                          struct sr_err *err);

/* DELETE /subjects/{s}: the deleted version numbers. */
bool sr_core_delete_subject(struct sr_core *core, const char *subject, bool permanent,
                            struct sr_int_list *out, struct sr_err *err);
/* DELETE /subjects/{s}/versions/{v}: the deleted version number. */
bool sr_core_delete_version(struct sr_core *core, const char *subject, int32_t version,
                            const char *version_text, bool permanent, int32_t *out,
                            struct sr_err *err);

/* POST /compatibility/subjects/{s}/versions[/{v}]. version_given false: against all
 * versions the level asks for. */
bool sr_core_check_compatibility(struct sr_core *core, const char *subject, bool version_given,
                                 int32_t version, const char *version_text,
                                 const struct sr_schema_request *req, bool normalize, bool verbose,
                                 struct sr_compat_result *out, struct sr_err *err);

/* Config. subject NULL = global. get returns a new JSON object in GET shape
 * ({"compatibilityLevel":...}); put takes the PUT body and returns the echo; delete returns
 * the previous config in GET shape. */
json_t *sr_core_config_get(struct sr_core *core, const char *subject, bool default_to_global,
                           struct sr_err *err);
json_t *sr_core_config_put(struct sr_core *core, const char *subject, json_t *body,
                           struct sr_err *err);
json_t *sr_core_config_delete(struct sr_core *core, const char *subject, struct sr_err *err);

/* Modes, same conventions ({"mode":...}). */
json_t *sr_core_mode_get(struct sr_core *core, const char *subject, bool default_to_global,
                         struct sr_err *err);
json_t *sr_core_mode_put(struct sr_core *core, const char *subject, json_t *body, bool force,
                         struct sr_err *err);
json_t *sr_core_mode_delete(struct sr_core *core, const char *subject, struct sr_err *err);

/* Cleanup helpers (accept NULL / empty). */
void sr_subject_version_fini(struct sr_subject_version *sv);
void sr_subject_version_list_fini(struct sr_subject_version_list *l);
void sr_string_list_fini(struct sr_string_list *l);
void sr_int_list_fini(struct sr_int_list *l);
void sr_compat_result_fini(struct sr_compat_result *r);

#endif
