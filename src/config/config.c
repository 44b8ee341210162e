/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration table and its loader: defaults, then SCHEMAREGD_* (and Apicurio's
 * REGISTRY_DATASOURCE_*) environment variables, then command-line flags. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "schemaregd/config.h"
#include "schemaregd/log.h"
#include "schemaregd/util.h"

extern char **environ;

enum opt_type { OPT_STR, OPT_INT, OPT_INT64, OPT_BOOL };

struct option_row {
    const char *name;      /* flag without "--"; env var is SCHEMAREGD_<NAME> */
    const char *alias_env; /* another env var honoured too (lower precedence), or NULL */
    enum opt_type type;
    size_t offset;
    const char *def;
    int64_t min, max;
    const char *choices; /* "|"-separated allowed values for strings, or NULL */
    bool secret;
    const char *help;
};

#define OFF(f) offsetof(struct sr_config, f)

static const struct option_row options[] = {
    {"listen", NULL, OPT_STR, OFF(listen), "0.0.0.0:8081", 0, 0, NULL, false,
     "Address and port to serve HTTP on (HOST:PORT; IPv6 as [addr]:port)."},
    {"database-url", "REGISTRY_DATASOURCE_URL", OPT_STR, OFF(database_url), "", 0, 0, NULL, true,
     "PostgreSQL to use: a libpq URI (postgresql://...), a libpq keyword string, or "
     "jdbc:postgresql://host:port/db?currentSchema=registry. sqlite:PATH selects the embedded "
     "store at PATH. Empty: the embedded store in --data-dir."},
    {"database-user", "REGISTRY_DATASOURCE_USERNAME", OPT_STR, OFF(database_user), "", 0, 0, NULL,
     false, "PostgreSQL user; overrides a user given in the URL."},
    {"database-password", "REGISTRY_DATASOURCE_PASSWORD", OPT_STR, OFF(database_password), "", 0, 0,
     NULL, true, "PostgreSQL password; overrides a password given in the URL. Never logged."},
    {"db-schema", NULL, OPT_STR, OFF(db_schema), "registry", 0, 0, NULL, false,
     "PostgreSQL schema that holds the registry's tables (created if missing). A currentSchema "
     "in a JDBC URL is used when this is left at its default."},
    {"data-dir", NULL, OPT_STR, OFF(data_dir), ".", 0, 0, NULL, false,
     "Directory of the embedded store's file schemaregd.db (used without --database-url)."},
    {"threads", NULL, OPT_INT, OFF(threads), "0", 0, 256, NULL, false,
     "HTTP worker threads, each with its own database connection. 0: four per CPU core, at "
     "least 4."},
    {"max-connections", NULL, OPT_INT, OFF(max_connections), "4096", 16, 1000000, NULL, false,
     "Maximum concurrent HTTP connections; more are closed at once."},
    {"connection-timeout", NULL, OPT_INT, OFF(connection_timeout_s), "60", 1, 86400, NULL, false,
     "Seconds an idle or stalled HTTP connection is kept."},
    {"connection-memory-kib", NULL, OPT_INT, OFF(connection_memory_kib), "64", 16, 4096, NULL,
     false, "Per-connection memory for the request line and headers, in KiB (longer: 414/431)."},
    {"max-request-bytes", NULL, OPT_INT64, OFF(max_request_bytes), "8388608", 1024, 1073741824,
     NULL, false, "Largest request body accepted; larger bodies get HTTP 413."},
    {"max-schema-bytes", NULL, OPT_INT64, OFF(max_schema_bytes), "1048576", 64, 1073741824, NULL,
     false, "Largest schema text (and canonical form) accepted; larger ones get 42209."},
    {"max-schema-depth", NULL, OPT_INT, OFF(max_schema_depth), "64", 4, 1000, NULL, false,
     "Deepest nesting of types in a schema (records, arrays, maps, unions); deeper gets 42201."},
    {"max-subject-length", NULL, OPT_INT, OFF(max_subject_length), "8192", 1, 1048576, NULL, false,
     "Longest subject name in bytes; longer gets 42208."},
    {"max-references", NULL, OPT_INT, OFF(max_references), "1000", 0, 100000, NULL, false,
     "Most schema references resolved for one schema (transitively); more gets 42201."},
    {"max-list-limit", NULL, OPT_INT, OFF(max_list_limit), "1000", 1, 10000000, NULL, false,
     "Default and largest page size of GET /schemas."},
    {"db-connect-timeout", NULL, OPT_INT, OFF(db_connect_timeout_s), "5", 1, 300, NULL, false,
     "Seconds to wait for a database connection before answering 50001."},
    {"db-statement-timeout-ms", NULL, OPT_INT, OFF(db_statement_timeout_ms), "10000", 100, 3600000,
     NULL, false,
     "Upper bound for every database statement (PostgreSQL "
     "statement_timeout; SQLite busy timeout)."},
    {"db-retry-attempts", NULL, OPT_INT, OFF(db_retry_attempts), "5", 1, 100, NULL, false,
     "Attempts for a write transaction that hits a serialization failure or a lost "
     "connection."},
    {"default-compatibility", NULL, OPT_STR, OFF(default_compatibility), "BACKWARD", 0, 0,
     "NONE|BACKWARD|BACKWARD_TRANSITIVE|FORWARD|FORWARD_TRANSITIVE|FULL|FULL_TRANSITIVE", false,
     "Compatibility level used when neither the subject nor the global config sets one."},
    {"avro-validate-defaults", NULL, OPT_BOOL, OFF(avro_validate_defaults), "true", 0, 0, NULL,
     false,
     "Reject new schemas whose field defaults do not match their types (Confluent's "
     "schema.providers.avro.validate.defaults; Confluent 7.x defaults it to false, 8.x "
     "always checks). Normalizing requests always check."},
    {"incompatible-error-code", NULL, OPT_INT, OFF(incompatible_error_code), "409", 409, 40901,
     NULL, false,
     "error_code of an incompatible-schema reply: 409 (Confluent 7.x) or 40901 "
     "(Confluent 8.0.4+)."},
    {"mode-mutability", NULL, OPT_BOOL, OFF(mode_mutability), "true", 0, 0, NULL, false,
     "Whether PUT/DELETE /mode may change modes (Confluent's mode.mutability)."},
    {"schema-cache-entries", NULL, OPT_INT, OFF(schema_cache_entries), "10000", 0, 10000000, NULL,
     false, "Parsed schemas kept in memory, by id (schema contents never change)."},
    {"response-cache-entries", NULL, OPT_INT, OFF(response_cache_entries), "1024", 0, 1048576, NULL,
     false,
     "GET responses kept for reuse by the embedded store (whose data only this "
     "process writes; any write invalidates them all). 0 disables. PostgreSQL reads "
     "always go to the database."},
    {"shutdown-grace", NULL, OPT_INT, OFF(shutdown_grace_s), "25", 0, 3600, NULL, false,
     "Seconds SIGTERM/SIGINT wait for in-flight requests before exiting."},
    {"cluster-id", NULL, OPT_STR, OFF(cluster_id), "schemaregd", 0, 0, NULL, false,
     "kafka-cluster id reported by GET /v1/metadata/id."},
    {"log-level", NULL, OPT_STR, OFF(log_level), "info", 0, 0, "debug|info|warn|error", false,
     "Least severe level logged."},
    {"log-format", NULL, OPT_STR, OFF(log_format), "text", 0, 0, "text|json", false,
     "Log line format."},
};

