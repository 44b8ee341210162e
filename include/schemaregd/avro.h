/* SPDX-License-Identifier: Apache-2.0 */
/* Our own Avro schema model (no avro-c): parse and validate schema text as Apache Avro Java
 * 1.11 does (the version Confluent Platform 7.x ships), print the canonical string Confluent
 * stores (Avro Java's Schema.toString form), and check reader/writer compatibility as Avro's
 * SchemaCompatibility does. Pure: no I/O, no registry knowledge. A parsed schema is
 * immutable and reference counted, so it may be shared across threads. */
#ifndef SCHEMAREGD_AVRO_H
#define SCHEMAREGD_AVRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schemaregd/err.h"

struct sr_avro_schema;

struct sr_avro_parse_options {
    bool validate_defaults; /* check field defaults against their types (new schemas) */
    int max_depth;          /* deepest nesting of types; 0 = 64 */
    size_t max_bytes;       /* longest schema text; 0 = no limit */
};

/* Parses text (len bytes, need not be NUL-terminated). refs are the texts of referenced
 * schemas, in dependency order (a reference's own references first): their named types
 * become known to text. Returns a new reference, or NULL with err set to 42201 and the Avro
 * parser's message (without Confluent's "Invalid schema" wrapping). */
struct sr_avro_schema *sr_avro_parse(const char *text, size_t len, const char *const *refs,
                                     const size_t *ref_lens, size_t n_refs,
                                     const struct sr_avro_parse_options *opts, struct sr_err *err);
struct sr_avro_schema *sr_avro_schema_incref(struct sr_avro_schema *s);
/* Drops a reference (accepts NULL). */
void sr_avro_schema_decref(struct sr_avro_schema *s);

enum sr_avro_form {
    /* What Confluent stores and returns: compact Schema.toString with the top-level types
     * of referenced schemas written as names. */
    SR_AVRO_FORM_CANONICAL,
    /* format=resolved: referenced types written in full. */
    SR_AVRO_FORM_RESOLVED,
    /* For semantic equivalence only: properties (recursively) and aliases sorted, so that
     * equal strings mean equal schemas up to property and alias order. */
    SR_AVRO_FORM_EQUIVALENCE,
    /* The same with referenced types written in full. */
    SR_AVRO_FORM_EQUIVALENCE_RESOLVED,
};

/* Confluent's normalization (normalize=true): properties and aliases sorted, empty docs of
 * named types dropped, defaults converted through their types, logical-type attributes
 * first; the result is parsed again with opts (and the same references). Returns a new
 * schema whose canonical form is the normalized string, or NULL with err (42201). */
struct sr_avro_schema *sr_avro_normalize(const struct sr_avro_schema *s,
                                         const struct sr_avro_parse_options *opts,
                                         struct sr_err *err);

/* Writes the schema in the given form. Returns a new string. */
char *sr_avro_to_string(const struct sr_avro_schema *s, enum sr_avro_form form);

/* One incompatibility found by the reader/writer check. */
enum sr_avro_incompat_type {
    SR_AVRO_NAME_MISMATCH,
    SR_AVRO_FIXED_SIZE_MISMATCH,
    SR_AVRO_MISSING_ENUM_SYMBOLS,
    SR_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE,
    SR_AVRO_TYPE_MISMATCH,
    SR_AVRO_MISSING_UNION_BRANCH,
};

struct sr_avro_incompat {
    enum sr_avro_incompat_type type;
    char *location; /* JSON pointer into the reader schema, "/" for the root */
    char *message;  /* Avro's message (Confluent's additionalInfo) */
};

struct sr_avro_compat {
    struct sr_avro_incompat *items;
    size_t len;
    char *exception; /* set when Avro's checker would throw; items are then meaningless */
};

/* Can data written with writer be read with reader? Fills out (caller frees with
 * sr_avro_compat_fini); compatible when out->len == 0 and out->exception == NULL. */
void sr_avro_compat_check(const struct sr_avro_schema *reader, const struct sr_avro_schema *writer,
                          struct sr_avro_compat *out);
void sr_avro_compat_fini(struct sr_avro_compat *c);
const char *sr_avro_incompat_name(enum sr_avro_incompat_type t);

#endif
