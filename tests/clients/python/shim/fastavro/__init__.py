# SPDX-License-Identifier: Apache-2.0
"""Test-only stand-in for the three fastavro functions confluent-kafka 1.7.0 imports.

fastavro is not packaged in Debian bookworm and PyPI is out of reach, so the client tests put
this directory on PYTHONPATH and let confluent_kafka.schema_registry.avro run on python3-avro.
It implements only what AvroSerializer/AvroDeserializer call: parse, write and read one datum
without a container header (the Confluent wire format carries the schema id instead).
"""
import json

import avro.io
import avro.schema

__all__ = ["parse_schema", "schemaless_reader", "schemaless_writer"]


class _ParsedSchema(dict):
    """The schema as a dict (confluent-kafka reads its 'name'), plus python3-avro's parse."""

    avro_schema = None


def parse_schema(schema):
    """Parses a schema given as a dict, list or type name; a parsed schema is returned as is."""
    if isinstance(schema, _ParsedSchema):
        return schema
    parsed = _ParsedSchema(schema if isinstance(schema, dict) else {"type": schema})
    parsed.avro_schema = avro.schema.parse(json.dumps(schema))
    if isinstance(parsed.avro_schema, avro.schema.NamedSchema):
        # fastavro reports a named type by its full name (record_subject_name_strategy uses it).
        parsed["name"] = parsed.avro_schema.fullname
    return parsed


def schemaless_writer(fo, schema, record):
    """Writes record in Avro binary encoding to the file object fo."""
    avro.io.DatumWriter(parse_schema(schema).avro_schema).write(record, avro.io.BinaryEncoder(fo))


def schemaless_reader(fo, writer_schema, reader_schema=None, return_record_name=False):
    """Reads one datum written with writer_schema, resolved to reader_schema when given."""
    if return_record_name:
        raise NotImplementedError("return_record_name is not supported by the test shim")
    writer = parse_schema(writer_schema).avro_schema
    reader = parse_schema(reader_schema).avro_schema if reader_schema is not None else writer
    return avro.io.DatumReader(writer, reader).read(avro.io.BinaryDecoder(fo))