static void *field(struct sr_config *cfg, const struct option_row *o)
{
    return (char *)cfg + o->offset;
}

static char *env_name(const char *name)
{
    char *e = sr_xasprintf("SCHEMAREGD_%s", name);
    for (char *p = e; *p; p++)
        *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    return e;
}

static bool choice_ok(const char *choices, const char *v, char **canon)
{
    const char *p = choices;
    size_t vl = strlen(v);
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == vl && strncasecmp(p, v, n) == 0) {
            *canon = sr_xstrndup(p, n);
            return true;
        }
        p += n + (bar ? 1 : 0);
    }
    return false;
}

static bool set_value(struct sr_config *cfg, const struct option_row *o, const char *v,
                      const char *origin, FILE *errout)
{
    void *f = field(cfg, o);
    switch (o->type) {
    case OPT_STR: {
        char *canon = NULL;
        if (o->choices) {
            if (!choice_ok(o->choices, v, &canon)) {
                fprintf(errout, "schemaregd: %s: invalid value for %s (allowed: %s)\n", origin,
                        o->name, o->choices);
                return false;
            }
        } else {
            canon = sr_xstrdup(v);
        }
        free(*(char **)f);
        *(char **)f = canon;
        return true;
    }
    case OPT_INT:
    case OPT_INT64: {
        char *end = NULL;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno || end == v || *end || n < o->min || n > o->max) {
            fprintf(errout, "schemaregd: %s: %s must be an integer in [%lld, %lld]\n", origin,
                    o->name, (long long)o->min, (long long)o->max);
            return false;
        }
        if (o->type == OPT_INT)
            *(int *)f = (int)n;
        else
            *(int64_t *)f = n;
        return true;
    }
    case OPT_BOOL:
        if (sr_str_ieq(v, "true") || strcmp(v, "1") == 0 || sr_str_ieq(v, "yes"))
            *(bool *)f = true;
        else if (sr_str_ieq(v, "false") || strcmp(v, "0") == 0 || sr_str_ieq(v, "no"))
            *(bool *)f = false;
        else {
            fprintf(errout, "schemaregd: %s: %s must be true or false\n", origin, o->name);
            return false;
        }
        return true;
    }
    return false;
}

