#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test of our compatibility checker against python3-avro's avro.compatibility
(Apache Avro's own port of Java's SchemaCompatibility).

For every reader/writer pair (JSON lines from gen_pairs.py) it compares three verdicts, each
"compatible", "incompatible" or "exception":
  ours    - tests/differential/diff_driver (sr_avro_compat_check),
  python  - python3-avro 1.11.1 as shipped,
  java    - python3-avro with every known deviation from Java 1.11 corrected in place (the
            corrections are small replacements of the deviating functions, below).
The test passes when ours == java for every pair, every disagreement between ours and
python is explained by a known deviation (the smallest set of corrections that makes python
agree with us names its class), every schema parses on our side, and for incompatible pairs
our list of incompatibility types equals the corrected python's, in order.

Usage: /usr/bin/python3 compare.py --driver PATH --pairs FILE [--show N]
Exit status 0 on success, 1 on any unexplained disagreement.
"""
import argparse
import collections
import contextlib
import itertools
import json
import subprocess
import sys
import warnings

import avro.compatibility as compat
import avro.schema
from avro.errors import AvroRuntimeException


# ---- corrections: Java 1.11.4 SchemaCompatibility semantics for each deviation ----

def short_name(fullname):
    return fullname.rsplit(".", 1)[-1]


def namespace_of(fullname):
    return fullname.rsplit(".", 1)[0] if "." in fullname else None


def java_alias(alias, space):
    """Schema.Name(alias, space): dotted means full (a leading dot is the null namespace),
    else relative to the type's own namespace."""
    if "." in alias:
        ns, name = alias.rsplit(".", 1)
        return f"{ns}.{name}" if ns else name
    return f"{space}.{alias}" if space else alias


def make_name_equals(short, qualify):
    """schemaNameEquals: getName() (short) equality, else the reader's aliases (full names)
    contain the writer's full name."""
    def name_equals(reader, writer):
        if short:
            if short_name(reader.fullname) == short_name(writer.fullname):
                return True
        elif reader.name == writer.name:
            return True
        aliases = reader.props.get("aliases")
        if not isinstance(aliases, list):
            return False
        if qualify:
            aliases = [java_alias(a, namespace_of(reader.fullname)) for a in aliases]
        return writer.fullname in aliases
    return name_equals


def java_lookup_writer_field(writer_schema, reader_field):
    """lookupWriterField: the field named like the reader field plus one per matching alias
    (aliases form a set); more than one candidate throws AvroRuntimeException."""
    fields = writer_schema.fields_dict
    found = [fields[reader_field.name]] if reader_field.name in fields else []
    aliases = reader_field.props.get("aliases")
    for alias in dict.fromkeys(aliases if isinstance(aliases, list) else []):
        if alias in fields:
            found.append(fields[alias])
    if len(found) > 1:
        raise AvroRuntimeException(f"Reader record field {reader_field.name} matches multiple "
                                   "fields in writer record schema")
    return found[0] if found else None


def retype_errors(schema):
    """Java's Schema.Type of an error is RECORD; python3-avro keeps type "error"."""
    stack, seen = [schema], set()
    while stack:
        s = stack.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        if isinstance(s, avro.schema.RecordSchema):
            if s.type == "error":
                s.type = "record"
            stack.extend(f.type for f in s.fields)
        elif isinstance(s, avro.schema.ArraySchema):
            stack.append(s.items)
        elif isinstance(s, avro.schema.MapSchema):
            stack.append(s.values)
        elif isinstance(s, avro.schema.UnionSchema):
            stack.extend(s.schemas)


# Known deviations of python3-avro 1.11.1 from Java 1.11, in the order tried.
DEVIATIONS = {
    "short-names": (
        "named types are compared by the 'name' attribute as written (a full name when the "
        "schema spells it dotted), Java compares unqualified names",
        "avro/compatibility.py:381 (reader.name == writer.name); avro/schema.py:266,277"),
    "alias-namespace": (
        "reader aliases are compared as written, Java resolves them against the type's own "
        "namespace (an undotted alias is namespace-relative, a leading dot is the null "
        "namespace)",
        "avro/compatibility.py:380-381 (props['aliases'] verbatim)"),
    "field-alias-ambiguity": (
        "a reader field whose name and aliases match several writer fields takes the first "
        "match, Java throws AvroRuntimeException (Confluent: 'Unexpected exception during "
        "compatibility check', an incompatibility)",
        "avro/compatibility.py:384-395 (lookup_writer_field)"),
    "error-type": (
        "an 'error' schema has type 'error', which the checker does not know (raises "
        "'Unknown schema type: error', or reports a RECORD/ERROR type mismatch), Java's "
        "error is Type.RECORD",
        "avro/compatibility.py:210,231,259-266,279; avro/schema.py:1158-1161"),
}


