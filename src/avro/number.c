/* SPDX-License-Identifier: Apache-2.0 */
/* Numbers and JSON text as Java writes them: Double.toString for doubles (Jackson writes
 * DoubleNode defaults that way), and Jackson's string escaping. Used for canonical strings
 * and for JSON fragments quoted in error messages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_int.h"

void avro_format_double(double d, char *out, size_t cap)
{
    if (isnan(d)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, cap, d < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (d == 0) {
        snprintf(out, cap, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    if (fabs(d) == 4.9406564584124654e-324) {
        /* Double.MIN_VALUE: Java prints two digits where one would do. */
        snprintf(out, cap, d < 0 ? "-4.9E-324" : "4.9E-324");
        return;
    }
    /* Shortest digit string that reads back as d (Java's Double.toString picks the shortest
     * uniquely-identifying digits; glibc's printf rounds correctly). */
    char sci[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(sci, sizeof(sci), "%.*e", p - 1, d);
        if (strtod(sci, NULL) == d)
            break;
    }
    const char *s = sci;
    bool neg = *s == '-';
    if (neg)
        s++;
    char digits[24];
    size_t nd = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && nd < sizeof(digits) - 1)
            digits[nd++] = *s;
    digits[nd] = '\0';
    int exp10 = *s == 'e' ? atoi(s + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = '\0';

    struct sr_buf b;
    sr_buf_init(&b, 0);
    if (neg)
        sr_buf_addc(&b, '-');
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++)
                sr_buf_addc(&b, (size_t)i < nd ? digits[i] : '0');
            sr_buf_addc(&b, '.');
            if ((size_t)exp10 + 1 < nd)
                sr_buf_adds(&b, digits + exp10 + 1);
            else
                sr_buf_addc(&b, '0');
        } else {
            sr_buf_adds(&b, "0.");
            for (int i = 0; i < -exp10 - 1; i++)
                sr_buf_addc(&b, '0');
            sr_buf_adds(&b, digits);
        }
    } else {
        sr_buf_addc(&b, digits[0]);
        sr_buf_addc(&b, '.');
        sr_buf_adds(&b, nd > 1 ? digits + 1 : "0");
        sr_buf_printf(&b, "E%d", exp10);
    }
    snprintf(out, cap, "%s", b.data);
    sr_buf_fini(&b);
}

/* Jackson's escaping: '"', '\\' and control characters (short forms where JSON has them,
 * else \u00XX in upper case); '/', DEL and non-ASCII raw. A NUL, whether a real byte (JSON
 * values) or kept as C0 80 (parsed names and texts), is written \u0000. */
static void write_escaped(struct sr_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    sr_buf_addc(b, '"');
    const char *run = s;
    for (size_t i = 0; i < len; i++) {
        const unsigned char ch = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], '\0'};
        size_t skip = 1;
        switch (ch) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\r':
            esc = "\\r";
            break;
        case 0xC0:
            if (i + 1 < len && (unsigned char)s[i + 1] == 0x80) {
                esc = "\\u0000";
                skip = 2;
            }
            break;
        default:
            if (ch < 0x20)
                esc = u;
        }
        if (esc) {
            sr_buf_add(b, run, (size_t)(s + i - run));
            sr_buf_adds(b, esc);
            i += skip - 1;
            run = s + i + 1;
        }
    }
    sr_buf_add(b, run, (size_t)(s + len - run));
    sr_buf_addc(b, '"');
}

void avro_write_json_string(struct sr_buf *b, const char *s)
{
    write_escaped(b, s, strlen(s));
}

char *avro_message_text(const char *s)
{
    if (!strchr(s, '\xC0'))
        return sr_xstrdup(s);
    struct sr_buf b;
    sr_buf_init(&b, 0);
    for (const char *p = s; *p; p++) {
        if ((unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80) {
            sr_buf_adds(&b, "\\u0000");
            p++;
        } else {
            sr_buf_addc(&b, *p);
        }
    }
    return sr_buf_take(&b);
}

static int key_cmp(const void *a, const void *b)
{
    return sr_utf16_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The member names of obj (borrowed; free the array), sorted in Java String order when
 * asked, else in document order. */
static const char **member_names(const json_t *obj, bool sort, size_t *n)
{
    *n = json_object_size(obj);
    const char **keys = sr_xmalloc((*n ? *n : 1) * sizeof(*keys));
    size_t k = 0;
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)(uintptr_t)obj, key, val) keys[k++] = key;
    if (sort)
        sr_sort(keys, k, sizeof(*keys), key_cmp);
    return keys;
}

void avro_write_sorted_members(struct sr_buf *b, const json_t *obj)
{
    size_t k;
    const char **keys = member_names(obj, true, &k);
    for (size_t i = 0; i < k; i++) {
        sr_buf_addc(b, ',');
        avro_write_json_string(b, keys[i]);
        sr_buf_addc(b, ':');
        avro_write_json(b, json_object_get(obj, keys[i]), true);
    }
    free(keys);
}

void avro_write_json(struct sr_buf *b, const json_t *v, bool sort_keys)
{
    char num[40];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t k;
        const char **keys = member_names(v, sort_keys, &k);
        sr_buf_addc(b, '{');
        for (size_t i = 0; i < k; i++) {
            if (i)
                sr_buf_addc(b, ',');
            avro_write_json_string(b, keys[i]);
            sr_buf_addc(b, ':');
            avro_write_json(b, json_object_get(v, keys[i]), sort_keys);
        }
        sr_buf_addc(b, '}');
        free(keys);
        break;
    }
    case JSON_ARRAY:
        sr_buf_addc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                sr_buf_addc(b, ',');
            avro_write_json(b, json_array_get(v, i), sort_keys);
        }
        sr_buf_addc(b, ']');
        break;
    case JSON_STRING:
        write_escaped(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        sr_buf_printf(b, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        avro_format_double(json_real_value(v), num, sizeof(num));
        sr_buf_adds(b, num);
        break;
    case JSON_TRUE:
        sr_buf_adds(b, "true");
        break;
    case JSON_FALSE:
        sr_buf_adds(b, "false");
        break;
    case JSON_NULL:
        sr_buf_adds(b, "null");
        break;
    }
}
