/* SPDX-License-Identifier: Apache-2.0 */
/* The error table, expanded from errors.def, and the sr_err helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemaregd/err.h"

struct error_row {
    const char *name;
    int error_code;
    int http_status;
};

static struct error_row rows[SR_E_COUNT_] = {
    [SR_E_NONE] = {"NONE", 0, 200},
#define SR_ERROR(sym, code, http, pattern) [SR_E_##sym] = {#sym, code, http},
#include "schemaregd/errors.def"
#undef SR_ERROR
};

void sr_error_set_incompatible_code(int error_code)
{
    rows[SR_E_INCOMPATIBLE_SCHEMA].error_code = error_code;
}

int sr_error_code(enum sr_error code)
{
    return code < SR_E_COUNT_ ? rows[code].error_code : 500;
}

int sr_error_http_status(enum sr_error code)
{
    return code < SR_E_COUNT_ ? rows[code].http_status : 500;
}

const char *sr_error_name(enum sr_error code)
{
    return code < SR_E_COUNT_ ? rows[code].name : "?";
}

void sr_err_clear(struct sr_err *err)
{
    if (!err)
        return;
    err->code = SR_E_NONE;
    err->error_code = 0;
    err->http_status = 200;
    err->message[0] = '\0';
    err->detail[0] = '\0';
    free(err->long_message);
    err->long_message = NULL;
}

bool sr_err_set_owned(struct sr_err *err, enum sr_error code, char *message)
{
    if (!err) {
        free(message);
        return false;
    }
    sr_err_set(err, code, "%.64s", message);
    err->long_message = message;
    return false;
}

const char *sr_err_message(const struct sr_err *err)
{
    return err->long_message ? err->long_message : err->message;
}

bool sr_err_set(struct sr_err *err, enum sr_error code, const char *fmt, ...)
{
    if (!err)
        return false;
    err->code = code;
    err->error_code = sr_error_code(code);
    err->http_status = sr_error_http_status(code);
    err->detail[0] = '\0';
    free(err->long_message);
    err->long_message = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return false;
}

void sr_err_detail(struct sr_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
}
