/* SPDX-License-Identifier: Apache-2.0 */
/* Embedded store: not yet written (temporary stub, replaced in the next step). */
#include "schemaregd/store_sqlite.h"

struct sr_store *sr_store_sqlite_new(const char *path, const struct sr_config *cfg,
                                     struct sr_err *err)
{
    SR_UNUSED(path);
    SR_UNUSED(cfg);
    sr_err_set(err, SR_E_INTERNAL, "embedded store not available yet: give --database-url");
    return NULL;
}