static void print_help(FILE *out)
{
    fprintf(out, "Usage: schemaregd [OPTION]...\n"
                 "A Confluent-compatible schema registry (Avro) on PostgreSQL or an embedded "
                 "store.\n\nOptions (each also settable as the environment variable shown):\n");
    for (size_t i = 0; i < SR_ARRAY_LEN(options); i++) {
        const struct option_row *o = &options[i];
        char *env = env_name(o->name);
        fprintf(out, "  --%s=%s\n      %s\n      env %s%s%s; default \"%s\"\n", o->name,
                o->type == OPT_BOOL  ? "BOOL"
                : o->type == OPT_STR ? "STRING"
                                     : "N",
                o->help, env, o->alias_env ? " or " : "", o->alias_env ? o->alias_env : "", o->def);
        free(env);
    }
    fprintf(out, "  --help     print this help\n  --version  print the version\n");
}

void sr_config_write_markdown(FILE *out)
{
    fprintf(out, "| Flag | Environment variable | Type | Default | Bounds / values | "
                 "Description |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < SR_ARRAY_LEN(options); i++) {
        const struct option_row *o = &options[i];
        char *env = env_name(o->name);
        char bounds[96] = "";
        if (o->type == OPT_INT || o->type == OPT_INT64)
            snprintf(bounds, sizeof(bounds), "%lld .. %lld", (long long)o->min, (long long)o->max);
        else if (o->choices)
            snprintf(bounds, sizeof(bounds), "%s", o->choices);
        for (char *p = bounds; *p; p++)
            if (*p == '|')
                *p = ',';
        fprintf(out, "| `--%s` | `%s`%s%s%s | %s | `%s` | %s | %s%s |\n", o->name, env,
                o->alias_env ? ", `" : "", o->alias_env ? o->alias_env : "",
                o->alias_env ? "`" : "",
                o->type == OPT_BOOL  ? "bool"
                : o->type == OPT_STR ? "string"
                                     : "integer",
                o->def, bounds, o->help, o->secret ? " (secret: passwords are never logged)" : "");
        free(env);
    }
}

