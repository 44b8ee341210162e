/* SPDX-License-Identifier: Apache-2.0 */
/* The compatibility policy: which old versions a level checks, in which direction, and the
 * messages in Confluent's exact format ({errorType:'...', description:'...', ...},
 * {oldSchemaVersion: n}, {oldSchema: '...'}, {validateFields: 'false', compatibility: 'L'}). */
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

/* Confluent truncates the old schema quoted in messages to this many characters. */
#define OLD_SCHEMA_MAX 10240

static const char *description(const struct sr_avro_incompat *inc, const char *reader,
                               const char *writer, struct sr_buf *b)
{
    const char *p = inc->location;
    switch (inc->type) {
    case SR_AVRO_FIXED_SIZE_MISMATCH:
        sr_buf_printf(b,
                      "The size of FIXED type field at path '%s' in the %s schema does not "
                      "match with the %s schema",
                      p, reader, writer);
        break;
    case SR_AVRO_TYPE_MISMATCH:
        sr_buf_printf(b,
                      "The type (path '%s') of a field in the %s schema does not match with "
                      "the %s schema",
                      p, reader, writer);
        break;
    case SR_AVRO_NAME_MISMATCH:
        sr_buf_printf(b, "The name of the schema has changed (path '%s')", p);
        break;
    case SR_AVRO_MISSING_ENUM_SYMBOLS:
        sr_buf_printf(b, "The %s schema is missing enum symbols '%s' at path '%s' in the %s schema",
                      reader, inc->message, p, writer);
        break;
    case SR_AVRO_MISSING_UNION_BRANCH:
        sr_buf_printf(b,
                      "The %s schema is missing a type inside a union field at path '%s' in "
                      "the %s schema",
                      reader, p, writer);
        break;
    case SR_AVRO_READER_FIELD_MISSING_DEFAULT_VALUE:
        sr_buf_printf(b,
                      "The field '%s' at path '%s' in the %s schema has no default value and "
                      "is missing in the %s schema",
                      inc->message, p, reader, writer);
        break;
    }
    return b->data ? b->data : "";
}

/* One direction: reader can read data written with writer. Appends the messages; returns
 * true when compatible. */
static bool one_direction(const struct sr_avro_schema *reader, const struct sr_avro_schema *writer,
                          const char *reader_word, const char *writer_word,
                          struct sr_string_list *msgs)
{
    struct sr_avro_compat c;
    sr_avro_compat_check(reader, writer, &c);
    bool ok = c.len == 0 && !c.exception;
    if (c.exception) {
        char *m = sr_xasprintf("Unexpected exception during compatibility check: %s", c.exception);
        core_string_list_push(msgs, m);
        free(m);
    }
    for (size_t i = 0; !c.exception && i < c.len; i++) {
        struct sr_buf d, line;
        sr_buf_init(&d, 0);
        sr_buf_init(&line, 0);
        sr_buf_printf(&line, "{errorType:'%s', description:'%s', additionalInfo:'%s'}",
                      sr_avro_incompat_name(c.items[i].type),
                      description(&c.items[i], reader_word, writer_word, &d), c.items[i].message);
        core_string_list_push(msgs, line.data);
        sr_buf_fini(&d);
        sr_buf_fini(&line);
    }
    sr_avro_compat_fini(&c);
    return ok;
}

static void append_old_schema(struct sr_string_list *msgs, int32_t version, const char *old)
{
    char *m = sr_xasprintf("{oldSchemaVersion: %d}", (int)version);
    core_string_list_push(msgs, m);
    free(m);
    /* Truncation counts Java chars (UTF-16 units); for the common ASCII case bytes equal
     * chars. A multi-byte character is never split. */
    size_t len = strlen(old);
    if (len <= OLD_SCHEMA_MAX) {
        m = sr_xasprintf("{oldSchema: '%s'}", old);
    } else {
        size_t cut = OLD_SCHEMA_MAX;
        while (cut > 0 && ((unsigned char)old[cut] & 0xC0) == 0x80)
            cut--;
        m = sr_xasprintf("{oldSchema: <truncated> '%.*s...'}", (int)cut, old);
    }
    core_string_list_push(msgs, m);
    free(m);
}

/* Checks new against one old version per the level's direction(s). */
static bool check_one(enum compat_level level, const struct sr_avro_schema *new_schema,
                      const struct loaded_schema *old, int32_t old_version,
                      struct sr_string_list *msgs)
{
    bool backward = level == LEVEL_BACKWARD || level == LEVEL_BACKWARD_TRANSITIVE;
    bool forward = level == LEVEL_FORWARD || level == LEVEL_FORWARD_TRANSITIVE;
    bool ok = true;
    if (backward) {
        ok = one_direction(new_schema, old->parsed, "new", "old", msgs);
        if (!ok)
            append_old_schema(msgs, old_version, old->rec.schema);
    } else if (forward) {
        ok = one_direction(old->parsed, new_schema, "old", "new", msgs);
        if (!ok)
            append_old_schema(msgs, old_version, old->rec.schema);
    } else {
        /* FULL: the forward pass first, without the old-schema lines; then the backward pass
         * with them. */
        bool fwd = one_direction(old->parsed, new_schema, "old", "new", msgs);
        bool bwd = one_direction(new_schema, old->parsed, "new", "old", msgs);
        if (!bwd)
            append_old_schema(msgs, old_version, old->rec.schema);
        ok = fwd && bwd;
    }
    return ok;
}

bool core_check_against(struct sr_core *core, const struct parsed_request *pr,
                        enum compat_level level, const struct sr_version_record *olds, size_t n_old,
                        struct sr_compat_result *out, struct sr_err *err)
{
    memset(out, 0, sizeof(*out));
    out->is_compatible = true;
    if (level == LEVEL_NONE || n_old == 0)
        return true;
    bool transitive = level == LEVEL_BACKWARD_TRANSITIVE || level == LEVEL_FORWARD_TRANSITIVE ||
                      level == LEVEL_FULL_TRANSITIVE;
    /* Newest first; non-transitive levels look at the newest only; stop at the first
     * failing version. */
    size_t checked = 0;
    for (size_t i = n_old; i-- > 0 && (transitive || checked == 0);) {
        checked++;
        struct loaded_schema *old = core_load_schema(core, olds[i].schema_id, olds[i].hash, err);
        if (!old)
            return false;
        bool ok = check_one(level, pr->schema, old, olds[i].version, &out->messages);
        loaded_schema_release(old);
        if (!ok) {
            out->is_compatible = false;
            break;
        }
    }
    if (!out->is_compatible) {
        char *m =
            sr_xasprintf("{validateFields: 'false', compatibility: '%s'}", core_level_name(level));
        core_string_list_push(&out->messages, m);
        free(m);
    }
    return true;
}
