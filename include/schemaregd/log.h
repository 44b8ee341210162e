/* SPDX-License-Identifier: Apache-2.0 */
/* Logging: one line per event on stderr, level first, optional request id; plain text or
 * JSON (for log shippers). Thread-safe: each line is written with one write(2). */
#ifndef SCHEMAREGD_LOG_H
#define SCHEMAREGD_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "schemaregd/util.h"

enum sr_log_level { SR_LOG_DEBUG, SR_LOG_INFO, SR_LOG_WARN, SR_LOG_ERROR };

/* Configures the logger; call once before threads start. level_name is one of debug, info,
 * warn, error; json selects JSON lines. Returns false for an unknown level name. */
bool sr_log_setup(const char *level_name, bool json);
bool sr_log_enabled(enum sr_log_level level);
/* Logs one line. request_id 0 means "not request-scoped". */
void sr_log(enum sr_log_level level, uint64_t request_id, const char *fmt, ...) SR_PRINTF(3, 4);

#define sr_log_debug(...) sr_log(SR_LOG_DEBUG, 0, __VA_ARGS__)
#define sr_log_info(...) sr_log(SR_LOG_INFO, 0, __VA_ARGS__)
#define sr_log_warn(...) sr_log(SR_LOG_WARN, 0, __VA_ARGS__)
#define sr_log_error(...) sr_log(SR_LOG_ERROR, 0, __VA_ARGS__)

#endif
