/* SPDX-License-Identifier: Apache-2.0 */
/* Integration test runner: starts a private PostgreSQL cluster (as an unprivileged user, via
 * scripts/pg-local.sh) or uses SQLite files, and for every test a fresh database and a fresh
 * schemaregd process; runs each suite on each URL prefix; fails on any check failure, any
 * sanitizer report in the daemon's log, or a daemon that does not exit 0 on SIGTERM.
 * Usage: sr_integration --store pg|sqlite --daemon PATH [--prefix P]... [--only TEST] */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

const char *t_prefix = "";
const char *t_store = "pg";

static const char *daemon_path;
static char tmp_root[256];
static char pg_admin_url[256];
static char db_url[512];
static int db_counter;
static pid_t daemon_pid;
static char daemon_log[512];
static char base_url[128];
static const char *const *current_extra;
static CURL *curl;
static const char *current_test;
static int failures, checks_run;

/* Allocations handed to tests, freed after each test. */
static void **owned;
static size_t n_owned;

static void *own(void *p)
{
    owned = realloc(owned, (n_owned + 1) * sizeof(*owned));
    owned[n_owned++] = p;
    return p;
}

static void free_owned(void)
{
    for (size_t i = 0; i < n_owned; i++)
        free(owned[i]);
    free(owned);
    owned = NULL;
    n_owned = 0;
}

static void resp_free(void *p)
{
    struct resp *r = p;
    free(r->body);
    json_decref(r->json);
}

static struct resp **resps;
static size_t n_resps;

