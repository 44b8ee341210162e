/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/core: the core object, the parsed-schema cache, request parsing and the
 * helpers shared by the operation files. */
#ifndef SCHEMAREGD_CORE_INT_H
#define SCHEMAREGD_CORE_INT_H

#include <pthread.h>

#include "schemaregd/avro.h"
#include "schemaregd/core.h"
#include "schemaregd/log.h"

enum compat_level {
    LEVEL_NONE,
    LEVEL_BACKWARD,
    LEVEL_BACKWARD_TRANSITIVE,
    LEVEL_FORWARD,
    LEVEL_FORWARD_TRANSITIVE,
    LEVEL_FULL,
    LEVEL_FULL_TRANSITIVE,
    LEVEL_COUNT
};

enum registry_mode { MODE_READWRITE, MODE_READONLY, MODE_READONLY_OVERRIDE, MODE_IMPORT };

struct schema_cache;

struct sr_core {
    const struct sr_config *cfg;
    struct sr_store *store;
    enum compat_level default_level;
    struct schema_cache *cache;
};

/* A stored schema made ready for use: its record and its parse (with references resolved).
 * Shared, immutable, reference counted; ids never change content, so entries never go
 * stale. */
struct loaded_schema {
    int refcount; /* atomic via __atomic builtins */
    struct sr_schema_record rec;
    struct sr_avro_schema *parsed;
};

/* A schema from a request, parsed and canonicalized. */
struct parsed_request {
    struct sr_avro_schema *schema;
    char *canonical;  /* the string to store (normalized when asked) */
    char *references; /* canonical JSON array text, NULL when none */
    char *metadata;   /* JSON text or NULL */
    char *rule_set;   /* JSON text or NULL */
    unsigned char hash[16];
};

/* ---- registry.c ---- */
const char *core_level_name(enum compat_level l);
bool core_level_parse(const char *text, enum compat_level *out);
const char *core_mode_name(enum registry_mode m);
bool core_mode_parse(const char *text, enum registry_mode *out);
/* Maps a store failure to err (the store already filled it for UNAVAILABLE/ERROR). */
bool core_store_failed(enum sr_store_status st, struct sr_err *err);
/* 42208 when subject is not acceptable for writes. */
bool core_check_subject(struct sr_core *core, const char *subject, struct sr_err *err);
/* Effective mode of subject (NULL = global). */
bool core_effective_mode(struct sr_core *core, const char *subject, enum registry_mode *out,
                         struct sr_err *err);
/* Effective compatibility level and normalize flag for subject. */
bool core_effective_config(struct sr_core *core, const char *subject, enum compat_level *level,
                           bool *normalize, struct sr_err *err);
/* Runs body inside a subject-locked transaction (NULL subject = global lock), retrying on
 * SR_STORE_RETRY up to the configured attempts. body returns a store status and fills err
 * for failures of its own (then it returns SR_STORE_ERROR with err->code set). */
typedef enum sr_store_status (*core_tx_body)(struct sr_core *core, void *arg, struct sr_err *err);
bool core_in_tx(struct sr_core *core, const char *lock_subject, core_tx_body body, void *arg,
                struct sr_err *err);
bool core_schema_is_blank(const char *schema);
/* Reads every version of subject (outside a transaction); false with err set on a store
 * failure. Inside transactions call the store directly: the caller needs its status. */
bool core_read_versions(struct sr_core *core, const char *subject, struct sr_version_list *out,
                        struct sr_err *err);

/* ---- refs.c ---- */
/* Parses req's schema for subject: references resolved (transitively), canonical string,
 * identity hash. validate_defaults selects the strict parse of new schemas. The error is
 * 42201 in Confluent's wording. */
bool core_parse_request(struct sr_core *core, const char *subject,
                        const struct sr_schema_request *req, const char *schema_text,
                        const char *references_json, bool normalize, bool validate_defaults,
                        struct parsed_request *out, struct sr_err *err);
void parsed_request_fini(struct parsed_request *p);
/* Computes Confluent's identity hash. */
void core_identity_hash(const char *canonical, const char *references_json, const char *metadata,
                        const char *rule_set, unsigned char out[16]);
/* Loads the stored schema with this id, parsed. With hash (read from the database in this
 * request, e.g. from a version row) a cached entry with that hash is used without a query;
 * without it the record is read first, so a deleted id is never served from the cache.
 * NULL with err set when missing (40403 "Schema <id> not found") or on store errors.
 * Returns a new reference. */
struct loaded_schema *core_load_schema(struct sr_core *core, int32_t id, const unsigned char *hash,
                                       struct sr_err *err);
void loaded_schema_release(struct loaded_schema *ls);
/* Copies the content fields of ls (type, schema in the requested format, references,
 * metadata, rule set) into sv. */
void core_fill_content(struct sr_subject_version *sv, const struct loaded_schema *ls,
                       enum sr_schema_format format);
/* 42205 "Subject <s> is in read-only mode" when mode forbids writes (subject NULL: global). */
bool core_check_not_readonly(enum registry_mode mode, const char *subject, struct sr_err *err);
/* Renders the schema of ls in the requested format (new string). */
char *core_format_schema(const struct loaded_schema *ls, enum sr_schema_format format);
/* Semantic equivalence of a request and a stored schema (Confluent's canLookup). */
bool core_equivalent(const struct parsed_request *pr, const struct loaded_schema *ls);

/* ---- cache.c ---- */
struct schema_cache *schema_cache_new(size_t capacity);
void schema_cache_free(struct schema_cache *c);
/* Returns a new reference, or NULL. */
struct loaded_schema *schema_cache_get(struct schema_cache *c, int32_t id);
/* Inserts ls (the cache takes its own reference). */
void schema_cache_put(struct schema_cache *c, struct loaded_schema *ls);
/* Forgets an id (its content was permanently deleted). */
void schema_cache_forget(struct schema_cache *c, int32_t id);

/* ---- compat.c ---- */
/* Checks pr against the old versions (active ones, ascending) as level says; fills
 * out->messages in Confluent's format. False only on store errors. */
bool core_check_against(struct sr_core *core, const struct parsed_request *pr,
                        enum compat_level level, const struct sr_version_record *olds, size_t n_old,
                        struct sr_compat_result *out, struct sr_err *err);

/* ---- lookup.c ---- */
/* The version of a subject that holds pr: the newest visible version with the same identity
 * hash, else the newest visible one that is semantically equivalent. latest_only restricts
 * the search to the newest active version. *match is NULL when none; false on store errors. */
bool core_find_match(struct sr_core *core, const struct sr_version_list *versions,
                     const struct parsed_request *pr, bool include_deleted, bool latest_only,
                     const struct sr_version_record **match, struct sr_err *err);

/* ---- settings.c ---- */
/* Removes the subject-level config and mode (Confluent 7.x does so when a subject's last
 * active version is soft-deleted). */
enum sr_store_status core_drop_subject_settings(struct sr_core *core, const char *subject,
                                                struct sr_err *err);

/* String list helpers. */
void core_string_list_push(struct sr_string_list *l, const char *s);
void core_int_list_push(struct sr_int_list *l, int32_t v);

#endif
