# SPDX-License-Identifier: Apache-2.0
"""The legacy confluent_kafka.avro API of confluent-kafka-python 1.7.0 (Debian) against a fresh
schemaregd: CachedSchemaRegistryClient (it always sends "Authorization: Basic Og==" and does not
percent-encode subjects) and MessageSerializer round trips on python3-avro. Run with
/usr/bin/python3 and WITHOUT the fastavro shim, so the plain python3-avro path is tested.
Usage: test_legacy_avro.py BASE_URL   (the registry must be empty)"""
import json
import logging
import sys
import warnings

from check import Checks, avro_string, wire
from confluent_kafka.avro import CachedSchemaRegistryClient, ClientError, loads
from confluent_kafka.avro.serializer.message_serializer import HAS_FAST, MessageSerializer

ORDER_V1 = {"type": "record", "name": "Order", "namespace": "com.example",
            "fields": [{"name": "id", "type": "long"}, {"name": "item", "type": "string"}]}
ORDER_V2 = dict(ORDER_V1, fields=ORDER_V1["fields"] + [{"name": "qty", "type": "int", "default": 1}])
ORDER_BAD = dict(ORDER_V1, fields=[{"name": "id", "type": "string"}, ORDER_V1["fields"][1]])
S = "orders-value"


def schema(d):
    return loads(json.dumps(d))


def client_error(fragment):
    return lambda e: ((type(e).__name__, fragment in str(e)), ("ClientError", True))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_legacy_avro.py BASE_URL")
    base = sys.argv[1]
    # The client logs expected 404s at ERROR level; keep the output to the checks.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    t = Checks("confluent_kafka.avro (legacy)")
    t.eq("python3-avro path (no fastavro on sys.path)", HAS_FAST, False)

    def fresh():
        return CachedSchemaRegistryClient({"url": base})

    v1, v2, bad = schema(ORDER_V1), schema(ORDER_V2), schema(ORDER_BAD)

    def rest():
        t.eq("get_compatibility() global", fresh().get_compatibility(), "BACKWARD")
        t.eq("register v1 -> 1", fresh().register(S, v1), 1)
        t.eq("register v2 -> 2", fresh().register(S, v2), 2)
        t.eq("register v1 again (new client) -> 1", fresh().register(S, v1), 1)
        got = fresh().get_by_id(2)
        t.eq("get_by_id(2) parses to v2", (got.fullname, [f.name for f in got.fields]),
             ("com.example.Order", ["id", "item", "qty"]))
        t.eq("get_by_id of an unknown id -> None", fresh().get_by_id(77), None)
        sid, sch, ver = fresh().get_latest_schema(S)
        t.eq("get_latest_schema", (sid, ver, [f.name for f in sch.fields]), (2, 2, ["id", "item", "qty"]))
        sid, sch, ver = fresh().get_by_version(S, 1)
        t.eq("get_by_version(S, 1)", (sid, ver, [f.name for f in sch.fields]), (1, 1, ["id", "item"]))
        t.eq("get_latest_schema of an unknown subject", fresh().get_latest_schema("nope"), (None, None, None))
        t.eq("get_version(S, v2)", fresh().get_version(S, v2), 2)
        t.eq("get_version of an unregistered schema -> None", fresh().get_version(S, bad), None)
        t.eq("check_registration(S, v1)", fresh().check_registration(S, v1), 1)
        t.eq("test_compatibility(v2)", fresh().test_compatibility(S, v2), True)
        t.eq("test_compatibility(bad)", fresh().test_compatibility(S, bad), False)
        t.eq("test_compatibility(bad, version 1)", fresh().test_compatibility(S, bad, 1), False)
        t.eq("update_compatibility(FULL, S)", fresh().update_compatibility("FULL", S), "FULL")
        t.eq("get_compatibility(S)", fresh().get_compatibility(S), "FULL")
        t.eq("update_compatibility(BACKWARD) global", fresh().update_compatibility("BACKWARD"), "BACKWARD")
    t.step("CachedSchemaRegistryClient", rest)
    t.raises("check_registration of an unregistered schema", lambda: fresh().check_registration(S, bad),
             client_error("Schema or subject not found:404"))
    t.raises("register an incompatible schema", lambda: fresh().register(S, bad),
             client_error("Incompatible Avro schema:409"))
    t.raises("get_compatibility of a subject without config", lambda: fresh().get_compatibility("other"),
             client_error("Error code: 404"))

    state = {}

    def serializer():
        ms = MessageSerializer(fresh())
        b = ms.encode_record_with_schema("shipments", v1, {"id": 42, "item": "widget"})
        t.eq("encode_record_with_schema wire bytes", b.hex(), wire(1, "54" + avro_string("widget")))
        t.eq("shipments-value got version 1", fresh().get_latest_schema("shipments-value")[::2], (1, 1))
        b2 = MessageSerializer(fresh()).encode_record_with_schema_id(2, {"id": 7, "item": "bolt", "qty": 3})
        t.eq("encode_record_with_schema_id(2) wire bytes", b2.hex(), wire(2, "0e" + avro_string("bolt") + "06"))
        t.eq("decode_message round trip", MessageSerializer(fresh()).decode_message(b), {"id": 42, "item": "widget"})
        reader = MessageSerializer(fresh(), reader_value_schema=v2)
        t.eq("decode old data with a newer reader schema", reader.decode_message(b),
             {"id": 42, "item": "widget", "qty": 1})
        key = MessageSerializer(fresh()).encode_record_with_schema("shipments", schema("string"), "k1", is_key=True)
        t.eq("key serializer registers shipments-key", key.hex(), wire(3, avro_string("k1")))
        state["ok"] = True
    t.step("MessageSerializer", serializer)

    def deletes():
        t.eq("delete_subject(S)", fresh().delete_subject(S), [1, 2])
        t.eq("get_latest_schema after delete", fresh().get_latest_schema(S), (None, None, None))
    t.step("delete_subject", deletes)
    t.raises("delete_subject of a deleted subject", lambda: fresh().delete_subject(S), client_error("40404"))
    t.finish()


if __name__ == "__main__":
    main()
