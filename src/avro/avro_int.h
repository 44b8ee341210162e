/* SPDX-License-Identifier: Apache-2.0 */
/* Private to src/avro: the schema tree, the name table, and the JSON writer shared by the
 * canonical printer and error messages. */
#ifndef SCHEMAREGD_AVRO_INT_H
#define SCHEMAREGD_AVRO_INT_H

#include <stdatomic.h>

#include <jansson.h>

#include "schemaregd/avro.h"
#include "schemaregd/util.h"

enum avro_type {
    AVRO_NULL,
    AVRO_BOOLEAN,
    AVRO_INT,
    AVRO_LONG,
    AVRO_FLOAT,
    AVRO_DOUBLE,
    AVRO_BYTES,
    AVRO_STRING,
    AVRO_RECORD,
    AVRO_ENUM,
    AVRO_FIXED,
    AVRO_ARRAY,
    AVRO_MAP,
    AVRO_UNION,
};

enum avro_order { AVRO_ORDER_ASCENDING, AVRO_ORDER_DESCENDING, AVRO_ORDER_IGNORE };

struct avro_node;

struct avro_field {
    char *name;
    char *doc;
    struct avro_node *type;
    json_t *def; /* default value, NULL when absent (JSON null is a value) */
    enum avro_order order;
    char **aliases; /* verbatim, duplicates removed */
    size_t n_aliases;
    json_t *props; /* custom properties in document order, NULL when none */
    size_t pos;
};

/* A type. Named types (record, enum, fixed) are shared: every reference to a name points at
 * the node that defined it. Primitives get a fresh node at every occurrence, as Java's
 * Names.get does; the compatibility memo depends on that identity. */
struct avro_node {
    enum avro_type type;
    json_t *props; /* custom properties in document order, NULL when none */
    /* named types */
    char *name;     /* simple name */
    char *space;    /* namespace, NULL for the null namespace */
    char *fullname; /* space.name or name */
    char *doc;
    char **aliases; /* full names, duplicates removed */
    size_t n_aliases;
    bool is_error;
    /* record */
    struct avro_field *fields;
    size_t n_fields;
    /* enum */
    char **symbols;
    size_t n_symbols;
    char *enum_default;
    /* fixed */
    int32_t size;
    /* array items / map values */
    struct avro_node *child;
    /* union */
    struct avro_node **branches;
    size_t n_branches;
};

struct sr_avro_schema {
    atomic_int refcount;
    struct avro_node *root;
    /* Every node, for freeing; named nodes appear once. */
    struct avro_node **nodes;
    size_t n_nodes, cap_nodes;
    /* Named types defined by referenced schemas: written as names in canonical form. */
    struct avro_node **ref_types;
    size_t n_ref_types;
    /* The referenced schemas' texts, kept for re-parsing (normalization). */
    char **ref_texts;
    size_t *ref_lens;
    size_t n_refs;
};

/* Type names as Avro writes them ("int", "record", ...) and as compatibility messages do
 * ("INT", "RECORD", ...). */
const char *avro_type_name(enum avro_type t);
const char *avro_type_upper(enum avro_type t);
bool avro_is_named(enum avro_type t);
/* For a primitive type name, sets *t and returns true. */
bool avro_primitive_from_name(const char *name, enum avro_type *t);
/* True when name is one of the 14 Schema.Type names (record, enum, ..., null). */
bool avro_is_type_name(const char *name);

/* The name Java's getQualified(space) gives: the simple name when the node's namespace is
 * space and the name is no type name, else the full name. */
const char *avro_qualified_name(const struct avro_node *n, const char *space);

/* JSON writing with Jackson's conventions (compact; doubles as Java's Double.toString;
 * non-finite doubles quoted; escapes as WriterBasedJsonGenerator). sort_keys writes object
 * members sorted by key (recursively), for equivalence comparisons. */
void avro_write_json_string(struct sr_buf *b, const char *s);
/* A copy of s for messages: a NUL kept as C0 80 becomes the text \u0000, so messages are
 * valid UTF-8 (new string). */
char *avro_message_text(const char *s);
void avro_write_json(struct sr_buf *b, const json_t *v, bool sort_keys);
/* Writes ,"k":v for each member of obj, keys sorted (Java String order), values with their
 * object members sorted too. */
void avro_write_sorted_members(struct sr_buf *b, const json_t *obj);
/* Java's Double.toString(d) into out (at least 32 bytes). */
void avro_format_double(double d, char *out, size_t cap);

/* Name validation as Avro 1.11's validateName (Unicode-aware, per UTF-16 unit). Returns
 * NULL when valid, else the message (static text that the caller prefixes/suffixes). */
bool avro_name_valid(const char *name, struct sr_buf *msg);

/* Default value validation (Avro 1.11 isValidDefault). */
bool avro_default_valid(const struct avro_node *type, const json_t *def);

/* Java character classes for the BMP (java_chars.c, generated). */
struct sr_char_range {
    uint16_t lo, hi;
};
extern const struct sr_char_range sr_java_letter[];
extern const unsigned sr_java_letter_len;
extern const struct sr_char_range sr_java_letter_or_digit[];
extern const unsigned sr_java_letter_or_digit_len;

/* Writes a node as Avro's standalone toString, names in full (emit.c; for messages). */
void avro_node_write_standalone(struct sr_buf *b, const struct avro_node *n);

/* Schema allocation helpers (schema.c). */
struct avro_node *avro_node_new(struct sr_avro_schema *s, enum avro_type t);

#endif
