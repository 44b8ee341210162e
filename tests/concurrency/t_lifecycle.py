#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Process lifecycle on PostgreSQL:

  1. SIGTERM with a slow request in flight (a registration waiting on a table lock held by
     another session): new connections are refused at once, the request completes when the
     lock goes (within --shutdown-grace), and the daemon exits 0;
  2. SIGINT, likewise;
  3. a request still stuck when the grace period ends does not hold the exit: the daemon
     exits 0 right after the grace, not after the statement timeout;
  4. five instances started at once on an EMPTY database: the schema is migrated exactly once
     (one schema_migrations row and one "applied migration" log line per migration) and all
     five become ready and serve writes;
  5. a registration that passed its mode check while another instance switched the registry
     to IMPORT (that switch holds the global lock) is refused once the switch commits: no
     active subject may appear in a registry that has just entered IMPORT.

Usage: t_lifecycle.py [--daemon PATH]"""

import argparse
import glob
import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from srtest import now, request, schema_text  # noqa: E402


def wait_lock_waiters(url, n=1, timeout=10):
    """Waits until n schemaregd sessions wait on a lock (the slow request is in flight)."""
    deadline = now() + timeout
    while now() < deadline:
        rows = srtest.psql(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                "'schemaregd' AND wait_event_type = 'Lock'")
        if int(rows[0][0]) >= n:
            return True
        time.sleep(0.05)
    return False


def connect_refused(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        # Accepted by the kernel: does anything answer?
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            data = s.recv(64)
            return f"connection accepted, answer {data[:40]!r}"
        except OSError as e:
            return f"connection accepted, then {type(e).__name__}"
    except ConnectionRefusedError:
        return None
    except OSError as e:
        return f"{type(e).__name__}: {e}"
    finally:
        s.close()


def drain_case(args, cluster, tmp, fails, sig, name):
    url = cluster.create_db(f"drain_{name.lower()}")
    d = srtest.Daemon(args.daemon, url, os.path.join(tmp, f"drain-{name}.log"),
                      extra=["--shutdown-grace", "10", "--db-statement-timeout-ms", "20000"])
    d.start().wait_ready()
    st, _, raw, _ = request(d.port, "POST", "/subjects/s/versions", {"schema": schema_text(["a"])})
    fails.check(st == 200, name, f"first registration: {st} {raw}")
    ses = srtest.PsqlSession(url)
    result = {}

    def slow():
        result["r"] = request(d.port, "POST", "/subjects/s/versions",
                              {"schema": schema_text(["a", "b"])}, timeout=60)
        result["t"] = now()

    try:
        ses.run("BEGIN; LOCK TABLE registry.versions IN ACCESS EXCLUSIVE MODE;")
        t = threading.Thread(target=slow)
        t.start()
        fails.check(wait_lock_waiters(url), name, "the slow request never reached the lock")
        t_sig = now()
        d.signal(sig)
        time.sleep(0.3)
        refused = connect_refused(d.port)
        fails.check(refused is None, name, f"new connection after {name}: {refused}")
        time.sleep(1.0)
        fails.check(d.alive() and "r" not in result, name,
                    "daemon gone or request answered while the request was still blocked")
        t_release = now()
        ses.run("COMMIT;")
        t.join(30)
        rc = d.wait_exit(15)
        t_exit = now()
        st, js, raw, _ = result.get("r", (-1, None, "no result", 0))
        fails.check(st == 200 and isinstance(js, dict) and js.get("id") == 2, name,
                    f"in-flight registration: {st} {raw[:200]}")
        fails.check(rc == 0, name, f"exit status {rc}")
        n = srtest.psql(url, "SELECT count(*) FROM registry.versions")[0][0]
        fails.check(n == "2", name, f"{n} versions in the database, want 2")
        reps = d.sanitizer_reports()
        fails.check(not reps, "sanitizer", f"{name}: {reps[:3]}")
        print(f"  {name}: new connection {'refused' if refused is None else refused}; "
              f"in-flight registration answered {st} "
              f"{(result.get('t', t_exit) - t_release) * 1000:.0f} ms after the lock went; exit "
              f"{rc} {(t_exit - t_sig):.1f} s after the signal (grace 10 s)", flush=True)
    finally:
        ses.close()
        if d.alive():
            d.stop()


def grace_expiry_case(args, cluster, tmp, fails):
    url = cluster.create_db("grace")
    grace = 2
    d = srtest.Daemon(args.daemon, url, os.path.join(tmp, "grace.log"),
                      extra=["--shutdown-grace", str(grace), "--db-statement-timeout-ms", "20000"])
    d.start().wait_ready()
    request(d.port, "POST", "/subjects/s/versions", {"schema": schema_text(["a"])})
    ses = srtest.PsqlSession(url)
    result = {}

    def slow():
        result["r"] = request(d.port, "POST", "/subjects/s/versions",
                              {"schema": schema_text(["a", "b"])}, timeout=60)

    try:
        ses.run("BEGIN; LOCK TABLE registry.versions IN ACCESS EXCLUSIVE MODE;")
        t = threading.Thread(target=slow)
        t.start()
        fails.check(wait_lock_waiters(url), "grace", "the slow request never reached the lock")
        t_sig = now()
        d.signal(signal.SIGTERM)
        rc = d.wait_exit(grace + 15)
        took = now() - t_sig
        fails.check(rc == 0 and took < grace + 1.5, "grace",
                    f"exit {rc} after {took:.1f} s with a request stuck (grace {grace} s, "
                    "statement timeout 20 s)")
        ses.run("COMMIT;")
        t.join(30)
        st = result.get("r", (None,))[0]
        print(f"  grace over with a request stuck on a lock: exit {rc} after {took:.1f} s (grace "
              f"{grace} s, statement timeout 20 s); the stuck client saw "
              f"{'a dropped connection' if st == -1 else st}", flush=True)
    finally:
        ses.close()
        if d.alive():
            d.stop()


def migrate_once_case(args, cluster, tmp, fails, count=5):
    url = cluster.create_db("empty")
    migrations = sorted(os.path.basename(p)[:-4]
                        for p in glob.glob(os.path.join(srtest.SOURCE_DIR, "sql", "pg", "*.sql")))
    ds = [srtest.Daemon(args.daemon, url, os.path.join(tmp, f"migrate-{i}.log"))
          for i in range(count)]
    t0 = now()
    for d in ds:
        d.start()
    try:
        for i, d in enumerate(ds):
            try:
                d.wait_ready(30)
            except RuntimeError as e:
                fails.add("migrate-once", f"instance {i}: {e}")
        t_ready = now() - t0
        rows = srtest.psql(url, "SELECT version, name FROM registry.schema_migrations "
                                "ORDER BY version")
        names = [r[1] for r in rows]
        fails.check(names == migrations, "migrate-once",
                    f"schema_migrations holds {names}, want {migrations}")
        applied = {}
        for d in ds:
            for line in d.log_text().splitlines():
                if "applied migration" in line:
                    m = line.split("applied migration ", 1)[1].split(" ", 1)[0]
                    applied[m] = applied.get(m, 0) + 1
        fails.check(applied == {m: 1 for m in migrations}, "migrate-once",
                    f"'applied migration' log lines: {applied}")
        for i, d in enumerate(ds):
            errors = [l for l in d.log_text().splitlines() if l.startswith(("error", "warn"))]
            fails.check(not errors, "migrate-once", f"instance {i} logged {errors[:2]}")
        ids = set()
        for i, d in enumerate(ds):
            st, js, raw, _ = request(d.port, "POST", f"/subjects/m{i}/versions",
                                     {"schema": schema_text(["m"])})
            fails.check(st == 200, "migrate-once", f"instance {i}: {st} {raw[:200]}")
            if st == 200:
                ids.add(js["id"])
        fails.check(len(ids) == 1, "migrate-once", f"one content, ids {ids}")
        print(f"  {count} instances started at once on an empty database: all ready after "
              f"{t_ready:.1f} s; migrations applied once each {applied}; one id for one content "
              f"across them", flush=True)
    finally:
        for i, d in enumerate(ds):
            srtest.check_daemon_exit(fails, d, f"migrating instance {i}")


def import_switch_race_case(args, cluster, tmp, fails):
    url = cluster.create_db("imprace")
    d = srtest.Daemon(args.daemon, url, os.path.join(tmp, "imprace.log")).start()
    d.wait_ready()
    try:
        # psql plays the other instance's PUT /mode IMPORT, held open under the global lock.
        ses = srtest.PsqlSession(url)
        ses.run("BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('schemaregd-global:' || "
                "'registry', 0)); INSERT INTO registry.modes (is_global, subject, mode) VALUES "
                "(true, '', 'IMPORT');")
        res = {}
        t = threading.Thread(target=lambda: res.setdefault("r", request(
            d.port, "POST", "/subjects/x/versions", {"schema": schema_text(["a"])})))
        t.start()
        fails.check(wait_lock_waiters(url), "import-race", "the registration never waited")
        ses.run("COMMIT;")
        t.join(30)
        ses.close()
        st, js, raw, _ = res.get("r", (None, None, "no answer", None))
        fails.check(st == 422 and js and js.get("error_code") == 42205, "import-race",
                    f"registration racing the switch answered {st} {raw[:200]}")
        st, js, raw, _ = request(d.port, "GET", "/subjects")
        fails.check(js == [], "import-race", f"subjects after the switch: {raw[:200]}")
        print("  registration racing a switch to IMPORT: refused with 42205 after the switch "
              "committed; no subject appeared", flush=True)
    finally:
        srtest.check_daemon_exit(fails, d, "import-race daemon")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--daemon", default=srtest.default_daemon())
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    srtest.exit_on_sigterm()
    tmp = srtest.make_tmp("sr-lifecycle-")
    fails = srtest.Failures("lifecycle")
    cluster = srtest.Cluster(os.path.join(tmp, "pg"))
    cluster.start()
    print(f"lifecycle: daemon {args.daemon}, logs in {tmp}", flush=True)
    try:
        drain_case(args, cluster, tmp, fails, signal.SIGTERM, "SIGTERM")
        drain_case(args, cluster, tmp, fails, signal.SIGINT, "SIGINT")
        grace_expiry_case(args, cluster, tmp, fails)
        migrate_once_case(args, cluster, tmp, fails)
        import_switch_race_case(args, cluster, tmp, fails)
    finally:
        cluster.stop()
    print(f"lifecycle: violations: {fails.summary()}")
    if not len(fails) and not args.keep:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if len(fails) else 0


if __name__ == "__main__":
    sys.exit(main())
