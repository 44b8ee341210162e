# SPDX-License-Identifier: Apache-2.0
"""confluent-kafka-python 1.7.0 (Debian python3-confluent-kafka) against a fresh schemaregd:
every SchemaRegistryClient method, then AvroSerializer/AvroDeserializer round trips in the
Confluent wire format. Run with /usr/bin/python3 and PYTHONPATH=shim (the fastavro stand-in).
Usage: test_schema_registry_client.py BASE_URL   (the registry must be empty)"""
import json
import sys

from check import Checks, avro_string, wire
from confluent_kafka.schema_registry import (
    Schema,
    SchemaRegistryClient,
    record_subject_name_strategy,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

ORDER_V1 = {"type": "record", "name": "Order", "namespace": "com.example",
            "fields": [{"name": "id", "type": "long"}, {"name": "item", "type": "string"}]}
ORDER_V2 = dict(ORDER_V1, fields=ORDER_V1["fields"] + [{"name": "qty", "type": "int", "default": 1}])
# id long -> string cannot read old data: incompatible under BACKWARD.
ORDER_BAD = dict(ORDER_V1, fields=[{"name": "id", "type": "string"}, ORDER_V1["fields"][1]])
CANON_V1 = ('{"type":"record","name":"Order","namespace":"com.example","fields":'
            '[{"name":"id","type":"long"},{"name":"item","type":"string"}]}')
CANON_V2 = CANON_V1[:-2] + ',{"name":"qty","type":"int","default":1}]}'
S = "orders-value"


def avro(schema):
    # json.dumps's default ", " / ": " separators, as the client's users typically produce.
    return Schema(json.dumps(schema), "AVRO")


def sr_error(status, code):
    """A failed call must raise SchemaRegistryError with the HTTP status and error_code."""
    return lambda e: ((type(e).__name__, getattr(e, "http_status_code", None), getattr(e, "error_code", None)),
                      ("SchemaRegistryError", status, code))


def rest(t, base):
    # A new client per call that must reach the server: the client caches ids and schemas.
    def fresh():
        return SchemaRegistryClient({"url": base})

    def registration():
        t.eq("register_schema v1 -> 1", fresh().register_schema(S, avro(ORDER_V1)), 1)
        t.eq("register_schema v1 again (new client) -> 1", fresh().register_schema(S, avro(ORDER_V1)), 1)
        t.eq("register_schema v2 -> 2", fresh().register_schema(S, avro(ORDER_V2)), 2)
        t.eq("register_schema v1 under another subject -> 1", fresh().register_schema("other-value", avro(ORDER_V1)), 1)

    t.eq("get_compatibility() global on a fresh registry", fresh().get_compatibility(), "BACKWARD")
    t.eq("get_subjects on a fresh registry", fresh().get_subjects(), [])
    t.step("register_schema", registration)
    t.raises("register_schema incompatible", lambda: fresh().register_schema(S, avro(ORDER_BAD)), sr_error(409, 409))
    t.raises("register_schema invalid", lambda: fresh().register_schema(S, Schema('{"type":"record"}', "AVRO")),
             sr_error(422, 42201))

    def get_schema():
        s = fresh().get_schema(1)
        t.eq("get_schema(1) canonical text and type", (s.schema_str, s.schema_type), (CANON_V1, "AVRO"))
        t.eq("get_schema(2) canonical text", fresh().get_schema(2).schema_str, CANON_V2)
    t.step("get_schema", get_schema)
    t.raises("get_schema of an unknown id", lambda: fresh().get_schema(99), sr_error(404, 40403))

    def lookup():
        r = fresh().lookup_schema(S, avro(ORDER_V2))
        t.eq("lookup_schema v2", (r.schema_id, r.subject, r.version, r.schema.schema_str), (2, S, 2, CANON_V2))
        r = fresh().lookup_schema(S, Schema(CANON_V1, "AVRO"))
        t.eq("lookup_schema with the canonical text", (r.schema_id, r.version), (1, 1))
    t.step("lookup_schema", lookup)
    t.raises("lookup_schema of an unregistered schema", lambda: fresh().lookup_schema(S, avro(ORDER_BAD)),
             sr_error(404, 40403))
    t.raises("lookup_schema under an unknown subject", lambda: fresh().lookup_schema("nope", avro(ORDER_V1)),
             sr_error(404, 40401))

    def versions():
        r = fresh().get_latest_version(S)
        t.eq("get_latest_version", (r.schema_id, r.subject, r.version, r.schema.schema_str), (2, S, 2, CANON_V2))
        r = fresh().get_version(S, 1)
        t.eq("get_version(S, 1)", (r.schema_id, r.subject, r.version, r.schema.schema_str), (1, S, 1, CANON_V1))
        t.eq("get_versions", fresh().get_versions(S), [1, 2])
        t.eq("get_subjects", fresh().get_subjects(), ["orders-value", "other-value"])
    t.step("versions", versions)
    t.raises("get_version of a missing version", lambda: fresh().get_version(S, 5), sr_error(404, 40402))
    t.raises("get_version with an invalid version", lambda: fresh().get_version(S, "x"), sr_error(422, 42202))
    t.raises("get_latest_version of an unknown subject", lambda: fresh().get_latest_version("nope"),
             sr_error(404, 40401))
    t.raises("get_versions of an unknown subject", lambda: fresh().get_versions("nope"), sr_error(404, 40401))

    def compatibility():
        t.eq("test_compatibility(v2) against latest", fresh().test_compatibility(S, avro(ORDER_V2)), True)
        t.eq("test_compatibility(bad) against latest", fresh().test_compatibility(S, avro(ORDER_BAD)), False)
        t.eq("test_compatibility(v2) against version 1", fresh().test_compatibility(S, avro(ORDER_V2), 1), True)
    t.step("test_compatibility", compatibility)
    t.raises("test_compatibility against a missing version",
             lambda: fresh().test_compatibility(S, avro(ORDER_V2), 7), sr_error(404, 40402))

    t.raises("get_compatibility(S) with no subject-level config", lambda: fresh().get_compatibility(S),
             sr_error(404, 40408))

    def config():
        # 1.7.0 returns the PUT response body as is.
        t.eq("set_compatibility(S, 'full')", fresh().set_compatibility(S, "full"), {"compatibility": "FULL"})
        t.eq("get_compatibility(S)", fresh().get_compatibility(S), "FULL")
        t.eq("set_compatibility(level=NONE) global", fresh().set_compatibility(level="NONE"), {"compatibility": "NONE"})
        t.eq("get_compatibility() global", fresh().get_compatibility(), "NONE")
        t.eq("subject level still FULL", fresh().get_compatibility(S), "FULL")
        t.eq("restore global BACKWARD", fresh().set_compatibility(level="BACKWARD"), {"compatibility": "BACKWARD"})
    t.step("set_compatibility / get_compatibility", config)
    t.raises("set_compatibility with an invalid level", lambda: fresh().set_compatibility(S, "SIDEWAYS"),
             sr_error(422, 42203))

    def deletes():
        t.eq("delete_version(S, 2)", fresh().delete_version(S, 2), 2)
        t.eq("get_versions after delete_version", fresh().get_versions(S), [1])
        t.eq("get_latest_version after delete_version", fresh().get_latest_version(S).version, 1)
        t.eq("delete_subject(S) soft", fresh().delete_subject(S), [1])
        t.eq("get_subjects after soft delete", fresh().get_subjects(), ["other-value"])
        # permanent=True sends DELETE then DELETE ?permanent=true.
        t.eq("delete_subject(other-value, permanent=True)", fresh().delete_subject("other-value", permanent=True), [1])
        t.eq("get_subjects after permanent delete", fresh().get_subjects(), [])
        t.eq("id 1 still served by the soft-deleted S", fresh().get_schema(1).schema_str, CANON_V1)
    t.step("delete_version / delete_subject", deletes)
    t.raises("delete_version of a soft-deleted version", lambda: fresh().delete_version(S, 2), sr_error(404, 40406))
    # 1.7.0 always soft-deletes first, so a permanent delete of a soft-deleted subject fails on
    # the first call, exactly as with Confluent (40404).
    t.raises("delete_subject(permanent=True) of a soft-deleted subject",
             lambda: fresh().delete_subject(S, permanent=True), sr_error(404, 40404))
    t.raises("delete_subject of an unknown subject", lambda: fresh().delete_subject("nope"), sr_error(404, 40401))

    def odd_subject():
        odd = "team a/orders?v=1"
        t.eq("register_schema under an odd subject name", fresh().register_schema(odd, avro(ORDER_V2)), 2)
        r = fresh().lookup_schema(odd, avro(ORDER_V2))
        t.eq("lookup_schema under the odd subject", (r.subject, r.version, r.schema_id), (odd, 1, 2))
        t.eq("get_versions of the odd subject", fresh().get_versions(odd), [1])
        t.eq("delete_subject(odd, permanent=True)", fresh().delete_subject(odd, permanent=True), [1])
    t.step("percent-encoded subject", odd_subject)


def serde(t, base):
    client = SchemaRegistryClient({"url": base})
    ctx = SerializationContext("shipments", MessageField.VALUE)
    state = {}

    def auto_register():
        ser = AvroSerializer(client, json.dumps(ORDER_V1))
        b = ser({"id": 42, "item": "widget"}, ctx)
        # ORDER_V1 is still held (soft-deleted) under orders-value: same content, same id 1.
        t.eq("AvroSerializer (auto-register) wire bytes", b.hex(), wire(1, "54" + avro_string("widget")))
        t.eq("shipments-value registered as version 1", SchemaRegistryClient({"url": base}).get_versions(
            "shipments-value"), [1])
        t.eq("AvroDeserializer round trip", AvroDeserializer(SchemaRegistryClient({"url": base}))(b, ctx),
             {"id": 42, "item": "widget"})
        state["v1"] = b
    t.step("AvroSerializer auto-register", auto_register)

    t.raises("AvroSerializer without auto-register, schema not registered",
             lambda: AvroSerializer(SchemaRegistryClient({"url": base}), json.dumps(ORDER_V2),
                                    conf={"auto.register.schemas": False})({"id": 1, "item": "x", "qty": 2}, ctx),
             sr_error(404, 40403))

    def evolve():
        ser = AvroSerializer(SchemaRegistryClient({"url": base}), json.dumps(ORDER_V2))
        b = ser({"id": 7, "item": "bolt", "qty": 3}, ctx)
        t.eq("v2 serializer registers id 2 (still held by soft-deleted orders-value v2)", b.hex(),
             wire(2, "0e" + avro_string("bolt") + "06"))
        state["v2"] = b
        lookup = AvroSerializer(SchemaRegistryClient({"url": base}), json.dumps(ORDER_V2),
                                conf={"auto.register.schemas": False})
        t.eq("serializer without auto-register finds the id by lookup", lookup({"id": 7, "item": "bolt", "qty": 3},
                                                                            ctx).hex(), b.hex())
        reader_v2 = AvroDeserializer(SchemaRegistryClient({"url": base}), json.dumps(ORDER_V2))
        t.eq("old data read with the newer reader schema (qty defaulted)", reader_v2(state["v1"], ctx),
             {"id": 42, "item": "widget", "qty": 1})
        reader_v1 = AvroDeserializer(SchemaRegistryClient({"url": base}), json.dumps(ORDER_V1))
        t.eq("new data read with the older reader schema", reader_v1(b, ctx), {"id": 7, "item": "bolt"})
    t.step("schema evolution", evolve)

    def record_strategy():
        ser = AvroSerializer(SchemaRegistryClient({"url": base}), json.dumps(ORDER_V1),
                             conf={"subject.name.strategy": record_subject_name_strategy})
        b = ser({"id": 1, "item": "a"}, ctx)
        t.eq("record_subject_name_strategy registers com.example.Order", b.hex(), wire(1, "02" + avro_string("a")))
        t.ok("subject com.example.Order exists", "com.example.Order" in client.get_subjects())
    t.step("record subject name strategy", record_strategy)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_schema_registry_client.py BASE_URL")
    t = Checks("confluent-kafka-python SchemaRegistryClient")
    rest(t, sys.argv[1])
    serde(t, sys.argv[1])
    t.finish()


if __name__ == "__main__":
    main()