static const char *env_lookup(char **envp, const char *name)
{
    if (!envp)
        return getenv(name);
    size_t n = strlen(name);
    for (char **e = envp; *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static const struct option_row *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < SR_ARRAY_LEN(options); i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

static enum sr_config_result load_argv(struct sr_config *cfg, int argc, char **argv, FILE *out,
                                       FILE *errout)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(out);
            return SR_CONFIG_EXIT_OK;
        }
        if (strcmp(a, "--version") == 0) {
            fprintf(out, "schemaregd %s\n", SR_VERSION);
            return SR_CONFIG_EXIT_OK;
        }
        if (strcmp(a, "--config-markdown") == 0) {
            sr_config_write_markdown(out);
            return SR_CONFIG_EXIT_OK;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(errout, "schemaregd: unexpected argument '%s' (see --help)\n", a);
            return SR_CONFIG_ERROR;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const struct option_row *o = find_option(name, nlen);
        if (!o) {
            fprintf(errout, "schemaregd: unknown option '--%.*s' (see --help)\n", (int)nlen, name);
            return SR_CONFIG_ERROR;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v) {
            if (o->type == OPT_BOOL && i + 1 < argc &&
                (sr_str_ieq(argv[i + 1], "true") || sr_str_ieq(argv[i + 1], "false")))
                v = argv[++i];
            else if (o->type == OPT_BOOL)
                v = "true";
            else if (i + 1 < argc)
                v = argv[++i];
            else {
                fprintf(errout, "schemaregd: option --%s needs a value\n", o->name);
                return SR_CONFIG_ERROR;
            }
        }
        if (!set_value(cfg, o, v, "command line", errout))
            return SR_CONFIG_ERROR;
    }
    return SR_CONFIG_OK;
}

enum sr_config_result sr_config_load(struct sr_config *cfg, int argc, char **argv, FILE *out,
                                     FILE *errout)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < SR_ARRAY_LEN(options); i++)
        if (!set_value(cfg, &options[i], options[i].def, "default", errout))
            return SR_CONFIG_ERROR;
    for (size_t i = 0; i < SR_ARRAY_LEN(options); i++) {
        const struct option_row *o = &options[i];
        char *env = env_name(o->name);
        const char *v = env_lookup(NULL, env);
        if (!v && o->alias_env)
            v = env_lookup(NULL, o->alias_env);
        bool ok = !v || set_value(cfg, o, v, env, errout);
        free(env);
        if (!ok)
            return SR_CONFIG_ERROR;
    }
    return load_argv(cfg, argc, argv, out, errout);
}

void sr_config_fini(struct sr_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < SR_ARRAY_LEN(options); i++)
        if (options[i].type == OPT_STR) {
            char **f = field(cfg, &options[i]);
            free(*f);
            *f = NULL;
        }
}

char *sr_config_redact_url(const char *url)
{
    if (!url)
        return sr_xstrdup("");
    struct sr_buf b;
    sr_buf_init(&b, 0);
    const char *scheme = strstr(url, "://");
    if (scheme) {
        /* URI form: scheme://user:password@host/... */
        const char *auth = scheme + 3;
        const char *at = strchr(auth, '@');
        const char *slash = strchr(auth, '/');
        if (at && (!slash || at < slash)) {
            const char *colon = memchr(auth, ':', (size_t)(at - auth));
            if (colon) {
                sr_buf_add(&b, url, (size_t)(colon - url) + 1);
                sr_buf_adds(&b, "***");
                url = at;
            }
        }
    }
    /* Keyword form and query parameters: password=... up to a space or '&'. */
    for (const char *p = url; *p;) {
        const char *k = strstr(p, "password=");
        if (!k) {
            sr_buf_adds(&b, p);
            break;
        }
        sr_buf_add(&b, p, (size_t)(k - p) + strlen("password="));
        sr_buf_adds(&b, "***");
        p = k + strlen("password=");
        while (*p && *p != ' ' && *p != '&')
            p++;
    }
    return sr_buf_take(&b);
}

void sr_config_log(const struct sr_config *cfg)
{
    for (size_t i = 0; i < SR_ARRAY_LEN(options); i++) {
        const struct option_row *o = &options[i];
        const void *f = (const char *)cfg + o->offset;
        switch (o->type) {
        case OPT_STR: {
            const char *v = *(char *const *)f;
            if (o->secret && strcmp(o->name, "database-url") == 0) {
                char *r = sr_config_redact_url(v);
                sr_log_info("config %s=%s", o->name, r);
                free(r);
            } else {
                sr_log_info("config %s=%s", o->name, o->secret && v && *v ? "***" : v);
            }
            break;
        }
        case OPT_INT:
            sr_log_info("config %s=%d", o->name, *(const int *)f);
            break;
        case OPT_INT64:
            sr_log_info("config %s=%lld", o->name, (long long)*(const int64_t *)f);
            break;
        case OPT_BOOL:
            sr_log_info("config %s=%s", o->name, *(const bool *)f ? "true" : "false");
            break;
        }
    }
}
