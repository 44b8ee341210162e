/* SPDX-License-Identifier: Apache-2.0 */
/* Growable byte buffers with a hard maximum (modelled on curl's dynbuf idea). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemaregd/util.h"

void sr_buf_init(struct sr_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
    b->overflow = false;
}

void sr_buf_fini(struct sr_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void sr_buf_reset(struct sr_buf *b)
{
    b->len = 0;
    b->overflow = false;
    if (b->data)
        b->data[0] = '\0';
}

static bool reserve(struct sr_buf *b, size_t extra)
{
    if (b->overflow)
        return false;
    if (extra > b->max || b->len > b->max - extra) {
        b->overflow = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = sr_xrealloc(b->data, cap);
    b->cap = cap;
    return true;
}

bool sr_buf_add(struct sr_buf *b, const void *data, size_t len)
{
    if (!reserve(b, len))
        return false;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return true;
}

bool sr_buf_adds(struct sr_buf *b, const char *s)
{
    return sr_buf_add(b, s, strlen(s));
}

bool sr_buf_addc(struct sr_buf *b, char c)
{
    return sr_buf_add(b, &c, 1);
}

bool sr_buf_printf(struct sr_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return false;
    if ((size_t)n < sizeof(small))
        return sr_buf_add(b, small, (size_t)n);
    if (!reserve(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

char *sr_buf_take(struct sr_buf *b)
{
    char *p = b->data ? b->data : sr_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
