/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded implementation of the storage interface (SQLite, WAL mode). */
#ifndef SCHEMAREGD_STORE_SQLITE_H
#define SCHEMAREGD_STORE_SQLITE_H

#include "schemaregd/config.h"
#include "schemaregd/store.h"

/* Opens (creating if needed) the database file at path, applies its migrations, and takes an
 * exclusive lock on it so a second daemon refuses to open the same file. Returns NULL with
 * err set on failure. */
struct sr_store *sr_store_sqlite_new(const char *path, const struct sr_config *cfg,
                                     struct sr_err *err);

#endif
