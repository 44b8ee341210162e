// SPDX-License-Identifier: Apache-2.0
// A small assertion harness for the Node client tests: named steps, deep-equality checks,
// expected rejections, one "ok"/"FAIL" line per check and a closing "N passed, N failed" line.
'use strict';

const assert = require('node:assert');
const util = require('node:util');

class Checks {
    constructor(label) {
        this.label = label;
        this.passed = 0;
        this.failed = 0;
        this.current = '';
    }

    pass(name) {
        this.passed++;
        console.log(`ok   - ${name}`);
    }

    fail(name, detail) {
        this.failed++;
        console.log(`FAIL - ${name}: ${detail}`);
    }

    /* Deep, strict equality (object key order does not matter). */
    eq(name, actual, expected) {
        try {
            assert.deepStrictEqual(actual, expected);
            this.pass(name);
        } catch (e) {
            this.fail(name, `got ${util.inspect(actual, { depth: 6 })}, ` +
                `want ${util.inspect(expected, { depth: 6 })}`);
        }
    }

    ok(name, cond, detail) {
        if (cond) this.pass(name);
        else this.fail(name, detail || 'condition false');
    }

    /* Runs fn; an unexpected exception fails the step (and names it) instead of ending the run. */
    async step(name, fn) {
        try {
            await fn();
        } catch (e) {
            this.fail(name, `unexpected ${describe(e)}`);
        }
    }

    /* Expects fn() to reject; check(err) returns [actual, expected], compared as one check. */
    async rejects(name, fn, check) {
        let value;
        try {
            value = await fn();
        } catch (e) {
            const [actual, expected] = check(e);
            this.eq(name, actual, expected);
            return e;
        }
        this.fail(name, `expected an error, got ${util.inspect(value, { depth: 4 })}`);
        return null;
    }

    /* Prints the closing line; the exit code is non-zero when any check failed. */
    finish() {
        console.log(`${this.label}: ${this.passed} passed, ${this.failed} failed`);
        process.exitCode = this.failed === 0 && this.passed > 0 ? 0 : 1;
    }
}

function describe(e) {
    if (e == null) return String(e);
    const parts = [e.name || 'Error', e.message];
    if (e.status !== undefined) parts.push(`status=${e.status}`);
    if (e.errorCode !== undefined) parts.push(`errorCode=${e.errorCode}`);
    return parts.join(' ');
}

module.exports = { Checks, describe };