void t_check(bool ok, const char *file, int line, const char *fmt, ...)
{
    checks_run++;
    if (ok)
        return;
    failures++;
    fprintf(stderr, "FAIL [%s %s] %s %s:%d: ", t_store, *t_prefix ? t_prefix : "/", current_test,
            file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- process helpers ---- */

static int run_cmd(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = out ? fread(out, 1, cap - 1, p) : 0;
    if (out) {
        out[n] = '\0';
        while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
            out[--n] = '\0';
    } else {
        char sink[256];
        while (fread(sink, 1, sizeof(sink), p) > 0) {
        }
    }
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(s, (struct sockaddr *)&a, sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

bool t_sql(const char *sql)
{
    if (strcmp(t_store, "pg") != 0)
        return false;
    PGconn *c = PQconnectdb(db_url);
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
        if (!ok)
            fprintf(stderr, "sql failed: %s", PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
    return ok;
}

static bool admin_sql(const char *sql)
{
    PGconn *c = PQconnectdb(pg_admin_url);
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "admin sql failed: %s\n", PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
    return ok;
}

/* Scans the daemon log for sanitizer reports. */
static void scan_log(void)
{
    FILE *f = fopen(daemon_log, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        if (strstr(line, "AddressSanitizer") || strstr(line, "runtime error:") ||
            strstr(line, "LeakSanitizer") || strstr(line, "ThreadSanitizer")) {
            t_check(false, __FILE__, __LINE__, "sanitizer report in daemon log %s: %s", daemon_log,
                    line);
            break;
        }
    }
    fclose(f);
}

static void stop_daemon(void)
{
    if (!daemon_pid)
        return;
    kill(daemon_pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; i++) {
        if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid)
            goto done;
        usleep(20000);
    }
    t_check(false, __FILE__, __LINE__, "daemon did not stop within 6 s of SIGTERM");
    kill(daemon_pid, SIGKILL);
    waitpid(daemon_pid, &status, 0);
done:
    t_check(WIFEXITED(status) && WEXITSTATUS(status) == 0, __FILE__, __LINE__,
            "daemon exit status %d after SIGTERM (log %s)", status, daemon_log);
    daemon_pid = 0;
    scan_log();
}

static void start_daemon(void)
{
    static int log_counter;
    snprintf(daemon_log, sizeof(daemon_log), "%s/daemon-%d.log", tmp_root, ++log_counter);
    int port = free_port();
    char listen[64];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = fopen(daemon_log, "w");
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
        const char *argv[64] = {daemon_path, "--listen",  listen, "--database-url",
                                db_url,      "--threads", "4",    "--shutdown-grace",
                                "5"};
        int n = 9;
        for (const char *const *e = current_extra; e && *e && n < 62; e++)
            argv[n++] = *e;
        argv[n] = NULL;
        execv(daemon_path, (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    daemon_pid = pid;
    snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%d", port);
    for (int i = 0; i < 500; i++) {
        struct resp *r = t_http_raw("GET", "/health/ready", NULL, NULL);
        if (r->status == 200)
            return;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            daemon_pid = 0;
            t_check(false, __FILE__, __LINE__, "daemon exited at start with status %d (log %s)",
                    status, daemon_log);
            return;
        }
        usleep(20000);
    }
    t_check(false, __FILE__, __LINE__, "daemon not ready within 10 s (log %s)", daemon_log);
}

void t_fresh(const char *const *extra_args)
{
    stop_daemon();
    current_extra = extra_args;
    db_counter++;
    if (strcmp(t_store, "pg") == 0) {
        char sql[128];
        if (db_counter > 1) {
            snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS t%d WITH (FORCE)", db_counter - 1);
            admin_sql(sql);
        }
        snprintf(sql, sizeof(sql), "CREATE DATABASE t%d", db_counter);
        if (!admin_sql(sql))
            t_check(false, __FILE__, __LINE__, "cannot create database t%d", db_counter);
        char *slash = strrchr(pg_admin_url, '/');
        snprintf(db_url, sizeof(db_url), "%.*s/t%d", (int)(slash - pg_admin_url), pg_admin_url,
                 db_counter);
    } else {
        char dir[300];
        snprintf(dir, sizeof(dir), "%s/sqlite-%d", tmp_root, db_counter);
        mkdir(dir, 0700);
        snprintf(db_url, sizeof(db_url), "sqlite:%s/schemaregd.db", dir);
    }
    start_daemon();
}

void t_restart(void)
{
    stop_daemon();
    start_daemon();
}

void t_restart_args(const char *const *extra_args)
{
    stop_daemon();
    current_extra = extra_args;
    start_daemon();
}

int t_second_daemon(int timeout_ms, char *log, size_t cap)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/second.log", tmp_root);
    char listen[64];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", free_port());
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = fopen(path, "w");
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
        execl(daemon_path, daemon_path, "--listen", listen, "--database-url", db_url, (char *)NULL);
        _exit(127);
    }
    int status = 0, result = -1;
    for (int waited = 0; waited < timeout_ms; waited += 20) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            result = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
            break;
        }
        usleep(20000);
    }
    if (result < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(log, 1, cap - 1, f) : 0;
    log[n] = '\0';
    if (f)
        fclose(f);
    return result;
}

const char *t_db_url(void)
{
    return db_url;
}

void t_kill9(void)
{
    if (!daemon_pid)
        return;
    kill(daemon_pid, SIGKILL);
    waitpid(daemon_pid, NULL, 0);
    daemon_pid = 0;
    scan_log();
}

int t_daemon_pid(void)
{
    return daemon_pid;
}

const char *t_daemon_log(void)
{
    return daemon_log;
}

const char *t_base_url(void)
{
    return base_url;
}

/* ---- HTTP ---- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = r->body ? strlen(r->body) : 0;
    r->body = realloc(r->body, len + size * n + 1);
    memcpy(r->body + len, data, size * n);
    r->body[len + size * n] = '\0';
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = size * n;
    if (len > 13 && strncasecmp(data, "Content-Type:", 13) == 0) {
        const char *v = data + 13;
        while (*v == ' ')
            v++;
        size_t vl = len - (size_t)(v - data);
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        snprintf(r->content_type, sizeof(r->content_type), "%.*s", (int)vl, v);
    }
    return len;
}

struct resp *t_http_raw(const char *method, const char *path, const char *body,
                        const char *const *headers)
{
    struct resp *r = calloc(1, sizeof(*r));
    resps = realloc(resps, (n_resps + 1) * sizeof(*resps));
    resps[n_resps++] = r;
    char url[8192];
    snprintf(url, sizeof(url), "%s%s", base_url, path);
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    struct curl_slist *hl = NULL;
    if (headers) {
        for (const char *const *h = headers; *h; h++)
            hl = curl_slist_append(hl, *h);
    } else {
        hl = curl_slist_append(hl, "Content-Type: application/vnd.schemaregistry.v1+json");
    }
    bool expect_given = false;
    for (const char *const *h = headers; h && *h; h++)
        expect_given = expect_given || strncasecmp(*h, "Expect:", 7) == 0;
    if (!expect_given)
        hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    else
        r->status = -1;
    curl_slist_free_all(hl);
    if (!r->body)
        r->body = strdup("");
    r->json = json_loads(r->body, JSON_DECODE_ANY, NULL);
    return r;
}

struct resp *t_http(const char *method, const char *path, const char *body,
                    const char *const *headers)
{
    return t_http_raw(method, t_fmt("%s%s", t_prefix, path), body, headers);
}

/* ---- helpers ---- */

const char *t_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return own(s);
}

const char *t_sq(const char *s)
{
    char *c = own(strdup(s));
    for (char *p = c; *p; p++)
        if (*p == '\'')
            *p = '"';
    return c;
}

const char *t_schema_body(const char *sq, const char *extra)
{
    json_t *o = json_pack("{s:s}", "schema", t_sq(sq));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (extra && *extra) {
        text[strlen(text) - 1] = '\0';
        const char *out = t_fmt("%s%s}", text, extra);
        free(text);
        return out;
    }
    return own(text);
}

int t_register(const char *subject, const char *sq)
{
    struct resp *r = POST(t_fmt("/subjects/%s/versions", subject), t_schema_body(sq, NULL));
    long id = t_int(r, "id");
    t_check(r->status == 200 && id > 0, __FILE__, __LINE__, "register %s: %ld %s", subject,
            r->status, r->body);
    return r->status == 200 ? (int)id : -1;
}

long t_int(const struct resp *r, const char *key)
{
    json_t *v = json_object_get(r->json, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

const char *t_str(const struct resp *r, const char *key)
{
    return json_string_value(json_object_get(r->json, key));
}

void t_check_status(const struct resp *r, long status, const char *file, int line)
{
    t_check(r->status == status, file, line, "status %ld, want %ld; body %s", r->status, status,
            r->body);
}

void t_check_error(const struct resp *r, long status, int code, const char *message,
                   const char *file, int line)
{
    long got_code = t_int(r, "error_code");
    const char *got_msg = t_str(r, "message");
    bool ok = r->status == status && got_code == code && got_msg &&
              json_object_size(r->json) == 2 && (!message || strcmp(message, got_msg) == 0);
    t_check(ok, file, line, "want %ld/%d%s%s; got %ld %s", status, code, message ? " " : "",
            message ? message : "", r->status, r->body);
}

void t_check_json(const struct resp *r, const char *expected, const char *file, int line)
{
    json_t *want = json_loads(t_sq(expected), JSON_DECODE_ANY, NULL);
    t_check(want && r->json && json_equal(want, r->json), file, line,
            "body %s, want %s (status %ld)", r->body, t_sq(expected), r->status);
    json_decref(want);
}

void t_check_body(const struct resp *r, const char *expected, const char *file, int line)
{
    t_check(strcmp(r->body, expected) == 0, file, line, "body %s, want %s (status %ld)", r->body,
            expected, r->status);
}

/* ---- runner ---- */

static void run_suite(const struct test *tests, const char *only)
{
    for (const struct test *t = tests; t->name; t++) {
        if (only && strcmp(only, t->name) != 0)
            continue;
        current_test = t->name;
        int before = failures;
        t_fresh(NULL);
        t->fn();
        stop_daemon();
        for (size_t i = 0; i < n_resps; i++) {
            resp_free(resps[i]);
            free(resps[i]);
        }
        free(resps);
        resps = NULL;
        n_resps = 0;
        free_owned();
        printf("%s [%s %s] %s\n", failures == before ? "ok  " : "FAIL", t_store,
               *t_prefix ? t_prefix : "/", t->name);
        fflush(stdout);
    }
}

static void cleanup(void)
{
    stop_daemon();
    if (strcmp(t_store, "pg") == 0 && tmp_root[0]) {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "%s/scripts/pg-local.sh stop %s/pg", SR_SOURCE_DIR, tmp_root);
        run_cmd(cmd, NULL, 0);
    }
    if (!getenv("SR_KEEP_TMP") && tmp_root[0] && failures == 0) {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp_root);
        run_cmd(cmd, NULL, 0);
    }
}

int main(int argc, char **argv)
{
    const char *prefixes[4];
    int n_prefixes = 0;
    const char *only = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--store"))
            t_store = argv[i + 1];
        else if (!strcmp(argv[i], "--daemon"))
            daemon_path = argv[i + 1];
        else if (!strcmp(argv[i], "--prefix") && n_prefixes < 4)
            prefixes[n_prefixes++] = strcmp(argv[i + 1], "/") == 0 ? "" : argv[i + 1];
        else if (!strcmp(argv[i], "--only"))
            only = argv[i + 1];
    }
    if (!daemon_path) {
        fprintf(stderr, "usage: %s --store pg|sqlite --daemon PATH [--prefix P]...\n", argv[0]);
        return 2;
    }
    if (!n_prefixes) {
        prefixes[n_prefixes++] = "";
        prefixes[n_prefixes++] = "/apis/ccompat/v6";
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    snprintf(tmp_root, sizeof(tmp_root), "/tmp/sr-it-XXXXXX");
    if (!mkdtemp(tmp_root)) {
        perror("mkdtemp");
        return 2;
    }
    chmod(tmp_root, 0755);
    if (strcmp(t_store, "pg") == 0) {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "%s/scripts/pg-local.sh start %s/pg %d", SR_SOURCE_DIR, tmp_root,
                 free_port());
        if (run_cmd(cmd, pg_admin_url, sizeof(pg_admin_url)) != 0) {
            fprintf(stderr, "cannot start PostgreSQL: %s\n", pg_admin_url);
            return 2;
        }
        /* Admin connections go to the maintenance database. */
        char *slash = strrchr(pg_admin_url, '/');
        snprintf(slash, sizeof(pg_admin_url) - (size_t)(slash - pg_admin_url), "/postgres");
    }
    for (int p = 0; p < n_prefixes; p++) {
        t_prefix = prefixes[p];
        run_suite(core_tests, only);
        run_suite(compat_tests, only);
        run_suite(lifecycle_tests, only);
        run_suite(refs_tests, only);
    }
    cleanup();
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    printf("integration [%s]: %d checks, %d failures\n", t_store, checks_run, failures);
    return failures ? 1 : 0;
}
