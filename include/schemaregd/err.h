/* SPDX-License-Identifier: Apache-2.0 */
/* The registry's error value: a Confluent error code, its HTTP status, a message safe to
 * send to clients, and a separate log-only detail (SQLSTATE, library text). Fallible
 * functions take `struct sr_err *err` last and fill it on failure. */
#ifndef SCHEMAREGD_ERR_H
#define SCHEMAREGD_ERR_H

#include <stdbool.h>

#include "schemaregd/util.h"

enum sr_error {
    SR_E_NONE = 0,
#define SR_ERROR(sym, code, http, pattern) SR_E_##sym,
#include "schemaregd/errors.def"
#undef SR_ERROR
    SR_E_COUNT_
};

#define SR_ERR_MESSAGE_MAX 2048
#define SR_ERR_DETAIL_MAX 512

struct sr_err {
    enum sr_error code;
    int error_code; /* Confluent error_code sent to the client */
    int http_status;
    char message[SR_ERR_MESSAGE_MAX]; /* client-visible */
    char detail[SR_ERR_DETAIL_MAX];   /* log only, never sent */
    char *long_message;               /* owned; used instead of message when set */
};

/* Resets err to "no error", freeing a long message. Accepts NULL. Call before an sr_err
 * that may hold a long message goes out of scope. */
void sr_err_clear(struct sr_err *err);
/* Sets err to code with a client message of any length; takes ownership of message. */
bool sr_err_set_owned(struct sr_err *err, enum sr_error code, char *message);
/* The client-visible message (borrowed). */
const char *sr_err_message(const struct sr_err *err);
/* Sets err to code with a client message formatted from fmt (truncated to fit). Always
 * returns false so callers can write `return sr_err_set(...)`. Accepts a NULL err. */
bool sr_err_set(struct sr_err *err, enum sr_error code, const char *fmt, ...) SR_PRINTF(3, 4);
/* Adds log-only detail to an error already set. */
void sr_err_detail(struct sr_err *err, const char *fmt, ...) SR_PRINTF(2, 3);
/* The Confluent error_code / HTTP status / symbolic name of a code. */
int sr_error_code(enum sr_error code);
int sr_error_http_status(enum sr_error code);
const char *sr_error_name(enum sr_error code);
/* Overrides the error_code reported for INCOMPATIBLE_SCHEMA (409 or 40901); call once at
 * start-up, before threads run. */
void sr_error_set_incompatible_code(int error_code);

#endif
