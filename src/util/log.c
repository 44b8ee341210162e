/* SPDX-License-Identifier: Apache-2.0 */
/* Line-oriented logger on stderr, text or JSON. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "schemaregd/log.h"

static enum sr_log_level min_level = SR_LOG_INFO;
static bool json_lines;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool sr_log_setup(const char *level_name, bool json)
{
    json_lines = json;
    for (size_t i = 0; i < SR_ARRAY_LEN(level_names); i++) {
        if (sr_str_ieq(level_name, level_names[i])) {
            min_level = (enum sr_log_level)i;
            return true;
        }
    }
    return false;
}

bool sr_log_enabled(enum sr_log_level level)
{
    return level >= min_level;
}

/* Appends s to b as the inside of a JSON string. */
static void add_json_escaped(struct sr_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            sr_buf_addc(b, '\\');
            sr_buf_addc(b, (char)*p);
        } else if (*p < 0x20) {
            sr_buf_printf(b, "\\u%04x", *p);
        } else {
            sr_buf_addc(b, (char)*p);
        }
    }
}

void sr_log(enum sr_log_level level, uint64_t request_id, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* Messages never span lines: a line is an event. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[64];
    snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);

    struct sr_buf b;
    sr_buf_init(&b, 8192);
    if (json_lines) {
        sr_buf_printf(&b, "{\"level\":\"%s\",\"time\":\"%s\"", level_names[level], when);
        if (request_id)
            sr_buf_printf(&b, ",\"request_id\":%llu", (unsigned long long)request_id);
        sr_buf_adds(&b, ",\"msg\":\"");
        add_json_escaped(&b, msg);
        sr_buf_adds(&b, "\"}\n");
    } else {
        sr_buf_printf(&b, "%-5s %s ", level_names[level], when);
        if (request_id)
            sr_buf_printf(&b, "req=%llu ", (unsigned long long)request_id);
        sr_buf_adds(&b, msg);
        sr_buf_addc(&b, '\n');
    }
    if (b.data) {
        ssize_t w = write(STDERR_FILENO, b.data, b.len);
        SR_UNUSED(w);
    }
    sr_buf_fini(&b);
}
