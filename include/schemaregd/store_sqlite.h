/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded implementation of the storage interface (SQLite, WAL mode): the default store
 * when no --database-url is given. */
#ifndef SCHEMAREGD_STORE_SQLITE_H
#define SCHEMAREGD_STORE_SQLITE_H

#include "schemaregd/config.h"
#include "schemaregd/store.h"

/* Opens (creating if needed) the database file at path: a file name, never an SQLite URI,
 * relative to the working directory; its directory must exist. Takes an exclusive flock() on
 * "<path>.lock" (path made absolute, symlinks resolved) until sr_store_free, so a second
 * daemon refuses the same file; switches the file to WAL and applies the migrations of
 * sql/sqlite/ in one transaction. cfg (borrowed, may be NULL for defaults) gives the busy
 * timeout (db_statement_timeout_ms); it is not kept. Every thread that calls the store gets
 * its own connection, closed when the thread exits. Returns a new store (free with
 * sr_store_free), or NULL with err set (SQLite's text in err->detail). */
struct sr_store *sr_store_sqlite_new(const char *path, const struct sr_config *cfg,
                                     struct sr_err *err);

#endif
