# SPDX-License-Identifier: Apache-2.0
"""fastavro.schema names imported by confluent-kafka 1.7.0 (see __init__.py)."""
import avro.errors

from . import parse_schema

SchemaParseException = avro.errors.SchemaParseException


class UnknownType(avro.errors.SchemaParseException):
    """A schema names a type that is not defined."""


__all__ = ["parse_schema", "SchemaParseException", "UnknownType"]
