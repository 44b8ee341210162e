/* SPDX-License-Identifier: Apache-2.0 */
/* The storage interface: a table of function pointers implemented by src/store/pg
 * (PostgreSQL through libpq) and src/store/sqlite (the embedded store). Core sees only this
 * header. Each calling thread gets its own database connection inside the implementation;
 * a transaction opened with sr_store_tx_begin belongs to the calling thread until commit or
 * rollback. Every call returns a status; detail for the log goes into err->detail, never
 * into the client message. */
#ifndef SCHEMAREGD_STORE_H
#define SCHEMAREGD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schemaregd/err.h"

enum sr_store_status {
    SR_STORE_OK = 0,
    SR_STORE_NOT_FOUND,   /* the row asked for does not exist */
    SR_STORE_RETRY,       /* concurrent change or lost connection: roll back and retry */
    SR_STORE_UNAVAILABLE, /* database unreachable or timed out: answer 500-class */
    SR_STORE_ERROR,       /* hard error (bug, constraint that must not fail) */
};

/* One stored schema content: identified by its global id, deduplicated by hash. */
struct sr_schema_record {
    int32_t id;
    unsigned char hash[16]; /* Confluent identity hash (MD5) */
    char *schema_type;      /* "AVRO" */
    char *schema;           /* canonical string */
    char *references;       /* JSON array text, or NULL when none */
    char *metadata;         /* JSON object text, or NULL */
    char *rule_set;         /* JSON object text, or NULL */
};

/* One subject-version row, with the identity hash of its schema content (so callers can
 * validate cached contents without another query). */
struct sr_version_record {
    char *subject;
    int32_t version;
    int32_t schema_id;
    bool deleted;
    unsigned char hash[16];
};

struct sr_version_list {
    struct sr_version_record *items;
    size_t len;
};

/* A subject with how many of its versions are active and soft-deleted. */
struct sr_subject_record {
    char *subject;
    int64_t active;
    int64_t deleted;
};

struct sr_subject_list {
    struct sr_subject_record *items;
    size_t len;
};

/* A reference of a stored schema to a subject-version (for referencedby and 42206). */
struct sr_ref_record {
    char *name;
    char *subject;
    int32_t version;
};

struct sr_id_list {
    int32_t *items;
    size_t len;
};

/* Scope of a config or mode row. */
enum sr_store_scope { SR_SCOPE_GLOBAL, SR_SCOPE_SUBJECT };
/* Which kind of setting: compatibility config (JSON object text) or mode (a mode name). */
enum sr_setting { SR_SETTING_CONFIG, SR_SETTING_MODE };

struct sr_store;

struct sr_store_ops {
    const char *name;
    void (*free)(struct sr_store *st);
    /* Readiness: connection works and migrations are applied. */
    enum sr_store_status (*ping)(struct sr_store *st, struct sr_err *err);
    /* Transactions. lock_subject serialises writers of that subject (across instances);
     * NULL takes the global write lock instead. */
    enum sr_store_status (*tx_begin)(struct sr_store *st, const char *lock_subject,
                                     struct sr_err *err);
    enum sr_store_status (*tx_commit)(struct sr_store *st, struct sr_err *err);
    void (*tx_rollback)(struct sr_store *st);

    /* Schemas (contents). */
    enum sr_store_status (*schema_by_id)(struct sr_store *st, int32_t id,
                                         struct sr_schema_record *out, struct sr_err *err);
    /* The id that owns this content hash (the first one registered), if any. */
    enum sr_store_status (*schema_id_by_hash)(struct sr_store *st, const unsigned char hash[16],
                                              int32_t *id_out, struct sr_err *err);
    /* Inserts a content. rec->id 0: allocate a new id from the sequence, or return the
     * existing owner of the hash (insert-or-get; concurrent inserts of one content converge
     * on one id). rec->id > 0 (IMPORT): use that id; when the id already exists with the same
     * hash it is returned, with a different hash *id_conflict is set and nothing is written.
     * Later allocated ids stay above every imported id. */
    enum sr_store_status (*schema_insert)(struct sr_store *st, const struct sr_schema_record *rec,
                                          int32_t *id_out, bool *id_conflict, struct sr_err *err);
    enum sr_store_status (*schema_max_id)(struct sr_store *st, int32_t *out, struct sr_err *err);
    enum sr_store_status (*schema_refs)(struct sr_store *st, int32_t id, struct sr_ref_record **out,
                                        size_t *n, struct sr_err *err);

