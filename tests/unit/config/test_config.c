/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the configuration table: defaults, SCHEMAREGD_* and Apicurio environment
 * variables, flags winning over environment, bounds, connection strings (libpq URI, keyword
 * form, JDBC with currentSchema), and that passwords never reach the log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schemaregd/config.h"
#include "schemaregd/log.h"
#include "schemaregd/store_pg.h"

#include "../check.h"

static enum sr_config_result load(struct sr_config *cfg, int argc, const char **argv)
{
    FILE *devnull = fopen("/dev/null", "w");
    enum sr_config_result r = sr_config_load(cfg, argc, (char **)(uintptr_t)argv, devnull, devnull);
    fclose(devnull);
    return r;
}

static void clear_env(void)
{
    static const char *const vars[] = {
        "SCHEMAREGD_LISTEN",       "SCHEMAREGD_DATABASE_URL",      "SCHEMAREGD_THREADS",
        "REGISTRY_DATASOURCE_URL", "REGISTRY_DATASOURCE_USERNAME", "REGISTRY_DATASOURCE_PASSWORD",
        "SCHEMAREGD_DB_SCHEMA",    "SCHEMAREGD_MODE_MUTABILITY"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        unsetenv(vars[i]);
}

static void test_defaults_env_flags(void)
{
    clear_env();
    struct sr_config cfg;
    const char *none[] = {"schemaregd"};
    CHECK(load(&cfg, 1, none) == SR_CONFIG_OK, "defaults load");
    CHECK(!strcmp(cfg.listen, "0.0.0.0:8081") && !strcmp(cfg.db_schema, "registry") &&
              !strcmp(cfg.default_compatibility, "BACKWARD") && cfg.mode_mutability,
          "defaults");
    sr_config_fini(&cfg);

    setenv("SCHEMAREGD_LISTEN", "127.0.0.1:9000", 1);
    setenv("SCHEMAREGD_THREADS", "6", 1);
    setenv("SCHEMAREGD_MODE_MUTABILITY", "false", 1);
    setenv("REGISTRY_DATASOURCE_URL", "jdbc:postgresql://db:5432/reg", 1);
    setenv("REGISTRY_DATASOURCE_USERNAME", "apicurio", 1);
    CHECK(load(&cfg, 1, none) == SR_CONFIG_OK, "env load");
    CHECK(!strcmp(cfg.listen, "127.0.0.1:9000") && cfg.threads == 6 && !cfg.mode_mutability,
          "SCHEMAREGD_* env");
    CHECK(!strcmp(cfg.database_url, "jdbc:postgresql://db:5432/reg") &&
              !strcmp(cfg.database_user, "apicurio"),
          "Apicurio env");
    sr_config_fini(&cfg);

    /* SCHEMAREGD_* wins over the Apicurio name; flags win over both. */
    setenv("SCHEMAREGD_DATABASE_URL", "postgresql://a/b", 1);
    const char *flags[] = {"schemaregd", "--listen=[::1]:7000", "--threads",
                           "3",          "--mode-mutability",   "true"};
    CHECK(load(&cfg, 6, flags) == SR_CONFIG_OK, "flags load");
    CHECK(!strcmp(cfg.database_url, "postgresql://a/b") && !strcmp(cfg.listen, "[::1]:7000") &&
              cfg.threads == 3 && cfg.mode_mutability,
          "precedence");
    sr_config_fini(&cfg);
    clear_env();

    const char *bad1[] = {"schemaregd", "--threads", "-1"};
    CHECK(load(&cfg, 3, bad1) == SR_CONFIG_ERROR, "bounds");
    sr_config_fini(&cfg);
    const char *bad2[] = {"schemaregd", "--nope"};
    CHECK(load(&cfg, 2, bad2) == SR_CONFIG_ERROR, "unknown flag");
    sr_config_fini(&cfg);
    const char *bad3[] = {"schemaregd", "--default-compatibility", "sideways"};
    CHECK(load(&cfg, 3, bad3) == SR_CONFIG_ERROR, "bad choice");
    sr_config_fini(&cfg);
    const char *lower[] = {"schemaregd", "--default-compatibility", "full_transitive"};
    CHECK(load(&cfg, 3, lower) == SR_CONFIG_OK &&
              !strcmp(cfg.default_compatibility, "FULL_TRANSITIVE"),
          "choices are case-insensitive and canonicalized");
    sr_config_fini(&cfg);
    const char *help[] = {"schemaregd", "--help"};
    CHECK(load(&cfg, 2, help) == SR_CONFIG_EXIT_OK, "--help");
    sr_config_fini(&cfg);
}

/* Finds key=value in the NUL-separated parameter list. */
static const char *param(const char *params, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = params; *p; p += strlen(p) + 1)
        if (!strncmp(p, key, kl) && p[kl] == '=')
            return p + kl + 1;
    return NULL;
}

