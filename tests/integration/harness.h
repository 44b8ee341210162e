/* SPDX-License-Identifier: Apache-2.0 */
/* The integration test harness: a real schemaregd process on a real store (a private
 * PostgreSQL cluster, or the embedded SQLite file), HTTP through libcurl, and checks that
 * record failures and carry on. Every test gets a fresh database and a fresh daemon. */
#ifndef SR_TEST_HARNESS_H
#define SR_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>

struct resp {
    long status;
    char *body;
    json_t *json; /* parsed body, NULL when not JSON */
    char content_type[128];
};

typedef void (*test_fn)(void);

struct test {
    const char *name;
    test_fn fn;
};

/* Suites (one per file) export their tests. */
extern const struct test core_tests[];
extern const struct test compat_tests[];
extern const struct test lifecycle_tests[];
extern const struct test refs_tests[];

/* The URL prefix the current run uses ("" or "/apis/ccompat/v6"). */
extern const char *t_prefix;
extern const char *t_store; /* "pg" or "sqlite" */

/* Restarts the daemon on a fresh, empty database. extra_args: more daemon flags (NULL-ended,
 * may be NULL). Called by the runner before each test; tests call it again for their own
 * options. */
void t_fresh(const char *const *extra_args);
/* Restarts the daemon on the same database (durability, restarts). */
void t_restart(void);
/* The same with other extra daemon flags (NULL-ended; later flags win over the harness's). */
void t_restart_args(const char *const *extra_args);
/* The current database URL (postgresql://... or sqlite:PATH). */
const char *t_db_url(void);
/* Kills the daemon with SIGKILL (no drain) and forgets it. */
void t_kill9(void);
/* Starts a second daemon on the current database and waits up to timeout_ms for it to
 * exit; returns its exit status, or -1 if it was still running (it is then killed). Its log
 * is copied into log (cap bytes). */
int t_second_daemon(int timeout_ms, char *log, size_t cap);
/* Sends a request to prefix+path. Headers: NULL-ended "Name: value" list, or NULL for the
 * default Content-Type: application/vnd.schemaregistry.v1+json. The result is owned by the
 * harness and freed after the test. */
struct resp *t_http(const char *method, const char *path, const char *body,
                    const char *const *headers);
/* The same without the prefix (health endpoints, raw paths). */
struct resp *t_http_raw(const char *method, const char *path, const char *body,
                        const char *const *headers);
#define GET(p) t_http("GET", (p), NULL, NULL)
#define DEL(p) t_http("DELETE", (p), NULL, NULL)
#define POST(p, b) t_http("POST", (p), (b), NULL)
#define PUT(p, b) t_http("PUT", (p), (b), NULL)

/* Formatting helpers; results owned by the harness. */
const char *t_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Replaces ' with " (schemas are easier to write with single quotes). */
const char *t_sq(const char *s);
/* {"schema":"<s escaped>"} with s single-quoted as t_sq; extra is appended to the object
 * (e.g. ",\"schemaType\":\"AVRO\"") or NULL. */
const char *t_schema_body(const char *single_quoted_schema, const char *extra);
/* Registers the schema under subject; returns the id, or -1 (and records a failure). */
int t_register(const char *subject, const char *single_quoted_schema);

/* Checks; each records a failure with file:line and goes on. */
void t_check(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void t_check_status(const struct resp *r, long status, const char *file, int line);
void t_check_error(const struct resp *r, long status, int code, const char *message,
                   const char *file, int line);
void t_check_json(const struct resp *r, const char *expected, const char *file, int line);
void t_check_body(const struct resp *r, const char *expected, const char *file, int line);

#define CHECK(c, ...) t_check((c), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_STATUS(r, s) t_check_status((r), (s), __FILE__, __LINE__)
/* message NULL: any message. */
#define CHECK_ERROR(r, s, code, msg) t_check_error((r), (s), (code), (msg), __FILE__, __LINE__)
#define CHECK_JSON(r, j) t_check_json((r), (j), __FILE__, __LINE__)
#define CHECK_BODY(r, b) t_check_body((r), (b), __FILE__, __LINE__)

/* Reads an int member of a JSON object response (or -1). */
long t_int(const struct resp *r, const char *key);
const char *t_str(const struct resp *r, const char *key);

/* The daemon's process id and log file (lifecycle tests). */
int t_daemon_pid(void);
const char *t_daemon_log(void);
const char *t_base_url(void);
/* Runs SQL on the current PostgreSQL database (pg store only); true on success. */
bool t_sql(const char *sql);

#endif
