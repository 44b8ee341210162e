# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the multi-instance tests: a private PostgreSQL cluster (scripts/pg-local.sh,
run as an unprivileged user), schemaregd processes on free ports, a keep-alive HTTP client that
measures every request, psql for checks on the registry's tables, and a failure recorder.
Python standard library only, plus the psql client from Debian's postgresql package."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PG_LOCAL = os.path.join(SOURCE_DIR, "scripts", "pg-local.sh")
PG_USER = os.environ.get("PG_USER", "schemaregd-pg")
CT_JSON = "application/vnd.schemaregistry.v1+json"
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "ThreadSanitizer")


def now():
    return time.monotonic()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir():
    base = "/usr/lib/postgresql"
    versions = sorted((d for d in os.listdir(base) if d.isdigit()), key=int)
    return os.path.join(base, versions[-1], "bin")


class Failures:
    """Collects violations; each is printed once when recorded (first few per kind)."""

    def __init__(self, name):
        self.name = name
        self.lock = threading.Lock()
        self.items = []
        self.per_kind = {}

    def add(self, kind, text):
        with self.lock:
            self.items.append((kind, text))
            n = self.per_kind.get(kind, 0) + 1
            self.per_kind[kind] = n
            if n <= 5:
                print(f"FAIL [{self.name}] {kind}: {text}", file=sys.stderr, flush=True)
            elif n == 6:
                print(f"FAIL [{self.name}] {kind}: (further ones counted only)", file=sys.stderr,
                      flush=True)

    def check(self, ok, kind, text):
        if not ok:
            self.add(kind, text)
        return ok

    def __len__(self):
        return len(self.items)

    def summary(self):
        return ", ".join(f"{k}={n}" for k, n in sorted(self.per_kind.items())) or "none"