@contextlib.contextmanager
def corrected(fixes):
    saved = (compat.schema_name_equals, compat.lookup_writer_field)
    if "short-names" in fixes or "alias-namespace" in fixes:
        compat.schema_name_equals = make_name_equals("short-names" in fixes,
                                                     "alias-namespace" in fixes)
    if "field-alias-ambiguity" in fixes:
        compat.lookup_writer_field = java_lookup_writer_field
    try:
        yield
    finally:
        compat.schema_name_equals, compat.lookup_writer_field = saved


def python_verdict(reader_text, writer_text, fixes=frozenset()):
    """(verdict, incompatibility types) from python3-avro with the given corrections."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ignored logical types
        reader = avro.schema.parse(reader_text)
        writer = avro.schema.parse(writer_text)
    if "error-type" in fixes:
        retype_errors(reader)
        retype_errors(writer)
    with corrected(fixes):
        try:
            res = compat.ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
        except AvroRuntimeException:
            return "exception", []
    ok = res.compatibility is compat.SchemaCompatibilityType.compatible
    return ("compatible" if ok else "incompatible"), [t.name.upper()
                                                       for t in res.incompatibilities]


def classify(pair, ours):
    """The smallest set of corrections that makes python agree with our verdict."""
    names = list(DEVIATIONS)
    for k in range(1, len(names) + 1):
        for subset in itertools.combinations(names, k):
            if python_verdict(pair["reader"], pair["writer"], frozenset(subset))[0] == ours:
                return "+".join(subset)
    return None


def run_driver(driver, pairs_file):
    with open(pairs_file, "rb") as f:
        proc = subprocess.run([driver], stdin=f, capture_output=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"diff_driver failed ({proc.returncode}): {proc.stderr.decode()[:2000]}")
    return {r["id"]: r for r in map(json.loads, proc.stdout.decode().splitlines())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--show", type=int, default=0, help="examples printed per class")
    args = ap.parse_args()
    sys.setrecursionlimit(20000)

    with open(args.pairs, encoding="utf-8") as f:
        pairs = [json.loads(line) for line in f]
    results = run_driver(args.driver, args.pairs)
    all_fixes = frozenset(DEVIATIONS)

    counts = collections.Counter()
    classes = collections.Counter()
    examples = collections.defaultdict(list)
    failures = []
    for pair in pairs:
        out = results.get(pair["id"])
        if out is None or out["verdict"] == "invalid":
            failures.append(("ours-rejects-schema", pair, out))
            continue
        ours = out["verdict"]
        counts[ours] += 1
        python, _ = python_verdict(pair["reader"], pair["writer"])
        java, java_types = python_verdict(pair["reader"], pair["writer"], all_fixes)
        if ours != java:
            failures.append(("differs-from-java-rules", pair, out, python, java))
            continue
        if ours == "incompatible" and [t for t, _ in out["items"]] != java_types:
            failures.append(("incompatibility-types-differ", pair, out, java_types))
            continue
        if ours == python:
            counts["agree"] += 1
            continue
        cls = classify(pair, ours)
        if cls is None:
            failures.append(("unexplained", pair, out, python))
            continue
        classes[cls] += 1
        if len(examples[cls]) < args.show:
            examples[cls].append((pair, ours, python))

    print(f"pairs: {len(pairs)}  (ours: {counts['compatible']} compatible, "
          f"{counts['incompatible']} incompatible, {counts['exception']} exception)")
    print(f"agreements with python3-avro: {counts['agree']}")
    print(f"disagreements explained by a known python3-avro deviation: {sum(classes.values())}")
    for cls in list(DEVIATIONS) + sorted(c for c in classes if c not in DEVIATIONS):
        print(f"  {cls}: {classes[cls]}")
    print(f"unexplained: {len(failures)}")
    for cls, exs in examples.items():
        for pair, ours, python in exs:
            print(f"\n[{cls}] ours={ours} python={python} mutations={pair['mutations']}")
            print(f"  reader: {pair['reader']}\n  writer: {pair['writer']}")
    for fail in failures[:20]:
        print(f"\nFAIL {fail[0]}: {fail[2:]}\n  reader: {fail[1]['reader']}\n"
              f"  writer: {fail[1]['writer']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
