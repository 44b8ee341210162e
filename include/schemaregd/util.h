/* SPDX-License-Identifier: Apache-2.0 */
/* Small shared helpers: allocation that aborts on out-of-memory, bounded byte buffers,
 * MD5 (for Confluent's schema identity hash) and text utilities. No I/O. */
#ifndef SCHEMAREGD_UTIL_H
#define SCHEMAREGD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SR_UNUSED(x) ((void)(x))
#if defined(__GNUC__)
#define SR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SR_PRINTF(f, a)
#endif

/* Allocation wrappers: never return NULL; abort the process on out-of-memory. Huge sizes are
 * made impossible by the input limits, so recovering from OOM is not attempted. */
void *sr_xmalloc(size_t n);
void *sr_xcalloc(size_t count, size_t size);
void *sr_xrealloc(void *p, size_t n);
char *sr_xstrdup(const char *s);
char *sr_xstrndup(const char *s, size_t n);
char *sr_xasprintf(const char *fmt, ...) SR_PRINTF(1, 2);

/* A growable byte buffer with a hard maximum (0 = no maximum beyond SIZE_MAX/2). data is NULL
 * until the first append and NUL-terminated from then on (sr_buf_take always returns a
 * string). Appending past the maximum fails and leaves the buffer marked as overflowed: later
 * appends fail too, so a caller may check once at the end. */
struct sr_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    bool overflow;
};

void sr_buf_init(struct sr_buf *b, size_t max);
void sr_buf_fini(struct sr_buf *b);
void sr_buf_reset(struct sr_buf *b);
bool sr_buf_add(struct sr_buf *b, const void *data, size_t len);
bool sr_buf_adds(struct sr_buf *b, const char *s);
bool sr_buf_addc(struct sr_buf *b, char c);
bool sr_buf_printf(struct sr_buf *b, const char *fmt, ...) SR_PRINTF(2, 3);
/* Ownership out: returns the NUL-terminated data (never NULL) and leaves the buffer empty. */
char *sr_buf_take(struct sr_buf *b);

/* MD5 (RFC 1321), incremental. */
struct sr_md5 {
    uint32_t state[4];
    uint64_t bytes;
    unsigned char block[64];
};
void sr_md5_init(struct sr_md5 *m);
void sr_md5_update(struct sr_md5 *m, const void *data, size_t len);
void sr_md5_final(struct sr_md5 *m, unsigned char out[16]);

/* qsort that accepts an empty (possibly NULL) array. */
void sr_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Text helpers. */
bool sr_str_ieq(const char *a, const char *b);
/* Parses a Java-style decimal int (optional sign, leading zeros allowed, surrounding
 * whitespace trimmed) into *out. False when not an int in [-2^31, 2^31-1]. */
bool sr_parse_int32(const char *s, int32_t *out);
/* Percent-decodes src[0..len) into a new string; '+' stays '+'. Returns NULL on a bad
 * escape or when the result would contain a NUL byte. */
char *sr_percent_decode(const char *src, size_t len);
/* Compares two UTF-8 strings in Java String order (UTF-16 code units). */
int sr_utf16_cmp(const char *a, const char *b);
/* True when s contains an ISO control character (U+0000-U+001F, U+007F-U+009F). */
bool sr_has_control_chars(const char *s);
/* True when s is valid UTF-8. */
bool sr_utf8_valid(const char *s, size_t len);
/* Monotonic milliseconds. */
int64_t sr_now_ms(void);

#endif
