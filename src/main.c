/* SPDX-License-Identifier: Apache-2.0 */
/* schemaregd's entry point: loads the configuration, opens the store (PostgreSQL when a
 * database URL is given, else the embedded SQLite file), starts core and HTTP, and owns
 * signals and the shutdown sequence (stop accepting, drain in-flight requests within the
 * grace period, exit 0). */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schemaregd/config.h"
#include "schemaregd/core.h"
#include "schemaregd/http.h"
#include "schemaregd/log.h"
#include "schemaregd/store_pg.h"
#include "schemaregd/store_sqlite.h"

static atomic_bool stopping;

/* Applies PostgreSQL migrations until they succeed: a daemon started before its database
 * waits for it and reports ready (/health/ready) once the schema is in place. */
static void *migrate_loop(void *arg)
{
    struct sr_store *store = arg;
    int64_t last_log = 0;
    while (!atomic_load(&stopping)) {
        struct sr_err err = {0};
        enum sr_store_status st = sr_store_pg_migrate(store, &err);
        if (st == SR_STORE_OK) {
            sr_log_info("database ready");
            return NULL;
        }
        if (st == SR_STORE_ERROR) {
            sr_log_error("database migration failed: %s (%s)", err.message, err.detail);
        } else if (sr_now_ms() - last_log > 10000) {
            sr_log_warn("waiting for the database: %s", err.detail[0] ? err.detail : err.message);
            last_log = sr_now_ms();
        }
        for (int i = 0; i < 10 && !atomic_load(&stopping); i++)
            usleep(100 * 1000);
    }
    return NULL;
}

static bool is_sqlite_url(const char *url)
{
    return !*url || strncmp(url, "sqlite:", 7) == 0;
}

static struct sr_store *open_store(const struct sr_config *cfg, struct sr_err *err)
{
    if (is_sqlite_url(cfg->database_url)) {
        if (!*cfg->database_url && mkdir(cfg->data_dir, 0750) != 0 && errno != EEXIST) {
            sr_err_set(err, SR_E_INTERNAL, "cannot create --data-dir %s: %s", cfg->data_dir,
                       strerror(errno));
            return NULL;
        }
        char *path = *cfg->database_url ? sr_xstrdup(cfg->database_url + 7)
                                        : sr_xasprintf("%s/schemaregd.db", cfg->data_dir);
        sr_log_info("store: embedded SQLite at %s", path);
        struct sr_store *st = sr_store_sqlite_new(path, cfg, err);
        free(path);
        return st;
    }
    char *redacted = sr_config_redact_url(cfg->database_url);
    sr_log_info("store: PostgreSQL %s", redacted);
    free(redacted);
    return sr_store_pg_new(cfg, err);
}

/* Stops accepting and waits up to grace_s for in-flight requests; returns how many are left. */
static unsigned drain(struct sr_http *http, int grace_s)
{
    sr_http_quiesce(http);
    int64_t deadline = sr_now_ms() + (int64_t)grace_s * 1000;
    unsigned left;
    while ((left = sr_http_in_flight(http)) > 0 && sr_now_ms() < deadline)
        usleep(20 * 1000);
    return left;
}

int main(int argc, char **argv)
{
    struct sr_config cfg;
    enum sr_config_result cr = sr_config_load(&cfg, argc, argv, stdout, stderr);
    if (cr != SR_CONFIG_OK) {
        sr_config_fini(&cfg);
        return cr == SR_CONFIG_EXIT_OK ? 0 : 2;
    }
    sr_log_setup(cfg.log_level, strcmp(cfg.log_format, "json") == 0);
    sr_error_set_incompatible_code(cfg.incompatible_error_code);
    json_object_seed(0);
    sr_log_info("schemaregd %s starting", SR_VERSION);
    sr_config_log(&cfg);

    /* Signals are taken by this thread only (sigwait); workers never see them. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    struct sr_err err = {0};
    struct sr_core *core = NULL;
    struct sr_http *http = NULL;
    pthread_t migrator;
    bool migrating = false;
    struct sr_store *store = open_store(&cfg, &err);
    if (!store) {
        sr_log_error("cannot open the store: %s%s%s", err.message, err.detail[0] ? ": " : "",
                     err.detail);
        goto out;
    }
    if (!is_sqlite_url(cfg.database_url))
        migrating = pthread_create(&migrator, NULL, migrate_loop, store) == 0;
    core = sr_core_new(&cfg, store);
    http = sr_http_start(&cfg, core, &err);
    if (!http) {
        sr_log_error("%s", err.message);
        goto out;
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            sr_log_info("SIGHUP ignored (configuration is read at start only)");
            continue;
        }
        sr_log_info("%s received: draining (grace %d s)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                    cfg.shutdown_grace_s);
        break;
    }
    atomic_store(&stopping, true);
    unsigned left = drain(http, cfg.shutdown_grace_s);
    if (left) {
        /* Those requests wait on the database, and MHD_stop_daemon joins their threads: it
         * would hold the exit for up to the statement timeout (times the retries), past the
         * grace a process manager allows. Leave now: the kernel closes the sockets,
         * PostgreSQL rolls back the open transactions, and the clients see a dropped
         * connection, an unknown outcome they must retry anyway (writes are idempotent). */
        sr_log_warn("shutdown grace period over with %u requests in flight: exiting", left);
        _exit(0);
    }
    status = 0;
out:
    atomic_store(&stopping, true);
    sr_http_stop(http);
    if (migrating) {
        /* The migrator may be blocked on a database that does not answer: wait a little,
         * then leave it (its connection dies with the process). */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2;
        if (pthread_timedjoin_np(migrator, NULL, &until) != 0) {
            sr_log_warn("database migration still waiting at exit");
            sr_config_fini(&cfg);
            _exit(status);
        }
    }
    sr_core_free(core);
    sr_store_free(store);
    sr_config_fini(&cfg);
    sr_log_info("stopped");
    return status;
}
