#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Many instances, one database: several schemaregd processes on one PostgreSQL database and
dozens of concurrent clients for a bounded time. The clients mix

  * a stampede: every client registers one content at the same instant, under one common
    subject and under a subject of its own, through all instances;
  * shared contents registered under many subjects (ids must converge, one per content);
  * successive compatible versions of a few hot subjects through different instances;
  * schemas with references to another subject's version;
  * soft and permanent deletes (of versions and subjects) of contents that other subjects
    share, so permanent deletes race with registrations that reuse the same id;
  * lookups and reads;

and every acknowledged write is read back at once from ANOTHER instance (lookup, GET version,
GET by id). At the end the registry's tables are checked with SQL and every row is read
through the API of every instance. Any 5xx, any lost or duplicated write, a gap in a version
sequence, two ids for one content or one id for two contents fails the run.

Usage: t_load.py [--daemon PATH] [--duration S] [--clients N] [--instances N] [--runs N]"""

import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from srtest import now, request, schema_text, same_schema  # noqa: E402

SHARED_CONTENTS = 12  # contents registered under many subjects
SHARED_SUBJECTS = 30
REF_SUBJECTS = 3
DELETE_POOL = 6  # contents the deleting clients share (their ids get dropped and recreated)
SUBJECTS_PER_DELETER = 2
STAMPEDE_ROUNDS = 3


class Run:
    def __init__(self, args, ports, fails):
        self.args = args
        self.ports = ports
        self.n = len(ports)
        self.fails = fails
        self.lock = threading.Lock()
        self.stop_at = 0.0
        self.acks = []  # (subject, version, id, content, references) of writes kept to the end
        self.id_content = {}  # id -> content text: one id must never name two contents
        self.shared_ids = {}  # shared content index -> id: all registrations must agree
        self.known_ids = []  # ids that are never deleted (safe to read at any time)
        self.models = {}  # deleter subject -> {version: [id, content, deleted]}
        self.counts = {"registrations": 0, "reads": 0, "deletes": 0, "requests": 0}
        self.latencies = []
        self.shared = [schema_text([f"s{k}"]) for k in range(SHARED_CONTENTS)]
        self.pool = [schema_text([f"p{k}"]) for k in range(DELETE_POOL)]
        self.ref_target = None

    # ---- requests ----

    def call(self, inst, method, path, body=None, kind="reads"):
        st, js, raw, dt = request(self.ports[inst % self.n], method, path, body, timeout=30.0)
        self.latencies.append(dt)
        with self.lock:
            self.counts["requests"] += 1
            if kind and 200 <= st < 300:
                self.counts[kind] += 1
        if st < 0 or st >= 500:
            self.fails.add("5xx" if st >= 500 else "no-answer",
                           f"{method} {path} on instance {inst % self.n}: {st} {raw[:300]}")
        return st, js, raw

    def expect(self, ok, kind, text):
        return self.fails.check(ok, kind, text)

    def note_id(self, id_, content):
        with self.lock:
            prev = self.id_content.setdefault(id_, content)
        self.expect(same_schema(prev, content), "id-two-contents",
                    f"id {id_} named {prev} and {content}")

    # ---- building blocks ----

    def register(self, inst, subject, content, refs=None):
        body = {"schema": content}
        if refs:
            body["references"] = refs
        st, js, raw = self.call(inst, "POST", f"/subjects/{subject}/versions", body,
                                kind="registrations")
        if not self.expect(st == 200 and isinstance(js, dict) and isinstance(js.get("id"), int),
                           "register", f"{subject} on {inst % self.n}: {st} {raw[:300]}"):
            return None
        self.note_id(js["id"], content)
        return js["id"]

    def confirm(self, inst, subject, content, id_, refs=None):
        """Read-your-writes on the two OTHER instances: lookup gives the version, GET version
        and GET by id must return this write. Returns the version, or None."""
        body = {"schema": content}
        if refs:
            body["references"] = refs
        i2, i3 = inst + 1, inst + 2
        st, js, raw = self.call(i2, "POST", f"/subjects/{subject}", body)
        if not self.expect(st == 200 and isinstance(js, dict) and js.get("id") == id_,
                           "read-your-writes",
                           f"lookup {subject} id {id_} on {i2 % self.n}: {st} {raw[:200]}"):
            return None
        v = js.get("version")
        st, js, raw = self.call(i3, "GET", f"/subjects/{subject}/versions/{v}")
        self.expect(st == 200 and js.get("id") == id_ and same_schema(js.get("schema"), content),
                    "read-your-writes",
                    f"GET {subject}/versions/{v} (id {id_}) on {i3 % self.n}: {st} {raw[:200]}")
        st, js, raw = self.call(i2, "GET", f"/schemas/ids/{id_}")
        self.expect(st == 200 and same_schema(js.get("schema"), content), "read-your-writes",
                    f"GET /schemas/ids/{id_} on {i2 % self.n}: {st} {raw[:200]}")
        return v

    def keep(self, subject, version, id_, content, refs=None, known=True):
        with self.lock:
            self.acks.append((subject, version, id_, content, refs))
            if known:
                self.known_ids.append(id_)

    # ---- client roles ----

    def stampede(self, cid, barrier):
        """All clients at once register a new content under subjects of their own (racing
        to create its id), then under one common subject (racing for its version)."""
        inst = cid % self.n
        for r in range(STAMPEDE_ROUNDS):
            content = schema_text([f"stampede{r}"])
            barrier.wait()
            for subject in (f"stampede-{cid}", "stampede-common"):
                id_ = self.register(inst, subject, content)
                if id_ is None:
                    continue
                with self.lock:
                    first = self.shared_ids.setdefault(("stampede", r), id_)
                self.expect(first == id_, "id-divergence", f"stampede {r}: ids {first} and {id_}")
                v = self.confirm(inst, subject, content, id_)
                if v is not None:
                    self.keep(subject, v, id_, content)

    def shared_client(self, cid, rnd):
        k = rnd.randrange(SHARED_CONTENTS)
        subject = f"sh-{rnd.randrange(SHARED_SUBJECTS)}"
        inst = rnd.randrange(self.n)
        id_ = self.register(inst, subject, self.shared[k])
        if id_ is None:
            return
        with self.lock:
            first = self.shared_ids.setdefault(k, id_)
        self.expect(first == id_, "id-divergence", f"shared content {k}: ids {first} and {id_}")
        v = self.confirm(inst, subject, self.shared[k], id_)
        if v is not None:
            self.keep(subject, v, id_, self.shared[k])

    def hot_client(self, cid, rnd, seq):
        subject = f"ev-{rnd.randrange(self.args.hot_subjects)}"
        content = schema_text([f"e{cid}_{seq}"])
        inst = rnd.randrange(self.n)
        id_ = self.register(inst, subject, content)
        if id_ is None:
            return
        v = self.confirm(inst, subject, content, id_)
        if v is not None:
            self.keep(subject, v, id_, content)

    def ref_client(self, cid, rnd, seq):
        subject = f"rf-{rnd.randrange(REF_SUBJECTS)}"
        content = ('{"type":"record","name":"Q","fields":[{"name":"r","type":"R"},'
                   f'{{"name":"q{cid}_{seq}","type":"int","default":0}}]}}')
        refs = [{"name": "R", "subject": "sh-0", "version": 1}]
        inst = rnd.randrange(self.n)
        id_ = self.register(inst, subject, content, refs)
        if id_ is None:
            return
        v = self.confirm(inst, subject, content, id_, refs)
        if v is not None:
            self.keep(subject, v, id_, content, refs)

    def deleter_client(self, cid, rnd, seq):
        """Owns its subjects, so it knows exactly what each must hold; contents come fresh or
        from a pool the other deleters share."""
        subject = f"dl-{cid}-{rnd.randrange(SUBJECTS_PER_DELETER)}"
        model = self.models.setdefault(subject, {})
        inst = rnd.randrange(self.n)
        other = inst + 1
        active = sorted(v for v, m in model.items() if not m[2])
        soft = sorted(v for v, m in model.items() if m[2])
        op = rnd.random()
        if op < 0.5 or not model:
            held = {m[1] for m in model.values()}
            free = [c for c in self.pool if c not in held]
            content = rnd.choice(free) if free and rnd.random() < 0.6 else \
                schema_text([f"d{cid}_{seq}"])
            want = max(model) + 1 if model else 1
            id_ = self.register(inst, subject, content)
            if id_ is None:
                return
            v = self.confirm(inst, subject, content, id_)
            if v is None:
                return
            self.expect(v == want, "version-numbering", f"{subject}: got version {v}, want {want}")
            model[v] = [id_, content, False]
        elif op < 0.7 and active:
            v = rnd.choice(active)
            st, js, raw = self.call(inst, "DELETE", f"/subjects/{subject}/versions/{v}",
                                    kind="deletes")
            if self.expect(st == 200 and raw == str(v), "delete",
                           f"soft delete {subject}/{v}: {st} {raw[:200]}"):
                model[v][2] = True
                st, js, raw = self.call(other, "GET", f"/subjects/{subject}/versions/{v}")
                self.expect(st == 404, "read-your-writes",
                            f"{subject}/{v} visible after soft delete: {st} {raw[:200]}")
                st, js, raw = self.call(other, "GET",
                                        f"/subjects/{subject}/versions/{v}?deleted=true")
                self.expect(st == 200 and js.get("id") == model[v][0], "read-your-writes",
                            f"{subject}/{v}?deleted=true after soft delete: {st} {raw[:200]}")
        elif op < 0.9 and soft:
            v = rnd.choice(soft)
            st, js, raw = self.call(inst, "DELETE",
                                    f"/subjects/{subject}/versions/{v}?permanent=true",
                                    kind="deletes")
            if self.expect(st == 200 and raw == str(v), "delete",
                           f"permanent delete {subject}/{v}: {st} {raw[:200]}"):
                del model[v]
                st, js, raw = self.call(other, "GET",
                                        f"/subjects/{subject}/versions/{v}?deleted=true")
                self.expect(st == 404, "read-your-writes",
                            f"{subject}/{v} still there after permanent delete: {st}")
        elif op >= 0.9:
            if active:
                st, js, raw = self.call(inst, "DELETE", f"/subjects/{subject}", kind="deletes")
                if not self.expect(st == 200 and js == active, "delete",
                                   f"soft delete {subject} (want {active}): {st} {raw[:200]}"):
                    return
                for v in active:
                    model[v][2] = True
            everything = sorted(model)
            st, js, raw = self.call(other, "DELETE", f"/subjects/{subject}?permanent=true",
                                    kind="deletes")
            if self.expect(st == 200 and js == everything, "delete",
                           f"permanent delete {subject} (want {everything}): {st} {raw[:200]}"):
                model.clear()
                st, js, raw = self.call(inst + 2, "GET", f"/subjects/{subject}/versions"
                                        "?deleted=true")
                self.expect(st == 404 and js.get("error_code") == 40401, "read-your-writes",
                            f"{subject} still listed after permanent delete: {st} {raw[:200]}")

    def reader_client(self, cid, rnd):
        inst = rnd.randrange(self.n)
        op = rnd.random()
        with self.lock:
            known = self.known_ids[rnd.randrange(len(self.known_ids))] if self.known_ids else None
            content = self.id_content.get(known)
        if op < 0.4 and known is not None:
            st, js, raw = self.call(inst, "GET", f"/schemas/ids/{known}")
            self.expect(st == 200 and same_schema(js.get("schema"), content), "read",
                        f"GET /schemas/ids/{known}: {st} {raw[:200]}")
        elif op < 0.6:
            subject = f"ev-{rnd.randrange(self.args.hot_subjects)}"
            st, js, raw = self.call(inst, "GET", f"/subjects/{subject}/versions/latest")
            self.expect(st in (200, 404), "read", f"latest: {st} {raw[:200]}")
        elif op < 0.8:
            k = rnd.randrange(SHARED_CONTENTS)
            st, js, raw = self.call(inst, "POST", f"/subjects/sh-{rnd.randrange(SHARED_SUBJECTS)}",
                                    {"schema": self.shared[k]})
            self.expect(st in (200, 404), "read", f"lookup: {st} {raw[:200]}")
        elif op < 0.9:
            st, js, raw = self.call(inst, "GET", "/subjects")
            self.expect(st == 200 and isinstance(js, list), "read", f"/subjects: {st}")
        else:
            st, js, raw = self.call(inst, "GET", f"/schemas/ids/{known or 1}/versions")
            self.expect(st in (200, 404), "read", f"ids/versions: {st} {raw[:200]}")

    def client(self, cid, role, barrier):
        rnd = random.Random(self.args.seed * 1000 + cid)
        try:
            self.stampede(cid, barrier)
            seq = 0
            while now() < self.stop_at:
                seq += 1
                if role == "shared":
                    self.shared_client(cid, rnd)
                elif role == "hot":
                    self.hot_client(cid, rnd, seq)
                elif role == "refs":
                    self.ref_client(cid, rnd, seq)
                elif role == "deleter":
                    self.deleter_client(cid, rnd, seq)
                else:
                    self.reader_client(cid, rnd)
        except Exception as e:  # a bug in the test itself must fail the run too
            self.fails.add("client-crash", f"client {cid} ({role}): {type(e).__name__}: {e}")
        finally:
            srtest.drop_connections()


def roles_for(clients):
    """Shares of the clients per role; at least one of each when there are enough."""
    plan = [("shared", 0.30), ("hot", 0.25), ("deleter", 0.20), ("refs", 0.05), ("reader", 0.20)]
    roles = []
    for name, share in plan:
        roles += [name] * max(1, int(round(share * clients)))
    while len(roles) > clients:
        roles.remove("reader" if "reader" in roles[:-1] else roles[-1])
    while len(roles) < clients:
        roles.append("shared")
    return roles


# ---- final checks ----

def db_rows(url):
    rows = srtest.psql(url, "SELECT s.name, v.version, v.schema_id, v.deleted, h.schema "
                            "FROM registry.versions v JOIN registry.subjects s ON s.id = "
                            "v.subject_id JOIN registry.schemas h ON h.id = v.schema_id "
                            "ORDER BY 1, 2")
    out = {}
    for name, version, sid, deleted, schema in rows:
        out[(name, int(version))] = (int(sid), deleted == "t", schema)
    return out


def check_database(run, url, fails):
    """The invariants, in SQL on the registry's tables."""
    q = srtest.psql
    for h, n in q(url, "SELECT encode(hash, 'hex'), count(*) FROM registry.schemas "
                       "WHERE is_owner GROUP BY 1 HAVING count(*) > 1"):
        fails.add("db-owner-hash", f"hash {h} has {n} owner rows")
    for h, ids in q(url, "SELECT encode(hash, 'hex'), string_agg(id::text, ',') FROM "
                         "registry.schemas GROUP BY 1 HAVING count(*) > 1"):
        fails.add("db-one-id-per-content", f"content {h} has ids {ids}")
    for ids, in q(url, "SELECT string_agg(id::text, ',') FROM registry.schemas a WHERE EXISTS "
                       "(SELECT 1 FROM registry.schemas b WHERE b.id <> a.id AND b.schema = "
                       "a.schema AND b.refs IS NOT DISTINCT FROM a.refs) GROUP BY schema"):
        fails.add("db-one-id-per-content", f"one schema text under ids {ids}")
    for sid, in q(url, "SELECT id FROM registry.schemas h WHERE NOT EXISTS (SELECT 1 FROM "
                       "registry.versions v WHERE v.schema_id = h.id)"):
        fails.add("db-orphan-content", f"schema id {sid} has no version")
    for name, in q(url, "SELECT name FROM registry.subjects s WHERE NOT EXISTS (SELECT 1 FROM "
                        "registry.versions v WHERE v.subject_id = s.id)"):
        fails.add("db-empty-subject", f"subject {name} has no version row")
    for sid, subj, ver in q(url, "SELECT r.schema_id, r.subject, r.version FROM "
                                 "registry.schema_refs r WHERE NOT EXISTS (SELECT 1 FROM "
                                 "registry.versions v JOIN registry.subjects s ON s.id = "
                                 "v.subject_id WHERE s.name = r.subject AND v.version = "
                                 "r.version)"):
        fails.add("db-dangling-ref", f"schema {sid} refers to missing {subj}/{ver}")
    seq, top = q(url, "SELECT (SELECT last_value FROM registry.schema_ids), "
                      "(SELECT coalesce(max(id), 0) FROM registry.schemas)")[0]
    fails.check(int(seq) >= int(top), "db-sequence", f"sequence at {seq} below max id {top}")
    n_refs = int(q(url, "SELECT count(*) FROM registry.schema_refs")[0][0])

    rows = db_rows(url)
    by_subject = {}
    for (name, version), row in rows.items():
        by_subject.setdefault(name, []).append((version, row))
    acked = {}
    for subject, version, id_, content, refs in run.acks:
        acked.setdefault(subject, {}).setdefault(version, set()).add((id_, content))
        row = rows.get((subject, version))
        if not fails.check(row is not None, "lost-write",
                           f"acknowledged {subject}/{version} (id {id_}) not in the database"):
            continue
        fails.check(row[0] == id_ and not row[1] and same_schema(row[2], content), "lost-write",
                    f"{subject}/{version}: database has {row[:2]}, acknowledged id {id_}")
    # Subjects without deletes: versions 1..n, none deleted, each made by an acknowledged write.
    for name, versions in by_subject.items():
        if name.startswith("dl-"):
            continue
        nums = [v for v, _ in versions]
        fails.check(nums == list(range(1, len(nums) + 1)), "version-gap",
                    f"{name}: versions {nums[:20]}{'...' if len(nums) > 20 else ''}")
        fails.check(not any(r[1] for _, r in versions), "unexpected-delete", f"{name}")
        got = acked.get(name, {})
        fails.check(set(got) == set(nums), "unacknowledged-version",
                    f"{name}: database versions {len(nums)}, acknowledged {len(got)}")
        for v, pairs in got.items():
            fails.check(len(pairs) == 1, "duplicate-version",
                        f"{name}/{v} acknowledged for {len(pairs)} contents")
    for name in acked:
        fails.check(name in by_subject, "lost-write", f"subject {name} missing")
    # Deleters' subjects: exactly what their owner was told.
    for name, model in run.models.items():
        want = {v: (m[0], m[2], m[1]) for v, m in model.items()}
        have = {v: r for v, r in by_subject.get(name, [])}
        fails.check(set(want) == set(have), "delete-model",
                    f"{name}: database versions {sorted(have)}, expected {sorted(want)}")
        for v in set(want) & set(have):
            w, h = want[v], have[v]
            fails.check(w[0] == h[0] and w[1] == h[1] and same_schema(w[2], h[2]), "delete-model",
                        f"{name}/{v}: database {h[:2]}, expected {w[:2]}")
    return rows, n_refs


