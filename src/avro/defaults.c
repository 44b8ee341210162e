/* SPDX-License-Identifier: Apache-2.0 */
/* Field default validation as Avro 1.11's isValidDefault: unions check their first branch
 * only; enum symbols and fixed lengths are not checked; records check each field, falling
 * back to that field's own default. */
#include "avro_int.h"

/* A record default may fall back to a field's own default of the same record type, which
 * could recurse without end (Java overflows its stack there): bound the depth. */
#define MAX_DEFAULT_DEPTH 256

static bool valid(const struct avro_node *type, const json_t *def, int depth)
{
    if (depth > MAX_DEFAULT_DEPTH)
        return false;
    switch (type->type) {
    case AVRO_STRING:
    case AVRO_BYTES:
    case AVRO_ENUM:
    case AVRO_FIXED:
        return json_is_string(def);
    case AVRO_INT:
        return json_is_integer(def) && json_integer_value(def) >= INT32_MIN &&
               json_integer_value(def) <= INT32_MAX;
    case AVRO_LONG:
        return json_is_integer(def);
    case AVRO_FLOAT:
    case AVRO_DOUBLE:
        return json_is_number(def);
    case AVRO_BOOLEAN:
        return json_is_boolean(def);
    case AVRO_NULL:
        return json_is_null(def);
    case AVRO_ARRAY:
        if (!json_is_array(def))
            return false;
        for (size_t i = 0; i < json_array_size(def); i++)
            if (!valid(type->child, json_array_get(def, i), depth + 1))
                return false;
        return true;
    case AVRO_MAP: {
        if (!json_is_object(def))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)(uintptr_t)def, k, v)
        {
            if (!valid(type->child, v, depth + 1))
                return false;
        }
        return true;
    }
    case AVRO_UNION:
        return type->n_branches > 0 && valid(type->branches[0], def, depth + 1);
    case AVRO_RECORD:
        if (!json_is_object(def))
            return false;
        for (size_t i = 0; i < type->n_fields; i++) {
            const struct avro_field *f = &type->fields[i];
            const json_t *v = json_object_get(def, f->name);
            if (!v)
                v = f->def;
            if (!v || !valid(f->type, v, depth + 1))
                return false;
        }
        return true;
    }
    return false;
}

bool avro_default_valid(const struct avro_node *type, const json_t *def)
{
    return valid(type, def, 0);
}