class Cluster:
    """A private PostgreSQL cluster in dir on port; url points at its 'registry' database."""

    def __init__(self, dir, port=None):
        self.dir = dir
        self.port = port or free_port()
        self.url = None
        self.bindir = pg_bindir()

    def start(self):
        out = subprocess.run(["bash", PG_LOCAL, "start", self.dir, str(self.port)], check=True,
                             capture_output=True, text=True)
        self.url = out.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self):
        subprocess.run(["bash", PG_LOCAL, "stop", self.dir], capture_output=True)

    def _pg_ctl(self, *args, check=True):
        cmd = [os.path.join(self.bindir, "pg_ctl"), "-D", self.dir, *args]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", PG_USER, "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def restart(self):
        """pg_ctl restart (fast shutdown: sessions are terminated, then a new postmaster)."""
        self._pg_ctl("-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60", "-m", "fast",
                     "restart")

    def stop_immediate(self):
        """A crash: every server process quits at once, no checkpoint, recovery on start."""
        self._pg_ctl("-w", "-m", "immediate", "stop")

    def postmaster_pid(self):
        with open(os.path.join(self.dir, "postmaster.pid")) as f:
            return int(f.readline())

    def kill9(self):
        """kill -9 of the postmaster; its backends notice and exit on their own."""
        pid = self.postmaster_pid()
        os.kill(pid, signal.SIGKILL)
        return pid

    def start_again(self, timeout=60):
        """Starts the stopped or crashed cluster (waits for orphaned backends to go)."""
        deadline = now() + timeout
        while True:
            r = self._pg_ctl("-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60",
                             "-o", f"-p {self.port}", "start", check=False)
            if r.returncode == 0:
                return
            if now() > deadline:
                raise RuntimeError(f"cannot start PostgreSQL again: {r.stdout} {r.stderr}")
            time.sleep(0.2)

    def admin_url(self):
        return self.url.rsplit("/", 1)[0] + "/postgres"

    def db_url(self, name):
        return self.url.rsplit("/", 1)[0] + "/" + name

    def create_db(self, name):
        psql(self.admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(self.admin_url(), f'CREATE DATABASE "{name}"')
        return self.db_url(name)


def psql(url, sql, timeout=60):
    """Runs sql; returns rows as lists of strings (tab-separated output, no headers)."""
    r = subprocess.run(["psql", url, "-X", "-Atq", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-c", sql],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed ({sql[:80]}...): {r.stderr.strip()}")
    return [line.split("\t") for line in r.stdout.splitlines() if line != ""]


class PsqlSession:
    """An interactive psql whose transaction stays open between statements (lock holders)."""

    def __init__(self, url):
        self.p = subprocess.Popen(["psql", url, "-X", "-Atq", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, bufsize=1)

    def run(self, sql, marker="__done__", timeout=30):
        """Sends sql and waits until it has run (an \\echo marker comes back)."""
        self.p.stdin.write(sql.rstrip() + "\n\\echo " + marker + "\n")
        self.p.stdin.flush()
        deadline = now() + timeout
        out = []
        while now() < deadline:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("psql session ended: " + "".join(out))
            if line.strip() == marker:
                return "".join(out)
            out.append(line)
        raise RuntimeError("psql session timed out")

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


class Daemon:
    """One schemaregd process on a free port, its log in log_path."""

    def __init__(self, binary, db_url, log_path, extra=(), port=None, threads=8):
        self.binary = binary
        self.db_url = db_url
        self.log_path = log_path
        self.port = port or free_port()
        self.args = [binary, "--listen", f"127.0.0.1:{self.port}", "--database-url", db_url,
                     "--threads", str(threads), *extra]
        self.proc = None

    def start(self):
        log = open(self.log_path, "w")
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ready_status(self, timeout=2.0):
        st, _, _, _ = request(self.port, "GET", "/health/ready", timeout=timeout)
        return st

    def wait_ready(self, timeout=20.0):
        deadline = now() + timeout
        while now() < deadline:
            if not self.alive():
                raise RuntimeError(f"daemon exited at start (log {self.log_path})")
            if self.ready_status() == 200:
                return True
            time.sleep(0.05)
        raise RuntimeError(f"daemon not ready within {timeout} s (log {self.log_path})")

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=30.0):
        """SIGTERM and wait; returns the exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        rc = self.wait_exit(timeout)
        if rc is None:
            self.proc.kill()
            self.proc.wait()
        return rc

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def sanitizer_reports(self):
        return [l for l in self.log_text().splitlines() if any(m in l for m in SANITIZER_MARKS)]


def check_daemon_exit(fails, d, what):
    """Stops d with SIGTERM; records a non-zero exit or sanitizer output."""
    rc = d.stop()
    fails.check(rc == 0, "daemon-exit", f"{what}: exit status {rc} after SIGTERM ({d.log_path})")
    reps = d.sanitizer_reports()
    fails.check(not reps, "sanitizer", f"{what}: {reps[:3]} ({d.log_path})")


_local = threading.local()


def _conn(port, timeout):
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    c = conns.get(port)
    if c is None:
        c = conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.timeout = timeout
    if c.sock is not None:
        c.sock.settimeout(timeout)
    return c


def drop_connections():
    for c in getattr(_local, "conns", {}).values():
        c.close()
    _local.conns = {}


def request(port, method, path, body=None, timeout=30.0):
    """One request on this thread's keep-alive connection to port. Returns (status, parsed
    JSON or None, raw text, seconds). status is -1 when no HTTP answer came (text says why)."""
    c = _conn(port, timeout)
    headers = {"Content-Type": CT_JSON} if body is not None else {}
    data = body if body is None or isinstance(body, (bytes, str)) else json.dumps(body)
    t0 = now()
    try:
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        raw = r.read().decode("utf-8", "replace")
        status = r.status
        if r.getheader("Connection", "").lower() == "close":
            c.close()
    except (OSError, http.client.HTTPException) as e:
        c.close()
        _local.conns.pop(port, None)
        return -1, None, f"{type(e).__name__}: {e}", now() - t0
    dt = now() - t0
    try:
        js = json.loads(raw) if raw else None
    except ValueError:
        js = None
    return status, js, raw, dt


def schema_text(fields, name="R"):
    """A record whose fields are ints with defaults: any two such records are compatible in
    every direction, so any content can be registered under any subject."""
    return json.dumps({"type": "record", "name": name,
                       "fields": [{"name": f, "type": "int", "default": 0} for f in fields]},
                      separators=(",", ":"))


def same_schema(a, b):
    try:
        return json.loads(a) == json.loads(b)
    except (TypeError, ValueError):
        return False


def is_store_error(status, js):
    """A Confluent 500-class error body: 50001 or 50002 with a message."""
    return (status == 500 and isinstance(js, dict) and js.get("error_code") in (50001, 50002)
            and isinstance(js.get("message"), str) and js["message"] != "" and len(js) == 2)


def percentile(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def default_daemon():
    for cand in ("build-asan/schemaregd", "build/schemaregd"):
        p = os.path.join(SOURCE_DIR, cand)
        if os.path.exists(p):
            return p
    return os.path.join(SOURCE_DIR, "build", "schemaregd")


def exit_on_sigterm():
    """Turns SIGTERM (from `timeout`) into SystemExit, so that finally blocks stop the
    daemons and the PostgreSQL cluster instead of leaving them running."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def make_tmp(prefix):
    import tempfile
    d = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
    os.chmod(d, 0o755)
    return d