    /* Versions. */
    enum sr_store_status (*subject_versions)(struct sr_store *st, const char *subject,
                                             struct sr_version_list *out, struct sr_err *err);
    enum sr_store_status (*version_insert)(struct sr_store *st, const char *subject,
                                           int32_t version, int32_t schema_id, struct sr_err *err);
    enum sr_store_status (*version_set_deleted)(struct sr_store *st, const char *subject,
                                                int32_t version, struct sr_err *err);
    /* Permanently removes a version; drops the subject and the schema content when nothing
     * refers to them any more. */
    enum sr_store_status (*version_remove)(struct sr_store *st, const char *subject,
                                           int32_t version, struct sr_err *err);
    enum sr_store_status (*subjects_list)(struct sr_store *st, struct sr_subject_list *out,
                                          struct sr_err *err);
    /* Every version (deleted too) of subjects starting with prefix, by subject then version. */
    enum sr_store_status (*versions_by_prefix)(struct sr_store *st, const char *prefix,
                                               struct sr_version_list *out, struct sr_err *err);
    enum sr_store_status (*versions_by_schema_id)(struct sr_store *st, int32_t id,
                                                  struct sr_version_list *out, struct sr_err *err);
    /* Ids of schemas that reference subject/version, ascending. */
    enum sr_store_status (*referenced_by)(struct sr_store *st, const char *subject, int32_t version,
                                          struct sr_id_list *out, struct sr_err *err);

    /* Optional (NULL when the store cannot offer it): a number that changes after every
     * committed write, for stores that only this process can write (the embedded one). A
     * value read before a read operation still being current afterwards proves no write
     * happened in between; callers may then reuse a response computed under it. */
    uint64_t (*generation)(struct sr_store *st);

    /* Config and mode rows: opaque JSON text (config) or a mode name. */
    enum sr_store_status (*setting_get)(struct sr_store *st, enum sr_setting kind,
                                        enum sr_store_scope scope, const char *subject,
                                        char **value_out, struct sr_err *err);
    enum sr_store_status (*setting_put)(struct sr_store *st, enum sr_setting kind,
                                        enum sr_store_scope scope, const char *subject,
                                        const char *value, struct sr_err *err);
    enum sr_store_status (*setting_delete)(struct sr_store *st, enum sr_setting kind,
                                           enum sr_store_scope scope, const char *subject,
                                           struct sr_err *err);
};

struct sr_store {
    const struct sr_store_ops *ops;
};

/* Record helpers. */
void sr_schema_record_fini(struct sr_schema_record *r);
void sr_version_list_fini(struct sr_version_list *l);
void sr_subject_list_fini(struct sr_subject_list *l);
void sr_ref_records_free(struct sr_ref_record *refs, size_t n);
void sr_id_list_fini(struct sr_id_list *l);
/* Appends a row; hash_hex is the 32-digit hex identity hash (or NULL). */
void sr_version_list_push(struct sr_version_list *l, const char *subject, int32_t version,
                          int32_t schema_id, bool deleted, const char *hash_hex);
/* Decodes 32 hex digits into 16 bytes; false on bad input. */
bool sr_hash_from_hex(const char *hex, unsigned char out[16]);
void sr_hash_to_hex(const unsigned char hash[16], char out[33]);
const char *sr_store_status_name(enum sr_store_status s);

/* Frees a store (accepts NULL). */
void sr_store_free(struct sr_store *st);

/* A numbered migration: its version and SQL text (borrowed, static). */
struct sr_migration {
    int version;
    const char *name;
    const char *sql;
};
/* The compiled-in migrations of a dialect ("pg" or "sqlite"), ascending; sets *n. */
const struct sr_migration *sr_store_migrations(const char *dialect, size_t *n);

#endif
