#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Generates random Avro schema evolutions for the differential test, deterministically from a
seed: each evolution is an old schema and a new one made from it by one to three random
mutations, written as two JSON lines (reader=new/writer=old and reader=old/writer=new):
  {"id": N, "mutations": [...], "reader": "<schema>", "writer": "<schema>"}

Schemas are built as a small object graph (named types are shared objects, so references and
recursion come for free) and written out in document order: a named type is defined at its
first occurrence and referenced by name afterwards. Every schema written is valid for Avro
Java 1.11 by construction and is checked to parse with python3-avro; a mutation that would
give an invalid schema is retried. Only the standard library and python3-avro are used.

Run with Debian's interpreter: /usr/bin/python3 gen_pairs.py --count 2500 --seed 1 > pairs.jsonl
"""
import argparse
import copy
import json
import random
import sys
import warnings

import avro.schema

PRIMS = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
PROMOTABLE = ["int", "long", "float", "double", "string", "bytes"]
LOGICAL = {
    "int": [{"logicalType": "date"}, {"logicalType": "time-millis"}],
    "long": [{"logicalType": "timestamp-millis"}, {"logicalType": "time-micros"}],
    "string": [{"logicalType": "uuid"}],
    "bytes": [{"logicalType": "decimal", "precision": 10, "scale": 2}],
}
NAMESPACES = [None, "com.acme", "com.acme.v2", "org.other"]
TYPE_NAMES = ["User", "Address", "Status", "Hash", "Item", "Node", "Event", "Payload", "Money",
              "Color", "Order", "Line", "Kind", "Digest", "Meta"]
FIELD_NAMES = ["id", "name", "email", "age", "score", "tags", "kind", "next", "value", "count",
               "created", "payload", "items", "flag", "note", "ratio", "owner", "data"]
SYMBOLS = ["A", "B", "C", "D", "E", "RED", "GREEN", "BLUE", "UNKNOWN", "Z"]


class Unrepresentable(Exception):
    """The graph cannot be written so that both Java and python3-avro read it as meant."""


# ---- the model ----

class Prim:
    def __init__(self, t, logical=None, as_object=False):
        self.t, self.logical, self.as_object = t, logical, as_object


class Array:
    def __init__(self, items):
        self.items = items


class Map:
    def __init__(self, values):
        self.values = values


class Union:
    def __init__(self, branches):
        self.branches = branches


class Named:
    # style: how the name is written when the namespace need not be: "implicit" (inherited),
    # "explicit" ("namespace" key) or "dotted" (full name in "name").
    def __init__(self, name, ns, style="implicit"):
        self.name, self.ns, self.style, self.aliases = name, ns, style, []

    @property
    def fullname(self):
        return f"{self.ns}.{self.name}" if self.ns else self.name


class Record(Named):
    def __init__(self, name, ns, fields, style="implicit", is_error=False):
        super().__init__(name, ns, style)
        self.fields, self.is_error = fields, is_error


class Field:
    def __init__(self, name, type_, has_default=False, default=None):
        self.name, self.type, self.has_default, self.default = name, type_, has_default, default
        self.aliases = []


class Enum(Named):
    def __init__(self, name, ns, symbols, default=None, style="implicit"):
        super().__init__(name, ns, style)
        self.symbols, self.default = symbols, default


class Root:
    """Holds the top-level type, so that mutations can replace it like any other."""
    def __init__(self, t):
        self.t = t


class Fixed(Named):
    def __init__(self, name, ns, size, style="implicit"):
        super().__init__(name, ns, style)
        self.size = size


# ---- writing JSON ----

def to_json(node, cur_ns, seen):
    if isinstance(node, Prim):
        if node.logical or node.as_object:
            return {"type": node.t, **(node.logical or {})}
        return node.t
    if isinstance(node, Array):
        return {"type": "array", "items": to_json(node.items, cur_ns, seen)}
    if isinstance(node, Map):
        return {"type": "map", "values": to_json(node.values, cur_ns, seen)}
    if isinstance(node, Union):
        return [to_json(b, cur_ns, seen) for b in node.branches]
    if id(node) in seen:
        if node.ns == cur_ns:
            return node.name
        if node.ns is None:
            # Java would find it through its null-namespace fallback; python3-avro cannot.
            raise Unrepresentable("null-namespace reference from a namespace")
        return node.fullname
    seen.add(id(node))
    if node.ns is None and cur_ns is not None:
        # Java needs "namespace": "", which python3-avro reads as "inherit".
        raise Unrepresentable("null-namespace definition inside a namespace")
    kind = "fixed" if isinstance(node, Fixed) else "enum" if isinstance(node, Enum) else "record"
    out = {"type": kind, "name": node.name}
    style = node.style if node.ns is not None else "implicit"
    if node.ns != cur_ns and style == "implicit":
        style = "explicit"
    if style == "explicit":
        out["namespace"] = node.ns
    elif style == "dotted":
        out["name"] = node.fullname
    if node.aliases:
        out["aliases"] = list(node.aliases)
    if isinstance(node, Fixed):
        out["size"] = node.size
    elif isinstance(node, Enum):
        out["symbols"] = list(node.symbols)
        if node.default is not None:
            out["default"] = node.default
    else:
        # python3-avro does not enter an error's namespace (schema.py, RecordSchema.__init__),
        # so an error is only written where that makes no difference.
        if node.is_error and node.ns == cur_ns and style != "dotted":
            out["type"] = "error"
        fields = []
        for f in node.fields:
            fj = {"name": f.name, "type": to_json(f.type, node.ns, seen)}
            if f.aliases:
                fj["aliases"] = list(f.aliases)
            if f.has_default:
                fj["default"] = f.default
            fields.append(fj)
        out["fields"] = fields
    return out


def schema_text(root):
    return json.dumps(to_json(root.t, None, set()), separators=(",", ":"))


# ---- walking the graph ----

def children(node):
    if isinstance(node, Root):
        return [node.t]
    if isinstance(node, Array):
        return [node.items]
    if isinstance(node, Map):
        return [node.values]
    if isinstance(node, Union):
        return list(node.branches)
    if isinstance(node, Record):
        return [f.type for f in node.fields]
    return []


def walk(root):
    """Every node once (named types once), depth first."""
    out, seen, stack = [], set(), [root]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        out.append(n)
        stack.extend(reversed(children(n)))
    return out


def slots(root):
    """(getter, setter) pairs for every place a type sits."""
    out = []
    for n in walk(root):
        if isinstance(n, Root):
            out.append((lambda n=n: n.t, lambda v, n=n: setattr(n, "t", v)))
        elif isinstance(n, Array):
            out.append((lambda n=n: n.items, lambda v, n=n: setattr(n, "items", v)))
        elif isinstance(n, Map):
            out.append((lambda n=n: n.values, lambda v, n=n: setattr(n, "values", v)))
        elif isinstance(n, Union):
            for i in range(len(n.branches)):
                out.append((lambda n=n, i=i: n.branches[i],
                            lambda v, n=n, i=i: n.branches.__setitem__(i, v)))
        elif isinstance(n, Record):
            for f in n.fields:
                out.append((lambda f=f: f.type, lambda v, f=f: setattr(f, "type", v)))
    return out


def union_key(n):
    if isinstance(n, Prim):
        return n.t
    if isinstance(n, Array):
        return "array"
    if isinstance(n, Map):
        return "map"
    if isinstance(n, Union):
        return "union"
    return n.fullname


def valid(root):
    """The rules Java 1.11 and python3-avro both enforce, checked on the model."""
    names = {}
    for n in walk(root):
        if isinstance(n, Union):
            keys = [union_key(b) for b in n.branches]
            if "union" in keys or len(set(keys)) != len(keys):
                return False
        if isinstance(n, Named):
            if names.setdefault(n.fullname, n) is not n or n.fullname in PRIMS:
                return False
        if isinstance(n, Record) and len({f.name for f in n.fields}) != len(n.fields):
            return False
        if isinstance(n, Enum):
            if len(set(n.symbols)) != len(n.symbols):
                return False
            if n.default is not None and n.default not in n.symbols:
                return False
    return True


# ---- random generation ----

class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.counter = 0

    def fresh_name(self, root):
        used = {n.name for n in walk(root) if isinstance(n, Named)} if root else set()
        for _ in range(20):
            name = self.rng.choice(TYPE_NAMES)
            if name not in used:
                return name
        self.counter += 1
        return f"T{self.counter}"

    def pick_ns(self, cur_ns):
        r = self.rng.random()
        if r < 0.6 or cur_ns is not None and r < 0.8:
            return cur_ns
        choices = [ns for ns in NAMESPACES if ns is not None or cur_ns is None]
        return self.rng.choice(choices)

    def style(self):
        return self.rng.choice(["implicit"] * 5 + ["explicit", "dotted"])

    def prim(self, allow_null=True):
        t = self.rng.choice(PRIMS if allow_null else PRIMS[1:])
        if t in LOGICAL and self.rng.random() < 0.1:
            return Prim(t, self.rng.choice(LOGICAL[t]))
        return Prim(t, as_object=self.rng.random() < 0.05)

    def enum(self, cur_ns, root):
        syms = self.rng.sample(SYMBOLS, self.rng.randint(1, 5))
        default = self.rng.choice(syms) if self.rng.random() < 0.3 else None
        return Enum(self.fresh_name(root), self.pick_ns(cur_ns), syms, default, self.style())

    def fixed(self, cur_ns, root):
        return Fixed(self.fresh_name(root), self.pick_ns(cur_ns), self.rng.choice([4, 8, 16]),
                     self.style())

    def record(self, depth, cur_ns, root, top=False):
        ns = self.rng.choice(NAMESPACES) if top else self.pick_ns(cur_ns)
        rec = Record(self.fresh_name(root), ns, [], self.style(), self.rng.random() < 0.03)
        root = root or rec
        for name in self.rng.sample(FIELD_NAMES, self.rng.randint(1 if depth else 2, 5)):
            rec.fields.append(self.field(name, depth + 1, ns, root, rec))
        if self.rng.random() < 0.1:
            # Recursion: a linked list or tree through the record itself.
            t = self.rng.choice([Union([Prim("null"), rec]), Array(rec), Map(rec)])
            rec.fields.append(Field("next_" + rec.name.lower(), t, True, default_for(t)))
        return rec

    def field(self, name, depth, cur_ns, root, rec):
        t = self.type(depth, cur_ns, root)
        has_default = self.rng.random() < 0.4
        return Field(name, t, has_default, default_for(t) if has_default else None)

    def type(self, depth, cur_ns, root):
        r = self.rng.random()
        if depth >= 3 or r < 0.45:
            return self.prim()
        if r < 0.55:
            return Array(self.type(depth + 1, cur_ns, root))
        if r < 0.62:
            return Map(self.type(depth + 1, cur_ns, root))
        if r < 0.75:
            return self.union(depth, cur_ns, root)
        if r < 0.82:
            return self.enum(cur_ns, root)
        if r < 0.87:
            return self.fixed(cur_ns, root)
        if r < 0.92 and root is not None:
            named = [n for n in walk(root) if isinstance(n, Named)]
            if named:
                return self.rng.choice(named)  # a reference (or recursion)
        return self.record(depth, cur_ns, root)

    def union(self, depth, cur_ns, root):
        branches = []
        for _ in range(self.rng.randint(1, 4)):
            b = self.type(depth + 1, cur_ns, root) if self.rng.random() < 0.4 else self.prim()
            if not isinstance(b, Union) and union_key(b) not in map(union_key, branches):
                branches.append(b)
        if self.rng.random() < 0.7 and "null" not in map(union_key, branches):
            if self.rng.random() < 0.7:
                branches.insert(0, Prim("null"))
            else:
                branches.append(Prim("null"))
        return Union(branches)

    def top(self):
        r = self.rng.random()
        if r < 0.85:
            return self.record(0, None, None, top=True)
        if r < 0.9:
            return self.union(1, None, None)
        if r < 0.95:
            return Array(self.type(1, None, None))
        return self.rng.choice([self.prim(), self.enum(None, None), self.fixed(None, None)])


def default_for(t, depth=0):
    if isinstance(t, Prim):
        return {"null": None, "boolean": False, "int": 0, "long": 0, "float": 0.0,
                "double": 0.0, "bytes": "", "string": ""}[t.t]
    if isinstance(t, Array):
        return []
    if isinstance(t, Map):
        return {}
    if isinstance(t, Union):
        return default_for(t.branches[0], depth) if t.branches else None
    if isinstance(t, Enum):
        return t.symbols[0] if t.symbols else "A"
    if isinstance(t, Fixed):
        return "x" * t.size  # (not NUL: see README, known issues)
    if depth > 2:
        return {}  # recursive records: deep enough (defaults are not validated)
    return {f.name: default_for(f.type, depth + 1) for f in t.fields}


# ---- mutations: each changes the (copied) graph in place, or returns False ----

PROMOTIONS = {"int": ["long", "float", "double"], "long": ["float", "double"],
              "float": ["double"], "string": ["bytes"], "bytes": ["string"]}


def m_add_field(g, root):
    recs = [n for n in walk(root) if isinstance(n, Record)]
    if not recs:
        return False
    rec = g.rng.choice(recs)
    names = [n for n in FIELD_NAMES if n not in {f.name for f in rec.fields}]
    if not names:
        return False
    f = g.field(g.rng.choice(names), 2, rec.ns, root, rec)
    rec.fields.insert(g.rng.randint(0, len(rec.fields)), f)
    return True


def m_remove_field(g, root):
    recs = [n for n in walk(root) if isinstance(n, Record) and n.fields]
    if not recs:
        return False
    rec = g.rng.choice(recs)
    rec.fields.pop(g.rng.randrange(len(rec.fields)))
    return True


def pick_field(g, root):
    fields = [(n, f) for n in walk(root) if isinstance(n, Record) for f in n.fields]
    return g.rng.choice(fields) if fields else (None, None)


def m_rename_field(g, root):
    rec, f = pick_field(g, root)
    if not f:
        return False
    old = f.name
    f.name = g.rng.choice(FIELD_NAMES) + g.rng.choice(["", "2", "_v"])
    if g.rng.random() < 0.6:
        f.aliases.append(old)
    return True


def m_field_alias(g, root):
    """An alias naming another field (ambiguous: Java throws), its own name, or nothing."""
    rec, f = pick_field(g, root)
    if not f:
        return False
    others = [o.name for o in rec.fields if o is not f]
    r = g.rng.random()
    if others and r < 0.5:
        f.aliases.append(g.rng.choice(others))
    elif r < 0.65:
        f.aliases.append(f.name)
    else:
        f.aliases.append(g.rng.choice(FIELD_NAMES))
    return True


def m_toggle_default(g, root):
    rec, f = pick_field(g, root)
    if not f:
        return False
    f.has_default = not f.has_default
    f.default = default_for(f.type) if f.has_default else None
    return True


def refresh_defaults(root):
    for n in walk(root):
        if isinstance(n, Record):
            for f in n.fields:
                if f.has_default:
                    f.default = default_for(f.type)


def m_promote(g, root):
    ss = [(get, put) for get, put in slots(root)
          if isinstance(get(), Prim) and get().t in PROMOTABLE]
    if not ss:
        return False
    get, put = g.rng.choice(ss)
    t = get().t
    if g.rng.random() < 0.7 and t in PROMOTIONS:
        put(Prim(g.rng.choice(PROMOTIONS[t])))
    else:
        put(Prim(g.rng.choice([p for p in PROMOTABLE if p != t])))
    return True


def m_change_type(g, root):
    ss = slots(root)
    if not ss:
        return False
    get, put = g.rng.choice(ss)
    cur = get()
    ns = cur.ns if isinstance(cur, Named) else g.rng.choice(NAMESPACES)
    put(g.type(1, ns, root))
    return True


def m_wrap_union(g, root):
    ss = [(get, put) for get, put in slots(root) if not isinstance(get(), Union)]
    if not ss:
        return False
    get, put = g.rng.choice(ss)
    t = get()
    other = Prim("null") if union_key(t) != "null" else g.prim(allow_null=False)
    put(Union([other, t] if g.rng.random() < 0.7 else [t, other]))
    return True


def unions(root):
    return [n for n in walk(root) if isinstance(n, Union)]


def m_unwrap_union(g, root):
    ss = [(get, put) for get, put in slots(root) if isinstance(get(), Union) and get().branches]
    if not ss:
        return False
    get, put = g.rng.choice(ss)
    put(g.rng.choice(get().branches))
    return True


def m_union_branches(g, root):
    us = unions(root)
    if not us:
        return False
    u = g.rng.choice(us)
    r = g.rng.random()
    if r < 0.4:
        u.branches.insert(g.rng.randint(0, len(u.branches)), g.prim())
    elif r < 0.55:
        u.branches.insert(g.rng.randint(0, len(u.branches)), g.type(2, None, root))
    elif r < 0.85 and u.branches:
        u.branches.pop(g.rng.randrange(len(u.branches)))
    else:
        g.rng.shuffle(u.branches)
    return True


def m_enum(g, root):
    es = [n for n in walk(root) if isinstance(n, Enum)]
    if not es:
        return False
    e = g.rng.choice(es)
    r = g.rng.random()
    if r < 0.35:
        new = [s for s in SYMBOLS if s not in e.symbols]
        if new:
            e.symbols.insert(g.rng.randint(0, len(e.symbols)), g.rng.choice(new))
    elif r < 0.65 and e.symbols:
        gone = e.symbols.pop(g.rng.randrange(len(e.symbols)))
        if e.default == gone:
            e.default = None
    elif r < 0.9:
        e.default = None if e.default or not e.symbols else g.rng.choice(e.symbols)
    else:
        g.rng.shuffle(e.symbols)
    return True


def m_fixed_size(g, root):
    fs = [n for n in walk(root) if isinstance(n, Fixed)]
    if not fs:
        return False
    f = g.rng.choice(fs)
    f.size = g.rng.choice([s for s in [2, 4, 8, 16, 32] if s != f.size])
    refresh_defaults(root)
    return True


def alias_for(g, old_name, old_ns, new_ns):
    """The old name as an alias of a type now in new_ns, in one of the spellings Java
    resolves differently from python3-avro (relative to the type's namespace)."""
    r = g.rng.random()
    if r < 0.45:
        return old_name  # qualified with new_ns by Java
    if r < 0.9 or old_ns is not None:
        return f"{old_ns}.{old_name}" if old_ns else old_name
    return "." + old_name  # the null namespace, explicitly


def m_rename_named(g, root):
    ns_ = [n for n in walk(root) if isinstance(n, Named)]
    if not ns_:
        return False
    n = g.rng.choice(ns_)
    old_name = n.name
    n.name = g.fresh_name(root)
    if g.rng.random() < 0.6:
        n.aliases.append(alias_for(g, old_name, n.ns, n.ns))
    return True


def m_change_namespace(g, root):
    ns_ = [n for n in walk(root) if isinstance(n, Named)]
    if not ns_:
        return False
    n = g.rng.choice(ns_)
    old_ns = n.ns
    n.ns = g.rng.choice([ns for ns in NAMESPACES if ns != old_ns])
    if g.rng.random() < 0.3:
        n.aliases.append(alias_for(g, n.name, old_ns, n.ns))
    return True


def m_style(g, root):
    ns_ = [n for n in walk(root) if isinstance(n, Named)]
    if not ns_:
        return False
    n = g.rng.choice(ns_)
    n.style = g.rng.choice([s for s in ("implicit", "explicit", "dotted") if s != n.style])
    return True


def m_type_alias(g, root):
    ns_ = [n for n in walk(root) if isinstance(n, Named)]
    if not ns_:
        return False
    n = g.rng.choice(ns_)
    other = g.rng.choice(TYPE_NAMES)
    n.aliases.append(alias_for(g, other, g.rng.choice(NAMESPACES), n.ns))
    return True


def m_array_map(g, root):
    ss = [(get, put) for get, put in slots(root) if isinstance(get(), (Array, Map))]
    if not ss:
        return False
    get, put = g.rng.choice(ss)
    t = get()
    put(Map(t.items) if isinstance(t, Array) else Array(t.values))
    return True


def m_recursive(g, root):
    recs = [n for n in walk(root) if isinstance(n, Record)]
    if not recs:
        return False
    rec = g.rng.choice(recs)
    t = g.rng.choice([Union([Prim("null"), rec]), Array(rec), Map(rec), Union([rec, Prim("null")])])
    has_default = g.rng.random() < 0.6
    rec.fields.append(Field("link" + str(len(rec.fields)), t, has_default,
                            default_for(t) if has_default else None))
    return True


def m_error(g, root):
    recs = [n for n in walk(root) if isinstance(n, Record)]
    if not recs:
        return False
    rec = g.rng.choice(recs)
    rec.is_error = not rec.is_error
    return True


MUTATIONS = [
    (m_add_field, 10), (m_remove_field, 8), (m_rename_field, 5), (m_field_alias, 3),
    (m_toggle_default, 5), (m_promote, 10), (m_change_type, 6), (m_wrap_union, 6),
    (m_unwrap_union, 4), (m_union_branches, 6), (m_enum, 12), (m_fixed_size, 3),
    (m_rename_named, 5), (m_change_namespace, 4), (m_style, 3), (m_type_alias, 2),
    (m_array_map, 2), (m_recursive, 3), (m_error, 1),
]


def python_parses(text):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            avro.schema.parse(text)
        return True
    except Exception:  # any rejection by python3-avro: not a pair we can compare
        return False


def text_if_valid(root):
    if not valid(root):
        return None
    try:
        text = schema_text(root)
    except Unrepresentable:
        return None
    return text if python_parses(text) else None


def evolution(g):
    """(old text, new text, mutation names), both valid."""
    while True:
        old = Root(g.top())
        old_text = text_if_valid(old)
        if old_text:
            break
    funcs, weights = zip(*MUTATIONS)
    for _ in range(100):
        new = copy.deepcopy(old)
        done = []
        for _ in range(g.rng.choice([1, 1, 1, 2, 2, 3])):
            m = g.rng.choices(funcs, weights)[0]
            if m(g, new):
                done.append(m.__name__[2:])
        refresh_defaults(new)  # a default must still parse as its (new) type in Java
        new_text = text_if_valid(new)
        if done and new_text:
            return old_text, new_text, done
    return old_text, old_text, ["none"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=2500, help="evolutions (pairs = 2 x count)")
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args()
    sys.setrecursionlimit(10000)
    g = Gen(random.Random(args.seed))
    out = sys.stdout
    for i in range(args.count):
        old, new, muts = evolution(g)
        out.write(json.dumps({"id": 2 * i, "mutations": muts, "reader": new, "writer": old}) + "\n")
        out.write(json.dumps({"id": 2 * i + 1, "mutations": muts, "reader": old, "writer": new})
                  + "\n")


if __name__ == "__main__":
    main()