static void test_conninfo(void)
{
    clear_env();
    struct sr_config cfg;
    const char *argv[] = {"schemaregd", "--database-url",
                          "jdbc:postgresql://db1:5433/reg?currentSchema=apicurio&user=u&password="
                          "p&ssl=true&loginTimeout=3&Unknown=1"};
    CHECK(load(&cfg, 3, argv) == SR_CONFIG_OK, "load");
    struct sr_err err = {0};
    char *schema = NULL;
    char *params = sr_store_pg_conninfo(&cfg, &schema, &err);
    CHECK(params != NULL, "jdbc converts: %s", err.message);
    if (params) {
        const char *dbname = param(params, "dbname");
        CHECK(dbname && !strncmp(dbname, "postgresql://db1:5433/reg?", 26) &&
                  strstr(dbname, "user=u") && strstr(dbname, "password=p") &&
                  strstr(dbname, "sslmode=require") && strstr(dbname, "connect_timeout=3") &&
                  !strstr(dbname, "Unknown") && !strstr(dbname, "currentSchema"),
              "jdbc url: %s", dbname ? dbname : "(none)");
        CHECK(!strcmp(schema, "apicurio"), "currentSchema -> schema: %s", schema);
        CHECK(!strcmp(param(params, "application_name"), "schemaregd"), "application_name");
    }
    free(params);
    free(schema);
    sr_config_fini(&cfg);

    const char *kw[] = {"schemaregd",  "--database-url", "host=h port=1 dbname=d",
                        "--db-schema", "custom",         "--database-password",
                        "s3cret"};
    CHECK(load(&cfg, 7, kw) == SR_CONFIG_OK, "load kw");
    params = sr_store_pg_conninfo(&cfg, &schema, &err);
    CHECK(params && !strcmp(param(params, "dbname"), "host=h port=1 dbname=d") &&
              !strcmp(param(params, "password"), "s3cret") && !strcmp(schema, "custom"),
          "keyword form");
    free(params);
    free(schema);
    sr_config_fini(&cfg);

    const char *broken[] = {"schemaregd", "--database-url", "postgresql://h/x?bogus=1"};
    CHECK(load(&cfg, 3, broken) == SR_CONFIG_OK, "load broken");
    params = sr_store_pg_conninfo(&cfg, &schema, &err);
    CHECK(params == NULL && err.code == SR_E_INTERNAL, "an invalid URL is refused");
    free(params);
    sr_config_fini(&cfg);
}

static void test_redaction(void)
{
    const char *cases[][2] = {
        {"postgresql://user:s3cret@host:5432/db", "postgresql://user:***@host:5432/db"},
        {"postgresql://user@host/db?password=s3cret&x=1",
         "postgresql://user@host/db?password=***&x=1"},
        {"host=h password=s3cret dbname=d", "host=h password=*** dbname=d"},
        {"jdbc:postgresql://h/db?user=u&password=s3cret",
         "jdbc:postgresql://h/db?user=u&password=***"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = sr_config_redact_url(cases[i][0]);
        CHECK(!strcmp(r, cases[i][1]), "redact %s -> %s", cases[i][0], r);
        free(r);
    }
    /* The logged configuration never contains the password. */
    clear_env();
    struct sr_config cfg;
    const char *argv[] = {"schemaregd", "--database-url", "postgresql://u:topsecret@h/d",
                          "--database-password", "alsosecret"};
    CHECK(load(&cfg, 5, argv) == SR_CONFIG_OK, "load");
    char path[] = "/tmp/sr-config-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    sr_log_setup("info", false);
    sr_config_log(&cfg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char buf[16384] = "";
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    CHECK(strstr(buf, "database-url=postgresql://u:***@h/d") != NULL, "url logged redacted");
    CHECK(!strstr(buf, "topsecret") && !strstr(buf, "alsosecret"), "no password in the log");
    sr_config_fini(&cfg);
}

int main(void)
{
    test_defaults_env_flags();
    test_conninfo();
    test_redaction();
    printf("config: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
