# SPDX-License-Identifier: Apache-2.0
"""A small assertion harness for the Python client tests (standard library only): named checks,
expected exceptions, one "ok"/"FAIL" line per check and a closing "N passed, N failed" line."""
import sys
import traceback


class Checks:
    def __init__(self, label):
        self.label = label
        self.passed = 0
        self.failed = 0

    def _pass(self, name):
        self.passed += 1
        print("ok   - %s" % name, flush=True)

    def _fail(self, name, detail):
        self.failed += 1
        print("FAIL - %s: %s" % (name, detail), flush=True)

    def eq(self, name, actual, expected):
        if actual == expected and type(actual) is type(expected):
            self._pass(name)
        else:
            self._fail(name, "got %r, want %r" % (actual, expected))

    def ok(self, name, cond, detail="condition false"):
        if cond:
            self._pass(name)
        else:
            self._fail(name, detail)

    def step(self, name, fn):
        """Runs fn(); an unexpected exception fails the step instead of ending the run."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - any exception is a failed step
            self._fail(name, "unexpected %s: %s" % (type(e).__name__, e))
            traceback.print_exc(file=sys.stdout)

    def raises(self, name, fn, check):
        """Expects fn() to raise; check(exc) returns (actual, expected), compared as one check."""
        try:
            value = fn()
        except Exception as e:  # noqa: BLE001
            actual, expected = check(e)
            self.eq(name, actual, expected)
            return e
        self._fail(name, "expected an exception, got %r" % (value,))
        return None

    def finish(self):
        """Prints the closing line and exits non-zero when a check failed (or none ran)."""
        print("%s: %d passed, %d failed" % (self.label, self.passed, self.failed), flush=True)
        sys.exit(0 if self.failed == 0 and self.passed > 0 else 1)


def wire(schema_id, body_hex):
    """The Confluent wire format built by hand: magic 0, 4-byte big-endian id, Avro body."""
    return "00" + ("%08x" % schema_id) + body_hex


def avro_string(s):
    """Avro binary of a short string (length < 64), as hex."""
    b = s.encode()
    return ("%02x" % (len(b) * 2)) + b.hex()