def check_api(run, rows, fails):
    """Everything in the database, read through every instance."""
    ids = {}
    for (name, version), (sid, deleted, schema) in rows.items():
        ids[sid] = schema
    subjects = {}
    for (name, version), (sid, deleted, schema) in rows.items():
        subjects.setdefault(name, []).append(version)
    reads = [0]
    lock = threading.Lock()

    def sweep(inst):
        st, js, raw = run.call(inst, "GET", "/schemas?deleted=true")
        if fails.check(st == 200 and isinstance(js, list), "api-sweep",
                       f"GET /schemas on {inst}: {st} {raw[:200]}"):
            seen = {(o["subject"], o["version"]): (o["id"], o["schema"]) for o in js}
            fails.check(len(seen) == len(rows), "api-sweep",
                        f"instance {inst}: /schemas lists {len(seen)} versions, database "
                        f"{len(rows)}")
            for key, (sid, deleted, schema) in rows.items():
                got = seen.get(key)
                fails.check(got is not None and got[0] == sid and same_schema(got[1], schema),
                            "api-sweep", f"instance {inst}: {key} -> {got and got[0]}, want {sid}")
        n = 1
        for name, versions in subjects.items():
            st, js, raw = run.call(inst, "GET", f"/subjects/{name}/versions?deleted=true")
            fails.check(st == 200 and js == sorted(versions), "api-sweep",
                        f"instance {inst}: {name} versions {raw[:100]}, want {sorted(versions)}")
            n += 1
        for sid, schema in ids.items():
            st, js, raw = run.call(inst, "GET", f"/schemas/ids/{sid}")
            fails.check(st == 200 and same_schema(js.get("schema"), schema), "api-sweep",
                        f"instance {inst}: /schemas/ids/{sid}: {st} {raw[:100]}")
            n += 1
        with lock:
            reads[0] += n
        srtest.drop_connections()

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(run.n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(ids), len(subjects), reads[0]


def one_run(args, cluster, tmp, index):
    fails = srtest.Failures(f"load run {index}")
    url = cluster.create_db(f"load{index}")
    extra = ["--max-list-limit", "1000000", "--shutdown-grace", "10"]
    daemons = [srtest.Daemon(args.daemon, url, os.path.join(tmp, f"run{index}-d{i}.log"),
                             extra=extra, threads=args.threads) for i in range(args.instances)]
    try:
        for d in daemons:
            d.start()
        for d in daemons:
            d.wait_ready()
        run = Run(args, [d.port for d in daemons], fails)
        # The reference target: sh-0 version 1 holds shared content 0.
        id0 = run.register(0, "sh-0", run.shared[0])
        run.shared_ids[0] = id0
        run.keep("sh-0", 1, id0, run.shared[0])
        roles = roles_for(args.clients)
        barrier = threading.Barrier(len(roles))
        threads = [threading.Thread(target=run.client, args=(cid, role, barrier))
                   for cid, role in enumerate(roles)]
        t0 = now()
        run.stop_at = t0 + args.duration
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = now() - t0
        load_lat = list(run.latencies)
        counts = dict(run.counts)
        t1 = now()
        rows, n_refs = check_database(run, url, fails)
        n_ids, n_subjects, api_reads = check_api(run, rows, fails)
        check_secs = now() - t1
    finally:
        for i, d in enumerate(daemons):
            if d.proc is not None:
                srtest.check_daemon_exit(fails, d, f"instance {i}")
    per_role = {r: roles.count(r) for r in dict.fromkeys(roles)}
    print(f"load run {index}: {args.instances} instances, {len(roles)} clients "
          f"({', '.join(f'{n} {r}' for r, n in per_role.items())}), {elapsed:.1f} s")
    print(f"  acknowledged: {counts['registrations']} registrations, {counts['deletes']} deletes, "
          f"{counts['reads']} successful reads; {counts['requests']} requests = "
          f"{counts['requests'] / elapsed:.0f} req/s, {counts['registrations'] / elapsed:.0f} "
          f"registrations/s")
    print(f"  latency: p50 {srtest.percentile(load_lat, 50) * 1000:.1f} ms, p99 "
          f"{srtest.percentile(load_lat, 99) * 1000:.1f} ms, max "
          f"{max(load_lat or [0]) * 1000:.0f} ms")
    print(f"  final state: {n_subjects} subjects, {len(rows)} versions, {n_ids} schema ids, "
          f"{n_refs} references; {api_reads} API reads on {args.instances} instances "
          f"({check_secs:.1f} s)")
    print(f"  violations: {fails.summary()}", flush=True)
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--daemon", default=srtest.default_daemon())
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load per run")
    ap.add_argument("--clients", type=int, default=36)
    ap.add_argument("--instances", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8, help="worker threads per daemon")
    ap.add_argument("--hot-subjects", type=int, default=2,
                    help="subjects that get successive versions from many clients at once")
    ap.add_argument("--runs", type=int, default=1, help="repeat the whole test N times")
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    srtest.exit_on_sigterm()
    tmp = srtest.make_tmp("sr-load-")
    cluster = srtest.Cluster(os.path.join(tmp, "pg"))
    cluster.start()
    print(f"load: daemon {args.daemon}, seed {args.seed}, logs in {tmp}", flush=True)
    failed_runs = 0
    try:
        for i in range(1, args.runs + 1):
            f = one_run(args, cluster, tmp, i)
            failed_runs += 1 if len(f) else 0
    finally:
        cluster.stop()
    print(f"load: {args.runs - failed_runs}/{args.runs} runs passed")
    if failed_runs == 0 and not args.keep:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
