#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Database faults under load. Three schemaregd instances (statement timeout 1 s, connect
timeout 2 s) serve a steady mix of registrations and reads while PostgreSQL is

  1. restarted (pg_ctl restart -m fast),
  2. crashed (pg_ctl stop -m immediate; down for 2 s; started again: crash recovery),
  3. killed (kill -9 of the postmaster; down for 2 s; started again),
  4. frozen (SIGSTOP of every server process for 6 s, then SIGCONT): connections stay open
     but nothing answers, as with a stalled disk or a network that drops packets.

Throughout, every answer must be a success or a Confluent 500-class error (error_code 50001
or 50002, JSON body with a message); no request may go unanswered or take longer than twice
the larger of the two timeouts; /health/ready must say 503 while the database is away and 200
again after; each instance must serve writes again within a few seconds of the database's
return, by itself; and no acknowledged write may be lost (checked in SQL and through every
instance). Then:

  5. a table lock held by another session: a registration answers 50002/50001 within the
     statement timeout, reads of other tables still answer, and the write goes through once
     the lock is gone;
  6. a daemon started while the database is down: live, not ready (503), answers 50001 at
     once; ready (200) within seconds of the database starting, with every earlier write.

Usage: t_faults.py [--daemon PATH]"""

import argparse
import os
import random
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from srtest import now, request, schema_text, same_schema, is_store_error  # noqa: E402

STATEMENT_TIMEOUT_MS = 1000
CONNECT_TIMEOUT_S = 2
LATENCY_BOUND = 2 * max(STATEMENT_TIMEOUT_MS / 1000.0, CONNECT_TIMEOUT_S)
RECOVERY_BOUND = 5.0  # seconds from "database accepts connections" to writes served again
SUBJECTS = 6


class Load:
    """Clients that register new contents (retrying one until it is acknowledged, as a real
    producer does) and read acknowledged ids, spread over all instances; every request is
    recorded with its start and end time."""

    def __init__(self, ports, clients, fails):
        self.ports = ports
        self.fails = fails
        self.clients = clients
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.records = []  # (t0, t1, instance, op, status, error_code)
        self.acks = {}  # content -> (subject, id)
        self.ids = {}  # id -> content
        self.threads = []

    def run_client(self, cid):
        rnd = random.Random(cid)
        seq = 0
        content, subject = None, None
        while not self.stop.is_set():
            inst = rnd.randrange(len(self.ports))
            if content is None:
                seq += 1
                content = schema_text([f"c{cid}_{seq}"])
                subject = f"f-{rnd.randrange(SUBJECTS)}"
            with self.lock:
                known = rnd.choice(list(self.ids)) if self.ids and rnd.random() < 0.4 else None
            t0 = now()
            if known is None:
                st, js, raw, _ = request(self.ports[inst], "POST", f"/subjects/{subject}/versions",
                                         {"schema": content}, timeout=30)
                op = "register"
            else:
                st, js, raw, _ = request(self.ports[inst], "GET", f"/schemas/ids/{known}",
                                         timeout=30)
                op = "read"
            t1 = now()
            code = js.get("error_code") if isinstance(js, dict) else None
            with self.lock:
                self.records.append((t0, t1, inst, op, st, code))
            if st == 200 and op == "register":
                with self.lock:
                    prev = self.acks.get(content)
                    self.acks[content] = (subject, js["id"])
                    self.ids[js["id"]] = content
                self.fails.check(prev is None or prev[1] == js["id"], "idempotent-retry",
                                 f"{content} got ids {prev} and {js['id']}")
                content = None
            elif st == 200:
                self.fails.check(same_schema(js.get("schema"), self.ids[known]), "read",
                                 f"id {known} answered {raw[:200]}")
            elif st == -1:
                self.fails.add("no-answer", f"{op} on instance {inst}: {raw} after {t1 - t0:.2f} s")
            elif not is_store_error(st, js):
                self.fails.add("bad-error", f"{op} on instance {inst}: {st} {raw[:200]}")
            if st != 200:
                time.sleep(0.02)
        srtest.drop_connections()

    def run_health(self, inst):
        """Polls /health/ready of one instance, as a load balancer does."""
        while not self.stop.is_set():
            t0 = now()
            st, js, raw, _ = request(self.ports[inst], "GET", "/health/ready", timeout=30)
            with self.lock:
                self.health.append((t0, now(), inst, st))
            if st not in (200, 503):
                self.fails.add("health", f"instance {inst}: /health/ready {st} {raw[:200]}")
            time.sleep(0.05)
        srtest.drop_connections()

    def start(self):
        self.health = []
        for cid in range(self.clients):
            t = threading.Thread(target=self.run_client, args=(cid,))
            t.start()
            self.threads.append(t)
        for inst in range(len(self.ports)):
            t = threading.Thread(target=self.run_health, args=(inst,))
            t.start()
            self.threads.append(t)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join()

    def window(self, t_from, t_to):
        with self.lock:
            return [r for r in self.records if r[0] >= t_from and r[0] < t_to]

    def health_window(self, t_from, t_to):
        with self.lock:
            return [h for h in self.health if h[0] >= t_from and h[0] < t_to]


def fault_report(name, load, fails, t_fault, t_up, n, expect_down=True):
    """Checks one outage: latencies bounded, errors only of the Confluent kind, readiness
    down during it (when it lasted) and up after, recovery of every instance within
    RECOVERY_BOUND of t_up and clean service after it."""
    time.sleep(RECOVERY_BOUND + 1.0)
    recs = load.window(t_fault, now())
    health = load.health_window(t_fault, now())
    errors = [r for r in recs if r[4] != 200]
    max_lat = max((r[1] - r[0] for r in recs + health), default=0.0)
    fails.check(max_lat < LATENCY_BOUND, "latency-bound",
                f"{name}: slowest request {max_lat:.2f} s, bound {LATENCY_BOUND:.1f} s")
    for inst in range(n):
        mine = [h for h in health if h[2] == inst]
        if expect_down:
            fails.check(any(h[3] == 503 for h in mine if h[0] < t_up), "health",
                        f"{name}: instance {inst} never reported not ready during the outage")
        late = [h for h in mine if h[0] >= t_up + RECOVERY_BOUND and h[3] != 200]
        fails.check(mine and mine[-1][3] == 200 and not late, "health",
                    f"{name}: instance {inst} not ready again after the outage")
    recovery = []
    for inst in range(n):
        ok = [r for r in recs if r[2] == inst and r[3] == "register" and r[4] == 200
              and r[0] >= t_up]
        rec = (ok[0][1] - t_up) if ok else None
        recovery.append(rec)
        fails.check(rec is not None and rec < RECOVERY_BOUND, "recovery",
                    f"{name}: instance {inst} served no write within {RECOVERY_BOUND} s "
                    f"of the database's return ({rec})")
        late = [r for r in recs if r[2] == inst and r[0] >= t_up + RECOVERY_BOUND and r[4] != 200]
        fails.check(not late, "recovery",
                    f"{name}: instance {inst} still failing {len(late)} requests after recovery")
    codes = {}
    for r in errors:
        codes[r[5]] = codes.get(r[5], 0) + 1
    down = t_up - t_fault
    print(f"  {name}: database away {down:.1f} s; {len(recs)} requests, {len(errors)} errors "
          f"{dict(sorted(codes.items(), key=str))}; slowest {max_lat * 1000:.0f} ms (bound "
          f"{LATENCY_BOUND * 1000:.0f}); writes served again after "
          f"{', '.join('-' if r is None else f'{r * 1000:.0f} ms' for r in recovery)}",
          flush=True)
    return errors


def server_pids(cluster):
    """The postmaster and its children (backends and auxiliary processes)."""
    pm = cluster.postmaster_pid()
    pids = [pm]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pm:
                pids.append(int(entry))
    return pids


def freeze(cluster, seconds):
    """SIGSTOP every server process, wait, SIGCONT: open connections, no answers."""
    pids = server_pids(cluster)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def check_acks(load, url, ports, fails):
    """Every acknowledged write is in the database and readable through every instance."""
    rows = srtest.psql(url, "SELECT s.name, v.version, v.schema_id, h.schema FROM "
                            "registry.versions v JOIN registry.subjects s ON s.id = v.subject_id "
                            "JOIN registry.schemas h ON h.id = v.schema_id ORDER BY 1, 2")
    by_id = {}
    per_subject = {}
    for name, version, sid, schema in rows:
        by_id.setdefault(int(sid), []).append(name)
        per_subject.setdefault(name, []).append((int(version), int(sid)))
    for content, (subject, id_) in load.acks.items():
        fails.check(subject in by_id.get(id_, []), "lost-write",
                    f"acknowledged id {id_} under {subject} not in the database")
    for name, vs in per_subject.items():
        nums = [v for v, _ in vs]
        fails.check(nums == list(range(1, len(nums) + 1)), "version-gap", f"{name}: {nums[:30]}")
        ids = [s for _, s in vs]
        fails.check(len(set(ids)) == len(ids), "duplicate-version",
                    f"{name}: one content registered twice (ids {ids[:30]})")
    acks = list(load.acks.items())

    def read_back(port, part):
        for content, (subject, id_) in part:
            st, js, raw, _ = request(port, "POST", f"/subjects/{subject}", {"schema": content})
            fails.check(st == 200 and js.get("id") == id_, "lost-write",
                        f"port {port}: lookup of id {id_} in {subject}: {st} {raw[:200]}")
        srtest.drop_connections()

    threads = [threading.Thread(target=read_back, args=(port, acks[k::4]))
               for port in ports for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(rows), len(acks) * len(ports)


def lock_timeout_case(cluster, url, daemons, fails, known_id):
    """A registration stuck behind a table lock answers within the statement timeout."""
    # Fresh connections too must cope: every instance reconnects under the lock.
    srtest.psql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                     "application_name = 'schemaregd'")
    ses = srtest.PsqlSession(url)
    try:
        ses.run("BEGIN; LOCK TABLE registry.versions IN ACCESS EXCLUSIVE MODE;")
        lat, codes = [], []
        for i, d in enumerate(daemons):
            body = {"schema": schema_text([f"locked{i}"])}
            st, js, raw, dt = request(d.port, "POST", f"/subjects/locked-{i}/versions", body,
                                      timeout=30)
            lat.append(dt)
            codes.append(js.get("error_code") if isinstance(js, dict) else st)
            fails.check(is_store_error(st, js), "lock-timeout",
                        f"instance {i}: registration under a table lock answered {st} {raw[:200]}")
            fails.check(dt < LATENCY_BOUND / 2 + 0.5, "lock-timeout",
                        f"instance {i}: answered after {dt:.2f} s (statement timeout "
                        f"{STATEMENT_TIMEOUT_MS} ms)")
            st, js, raw, _ = request(d.port, "GET", f"/schemas/ids/{known_id}")
            fails.check(st == 200, "lock-timeout",
                        f"instance {i}: read of another table failed under the lock: {st}")
        ses.run("COMMIT;")
        for i, d in enumerate(daemons):
            st, js, raw, _ = request(d.port, "POST", f"/subjects/locked-{i}/versions",
                                     {"schema": schema_text([f"locked{i}"])})
            fails.check(st == 200, "lock-timeout", f"instance {i}: after the lock: {st} {raw}")
        print(f"  table lock held by another session: registrations answered 500 {codes} in "
              f"{', '.join(f'{x * 1000:.0f}' for x in lat)} ms (statement timeout "
              f"{STATEMENT_TIMEOUT_MS} ms); written once the lock was released", flush=True)
    finally:
        ses.close()


def early_daemon_case(args, cluster, url, tmp, load, fails):
    """A daemon started while the database is down waits for it and becomes ready."""
    cluster.stop()
    d = srtest.Daemon(args.daemon, url, os.path.join(tmp, "early.log"),
                      extra=["--db-statement-timeout-ms", str(STATEMENT_TIMEOUT_MS),
                             "--db-connect-timeout", str(CONNECT_TIMEOUT_S)]).start()
    try:
        deadline = now() + 10
        live = -1
        while now() < deadline and live != 200:
            live, _, _, _ = request(d.port, "GET", "/health/live", timeout=5)
            time.sleep(0.05)
        fails.check(live == 200, "early-start", f"not live without a database: {live}")
        ready, js, raw, _ = request(d.port, "GET", "/health/ready", timeout=5)
        fails.check(ready == 503, "early-start", f"ready without a database: {ready} {raw}")
        st0, js, raw, dt = request(d.port, "POST", "/subjects/early/versions",
                                   {"schema": schema_text(["early"])}, timeout=30)
        code0 = js.get("error_code") if isinstance(js, dict) else None
        fails.check(is_store_error(st0, js) and dt < LATENCY_BOUND, "early-start",
                    f"registration without a database: {st0} {raw[:200]} in {dt:.2f} s")
        time.sleep(1.0)
        t_up_start = now()
        cluster.start_again()
        t_up = now()
        ready_at = None
        while now() < t_up + 20:
            if request(d.port, "GET", "/health/ready", timeout=5)[0] == 200:
                ready_at = now()
                break
            time.sleep(0.05)
        fails.check(ready_at is not None and ready_at - t_up < RECOVERY_BOUND, "early-start",
                    f"not ready within {RECOVERY_BOUND} s of the database's start")
        st, js, raw, _ = request(d.port, "POST", "/subjects/early/versions",
                                 {"schema": schema_text(["early"])})
        fails.check(st == 200, "early-start", f"registration once ready: {st} {raw[:200]}")
        n_rows, reads = check_acks(load, url, [d.port], fails)
        print(f"  daemon started with the database down: live 200, ready {ready}, writes "
              f"answered {st0}/{code0} ({dt * 1000:.0f} ms); database started in "
              f"{t_up - t_up_start:.1f} s, daemon ready "
              f"{'-' if ready_at is None else f'{(ready_at - t_up) * 1000:.0f} ms'} later, "
              f"{reads} earlier writes readable", flush=True)
    finally:
        srtest.check_daemon_exit(fails, d, "early daemon")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--daemon", default=srtest.default_daemon())
    ap.add_argument("--instances", type=int, default=3)
    ap.add_argument("--clients", type=int, default=12)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    srtest.exit_on_sigterm()
    tmp = srtest.make_tmp("sr-faults-")
    fails = srtest.Failures("faults")
    cluster = srtest.Cluster(os.path.join(tmp, "pg"))
    cluster.start()
    # Commits must be durable in the WAL the server writes before it says so: the crash
    # cases below must not lose what PostgreSQL acknowledged (fsync stays off: the OS keeps
    # written WAL across a process crash).
    srtest.psql(cluster.admin_url(), "ALTER SYSTEM SET synchronous_commit = on")
    srtest.psql(cluster.admin_url(), "SELECT pg_reload_conf()")
    url = cluster.create_db("faults")
    print(f"faults: daemon {args.daemon}, logs in {tmp}", flush=True)
    extra = ["--db-statement-timeout-ms", str(STATEMENT_TIMEOUT_MS), "--db-connect-timeout",
             str(CONNECT_TIMEOUT_S), "--shutdown-grace", "5"]
    daemons = [srtest.Daemon(args.daemon, url, os.path.join(tmp, f"d{i}.log"), extra=extra)
               for i in range(args.instances)]
    load = None
    try:
        for d in daemons:
            d.start()
        for d in daemons:
            d.wait_ready()
        ports = [d.port for d in daemons]
        load = Load(ports, args.clients, fails)
        load.start()
        time.sleep(2.0)
        base = load.window(0, now())
        fails.check(base and all(r[4] == 200 for r in base), "baseline",
                    f"errors before any fault: {[r for r in base if r[4] != 200][:3]}")
        print(f"  baseline: {len(base)} requests in 2 s, all answered 200", flush=True)

        t = now()
        cluster.restart()
        fault_report("pg_ctl restart", load, fails, t, now(), len(ports), expect_down=False)

        t = now()
        cluster.stop_immediate()
        time.sleep(2.0)
        cluster.start_again()
        errs = fault_report("pg_ctl stop -m immediate", load, fails, t, now(), len(ports))
        fails.check(len(errs) > 0, "fault-not-seen", "the crash produced no error at all")

        t = now()
        cluster.kill9()
        time.sleep(2.0)
        cluster.start_again()
        errs = fault_report("kill -9 postmaster", load, fails, t, now(), len(ports))
        fails.check(len(errs) > 0, "fault-not-seen", "the kill produced no error at all")

        t = now()
        freeze(cluster, 6.0)
        errs = fault_report("server frozen (SIGSTOP)", load, fails, t, now(), len(ports))
        fails.check(len(errs) > 0, "fault-not-seen", "the freeze produced no error at all")

        load.finish()
        for i, d in enumerate(daemons):
            fails.check(d.alive(), "daemon-died", f"instance {i} exited during the faults")
        n_rows, reads = check_acks(load, url, ports, fails)
        n_reg = sum(1 for r in load.records if r[3] == "register" and r[4] == 200)
        print(f"  after the faults: {len(load.acks)} acknowledged writes ({n_reg} answers), all "
              f"in the database ({n_rows} versions) and read back through every instance "
              f"({reads} reads)", flush=True)

        lock_timeout_case(cluster, url, daemons, fails, next(iter(load.ids)))
        early_daemon_case(args, cluster, url, tmp, load, fails)
    finally:
        if load is not None:
            load.finish()
        for i, d in enumerate(daemons):
            if d.proc is not None:
                srtest.check_daemon_exit(fails, d, f"instance {i}")
        cluster.stop()
    print(f"faults: violations: {fails.summary()}")
    if not len(fails) and not args.keep:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if len(fails) else 0


if __name__ == "__main__":
    sys.exit(main())
