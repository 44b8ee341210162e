/* SPDX-License-Identifier: Apache-2.0 */
/* The PostgreSQL implementation of the storage interface (libpq). */
#ifndef SCHEMAREGD_STORE_PG_H
#define SCHEMAREGD_STORE_PG_H

#include "schemaregd/config.h"
#include "schemaregd/store.h"

/* Builds the libpq connection parameters for cfg: accepts a libpq URI, a keyword string or a
 * JDBC URL (jdbc:postgresql://host:port/db?currentSchema=s&user=u&password=p). Returns a new
 * buffer of NUL-terminated "key=value" entries ending with an empty entry, or NULL with err
 * set. Sets *schema_out (new string) to the schema to use: cfg->db_schema, or the JDBC
 * currentSchema when db_schema is left at its default. */
char *sr_store_pg_conninfo(const struct sr_config *cfg, char **schema_out, struct sr_err *err);

/* Creates the store. Does not connect: connections are opened lazily per thread, and the
 * schema is migrated by sr_store_pg_migrate. Returns NULL with err set on a bad URL. */
struct sr_store *sr_store_pg_new(const struct sr_config *cfg, struct sr_err *err);

/* Creates the schema if missing and applies the compiled-in migrations not yet applied,
 * under an advisory lock so concurrent instances migrate exactly once. Safe to call
 * repeatedly. On success the store reports ready. */
enum sr_store_status sr_store_pg_migrate(struct sr_store *st, struct sr_err *err);

#endif
