/* SPDX-License-Identifier: Apache-2.0 */
/* Avro 1.11 name validation: the first UTF-16 unit must be a Java letter or '_', the others
 * letters, digits or '_'. Characters outside the BMP are surrogate pairs and therefore never
 * valid, as in Java. */
#include <string.h>

#include "avro_int.h"

static bool in_ranges(uint32_t c, const struct sr_char_range *r, unsigned n)
{
    if (c > 0xFFFF)
        return false;
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (c < r[mid].lo)
            hi = mid;
        else if (c > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Decodes one UTF-8 code point (input is valid UTF-8: it came through jansson). */
static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = *s++;
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (more)
        c &= 0x3F >> more;
    while (more-- > 0 && *s)
        c = (c << 6) | (*s++ & 0x3F);
    *p = s;
    return c;
}

bool avro_name_valid(const char *name, struct sr_buf *msg)
{
    if (!name) {
        sr_buf_adds(msg, "Null name");
        return false;
    }
    if (!*name) {
        sr_buf_adds(msg, "Empty name");
        return false;
    }
    const unsigned char *p = (const unsigned char *)name;
    uint32_t c = utf8_next(&p);
    if (!(c == '_' || in_ranges(c, sr_java_letter, sr_java_letter_len))) {
        sr_buf_printf(msg, "Illegal initial character: %s", name);
        return false;
    }
    while (*p) {
        c = utf8_next(&p);
        if (!(c == '_' || in_ranges(c, sr_java_letter_or_digit, sr_java_letter_or_digit_len))) {
            sr_buf_printf(msg, "Illegal character in: %s", name);
            return false;
        }
    }
    return true;
}
