/* SPDX-License-Identifier: Apache-2.0 */
/* The daemon's configuration: one declarative table (src/config/config.c) drives the
 * command line, the SCHEMAREGD_* environment variables, --help and docs/configuration.md.
 * A loaded configuration is immutable and passed around as `const struct sr_config *`. */
#ifndef SCHEMAREGD_CONFIG_H
#define SCHEMAREGD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sr_config {
    char *listen;            /* HOST:PORT */
    char *database_url;      /* libpq URI/keyword string, jdbc:postgresql:..., sqlite:PATH or "" */
    char *database_user;     /* overrides the URL's user when set */
    char *database_password; /* secret: never logged */
    char *db_schema;         /* PostgreSQL schema holding the tables */
    char *data_dir;          /* directory of the embedded store's file */
    int threads;             /* HTTP worker threads (each has its own DB connection) */
    int max_connections;
    int connection_timeout_s;
    int connection_memory_kib;
    int64_t max_request_bytes;
    int64_t max_schema_bytes;
    int max_schema_depth;
    int max_subject_length;
    int max_references;
    int max_list_limit;
    int db_connect_timeout_s;
    int db_statement_timeout_ms;
    int db_retry_attempts;
    char *default_compatibility;
    bool avro_validate_defaults; /* check field defaults of new schemas */
    int incompatible_error_code; /* 409 (Confluent 7.x) or 40901 (8.x) */
    bool mode_mutability;
    int schema_cache_entries;
    int response_cache_entries;
    int shutdown_grace_s;
    char *cluster_id;
    char *log_level;
    char *log_format; /* text | json */
};

enum sr_config_result { SR_CONFIG_OK, SR_CONFIG_EXIT_OK, SR_CONFIG_ERROR };

/* Loads defaults, then environment variables (environ-style array envp, may be NULL for
 * the process environment), then argv. --help / --version print to out and return
 * SR_CONFIG_EXIT_OK. Errors are printed to errout and return SR_CONFIG_ERROR. On success
 * cfg owns its strings until sr_config_fini. */
enum sr_config_result sr_config_load(struct sr_config *cfg, int argc, char **argv, FILE *out,
                                     FILE *errout);
void sr_config_fini(struct sr_config *cfg);
/* Writes the configuration reference as a Markdown table (docs/configuration.md). */
void sr_config_write_markdown(FILE *out);
/* Writes the effective configuration, secrets masked, one line per option. */
void sr_config_log(const struct sr_config *cfg);
/* Returns a copy of url with any password replaced by "***" (new string). */
char *sr_config_redact_url(const char *url);

#endif
