#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Replays recorded client traffic against a registry and checks what the client reads.

For clients that cannot be installed here (Kafka Connect's AvroConverter through the Java
client, Kafka UI, modern confluent-kafka-python), each scenario file (*.json in this
directory) lists the requests that client sends, in order, with its headers, and for each
response the status code and the JSON fields the client reads. Python 3 standard library only.

Scenario file:
  {"client": "...", "source": "where the traffic comes from",
   "headers": {...},                       sent with every request (a step may override or
                                            drop one by giving null)
   "define": {"name": <JSON value>},       values usable as "${name}" (schemas, mostly)
   "steps": [{"name": "...", "method": "GET", "path": "/subjects?deleted=false",
              "headers": {...}, "body": <JSON value> | "body_raw": "<text>",
              "expect": {"status": 200, "json": <pattern>},
              "capture": {"var": "field"}}]}
Paths are relative to the base URL (its path prefix is kept). "${var}" in a path is replaced
by a defined or captured value; a JSON string in a body or pattern that is exactly "${var}"
becomes that value. {"$text": v} in a body or pattern stands for the compact JSON text of v
(keys in the order written, no spaces: the form Java's Avro Schema.toString() produces), so a
schema is written once as JSON and sent, or expected, as the string a client sends or reads.
A pattern matches a response JSON as follows: an object matches when each listed key matches
(other keys are ignored, as the clients ignore them); a list matches element by element with
equal length; scalars compare equal (1 and true differ). Special objects:
  {"$absent": true}      the key must be missing      {"$present": true}  the key must exist
  {"$oneOf": [a, b]}     any alternative matches      {"$contains": "s"}  a string containing s
  {"$nonEmpty": true}    a non-empty string or list   {"$json": p}        a string whose parsed
                                                                          JSON matches p
Every response must carry a JSON Content-Type and a body that parses as JSON.

Usage: run.py BASE_URL SCENARIO.json...
Prints one line per step and "replays: N passed, N failed"; exits 1 on any failure.
"""
import http.client
import json
import re
import sys
import urllib.parse

JSON_TYPES = ("application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json",
              "application/json")
VAR = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def substitute_path(path, captured):
    return VAR.sub(lambda m: str(captured[m.group(1)]), path)


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def substitute_body(value, captured):
    if isinstance(value, str):
        m = VAR.fullmatch(value)
        return captured[m.group(1)] if m else value
    if isinstance(value, list):
        return [substitute_body(v, captured) for v in value]
    if isinstance(value, dict):
        if list(value) == ["$text"]:
            return compact(substitute_body(value["$text"], captured))
        return {k: substitute_body(v, captured) for k, v in value.items()}
    return value


def same_scalar(a, b):
    # bool is an int in Python; a client that reads `true` must not get `1`.
    return type(a) is type(b) and a == b or (
        isinstance(a, (int, float)) and isinstance(b, (int, float))
        and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def match(pattern, actual, where="$"):
    """Returns a list of mismatch descriptions (empty when the pattern matches)."""
    if isinstance(pattern, dict) and len(pattern) == 1 and next(iter(pattern)).startswith("$"):
        op, arg = next(iter(pattern.items()))
        if op == "$present":
            return []
        if op == "$oneOf":
            for alt in arg:
                if not match(alt, actual, where):
                    return []
            return ["%s: %r matches none of %r" % (where, actual, arg)]
        if op == "$contains":
            ok = isinstance(actual, str) and arg in actual
            return [] if ok else ["%s: %r does not contain %r" % (where, actual, arg)]
        if op == "$nonEmpty":
            ok = isinstance(actual, (str, list)) and len(actual) > 0
            return [] if ok else ["%s: %r is empty or not a string/list" % (where, actual)]
        if op == "$json":
            try:
                parsed = json.loads(actual)
            except (TypeError, ValueError) as e:
                return ["%s: not a JSON string (%s)" % (where, e)]
            return match(arg, parsed, where + "<json>")
        raise ValueError("unknown matcher %s at %s" % (op, where))
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return ["%s: expected an object, got %r" % (where, actual)]
        errors = []
        for key, sub in pattern.items():
            if isinstance(sub, dict) and sub.get("$absent"):
                if key in actual:
                    errors.append("%s.%s: must be absent, got %r" % (where, key, actual[key]))
                continue
            if key not in actual:
                errors.append("%s.%s: missing" % (where, key))
                continue
            errors += match(sub, actual[key], "%s.%s" % (where, key))
        return errors
    if isinstance(pattern, list):
        if not isinstance(actual, list) or len(actual) != len(pattern):
            return ["%s: expected %r, got %r" % (where, pattern, actual)]
        errors = []
        for i, (p, a) in enumerate(zip(pattern, actual)):
            errors += match(p, a, "%s[%d]" % (where, i))
        return errors
    return [] if same_scalar(pattern, actual) else ["%s: expected %r, got %r" % (where, pattern, actual)]


def lookup(value, dotted):
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


class Connection:
    """One keep-alive HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        if url.scheme != "http":
            raise SystemExit("run.py: only http:// base URLs are supported")
        self.host, self.port = url.hostname, url.port or 80
        self.prefix = url.path.rstrip("/")
        self.conn = None

    def request(self, method, path, headers, body):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                # skip_accept_encoding: send exactly the recorded headers (plus Host).
                self.conn.putrequest(method, self.prefix + path, skip_accept_encoding=True)
                for name, value in headers.items():
                    self.conn.putheader(name, value)
                if body is not None:
                    self.conn.putheader("Content-Length", str(len(body)))
                self.conn.endheaders(body)
                resp = self.conn.getresponse()
                return resp.status, resp.getheader("Content-Type", ""), resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def run_scenario(conn, path):
    with open(path, encoding="utf-8") as f:
        scenario = json.load(f)
    label = scenario["client"]
    captured = dict(scenario.get("define", {}))
    passed = failed = 0
    print("# %s (%s)" % (label, path.rsplit("/", 1)[-1]), flush=True)
    for step in scenario["steps"]:
        name = step["name"]
        headers = {k: v for k, v in {**scenario.get("headers", {}), **step.get("headers", {})}.items()
                   if v is not None}
        body = None
        try:
            if "body" in step:
                body = json.dumps(substitute_body(step["body"], captured), separators=(",", ":")).encode()
            elif "body_raw" in step:
                body = step["body_raw"].encode()
            target = substitute_path(step["path"], captured)
            status, ctype, raw = conn.request(step["method"], target, headers, body)
        except (KeyError, OSError, http.client.HTTPException) as e:
            failed += 1
            print("FAIL - %s: request failed: %s: %s" % (name, type(e).__name__, e), flush=True)
            continue
        errors = []
        expect = step["expect"]
        if status != expect["status"]:
            errors.append("status %d, want %d" % (status, expect["status"]))
        if ctype.split(";")[0].strip().lower() not in JSON_TYPES:
            errors.append("Content-Type %r is not JSON" % ctype)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            doc = None
            errors.append("body is not JSON (%s): %r" % (e, raw[:200]))
        if doc is not None and "json" in expect:
            try:
                errors += match(substitute_body(expect["json"], captured), doc)
            except KeyError as e:
                errors.append("pattern uses undefined variable %s" % e)
        if doc is not None and not errors:
            for var, field in step.get("capture", {}).items():
                try:
                    captured[var] = lookup(doc, field)
                except (KeyError, IndexError, TypeError):
                    errors.append("cannot capture %s from %s" % (var, field))
        if errors:
            failed += 1
            print("FAIL - %s: %s %s -> %s" % (name, step["method"], target, "; ".join(errors)), flush=True)
            print("       body: %s" % raw[:400].decode("utf-8", "replace"), flush=True)
        else:
            passed += 1
            print("ok   - %s" % name, flush=True)
    return passed, failed


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: run.py BASE_URL SCENARIO.json...")
    conn = Connection(sys.argv[1])
    passed = failed = 0
    for path in sys.argv[2:]:
        p, f = run_scenario(conn, path)
        passed += p
        failed += f
    print("replays: %d passed, %d failed" % (passed, failed), flush=True)
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()
