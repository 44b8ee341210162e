/* SPDX-License-Identifier: Apache-2.0 */
/* The unit tests' check: count, report file:line and the formatted message on failure, and
 * go on. Each test's main prints the totals and exits non-zero when failures > 0. */
#ifndef SR_TEST_CHECK_H
#define SR_TEST_CHECK_H

#include <stdio.h>

static int failures, checks;

#define CHECK(cond, ...)                                         \
    do {                                                         \
        checks++;                                                \
        if (!(cond)) {                                           \
            failures++;                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fputc('\n', stderr);                                 \
        }                                                        \
    } while (0)

#endif
