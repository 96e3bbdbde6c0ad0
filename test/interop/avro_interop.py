#!/usr/bin/env python3
"""Interop with Apache Avro's Python reference implementation, driven by test/unit/codec/python-interop.test.ts.

Usage: /usr/bin/python3 avro_interop.py SCHEMAS_DIR COMMAND < request.json > response.json

  describe  -> {file: {fullName, pythonCanonicalForm, canonicalForm, fingerprint, pythonFingerprint}}
  encode    {"records": [{"file", "value"}]} -> {"records": [{"hex"}]}   single-object encoding
  decode    {"records": [{"hex"}]}           -> {"records": [{"file", "value"}]}

Schemas are parsed by avro.schema.parse, bodies written and read by avro.io.DatumWriter/DatumReader.
Timestamps cross the JSON boundary as epoch milliseconds and are datetimes inside Python, so Python's
timestamp-millis logical type handling is what gets exercised.

Two things are done here by hand, and why:
- CRC-64-AVRO: python3-avro 1.11 has no fingerprint function (1.12 added one), so it is implemented
  below straight from the Avro specification.
- Canonical form: avro 1.11's Schema.canonical_form keeps a logical-typed primitive as {"type":"long"}
  where the spec ([PRIMITIVES], [STRIP]) and the Java implementation give "long". `spec_canonical_form`
  takes Python's own to_canonical_json() and only applies that one rule; the framing uses it, because a
  fingerprint of Python's raw form matches no other implementation.
"""
import datetime
import io
import json
import os
import sys

try:
    import avro.io
    import avro.schema
except ImportError:
    sys.stderr.write("python3-avro is not installed for /usr/bin/python3: apt-get install python3-avro\n")
    sys.exit(3)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
ONE_MS = datetime.timedelta(milliseconds=1)
MAGIC = b"\xc3\x01"
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}

# CRC-64-AVRO, from the "Schema Fingerprints" section of the Avro specification.
RABIN_EMPTY = 0xC15D213AA4D7A795


def _rabin_table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (RABIN_EMPTY & -(fp & 1))
        table.append(fp)
    return table


RABIN_TABLE = _rabin_table()


def rabin_fingerprint(data: bytes) -> bytes:
    """The fingerprint as the 8 little-endian bytes single-object encoding puts on the wire."""
    fp = RABIN_EMPTY
    for byte in data:
        fp = (fp >> 8) ^ RABIN_TABLE[(fp ^ byte) & 0xFF]
    return fp.to_bytes(8, "little")


def _simplify_primitives(node):
    if isinstance(node, dict):
        if set(node.keys()) == {"type"} and node["type"] in PRIMITIVES:
            return node["type"]
        return {key: _simplify_primitives(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_simplify_primitives(item) for item in node]
    return node


def spec_canonical_form(schema) -> str:
    return json.dumps(_simplify_primitives(schema.to_canonical_json()), separators=(",", ":"))


def load_schemas(directory):
    schemas = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".avsc"):
            with open(os.path.join(directory, name), encoding="utf-8") as handle:
                schemas[name] = avro.schema.parse(handle.read())
    return schemas


def to_python(schema, datum):
    """JSON value -> the value Python's DatumWriter expects (datetimes for timestamp-millis)."""
    if isinstance(schema, avro.schema.TimestampMillisSchema):
        return EPOCH + datum * ONE_MS
    if isinstance(schema, avro.schema.UnionSchema):
        if datum is None:
            return None
        branches = [branch for branch in schema.schemas if branch.type != "null"]
        if len(branches) != 1:
            raise NotImplementedError("only [null, T] unions are used by the contract")
        return to_python(branches[0], datum)
    if isinstance(schema, avro.schema.RecordSchema):
        return {field.name: to_python(field.type, datum[field.name]) for field in schema.fields}
    if isinstance(schema, avro.schema.ArraySchema):
        return [to_python(schema.items, item) for item in datum]
    return datum


def to_json(datum):
    """Python's decoded value -> JSON value (epoch milliseconds for datetimes)."""
    if isinstance(datum, datetime.datetime):
        return (datum - EPOCH) // ONE_MS
    if isinstance(datum, dict):
        return {key: to_json(value) for key, value in datum.items()}
    if isinstance(datum, list):
        return [to_json(item) for item in datum]
    return datum


def describe(schemas, _request):
    result = {}
    for name, schema in schemas.items():
        canonical = spec_canonical_form(schema)
        raw = schema.canonical_form
        result[name] = {
            "fullName": schema.fullname,
            "pythonCanonicalForm": raw,
            "canonicalForm": canonical,
            "fingerprint": rabin_fingerprint(canonical.encode("utf-8")).hex(),
            "pythonFingerprint": rabin_fingerprint(raw.encode("utf-8")).hex(),
        }
    return result


def encode(schemas, request):
    records = []
    for item in request["records"]:
        schema = schemas[item["file"]]
        body = io.BytesIO()
        avro.io.DatumWriter(schema).write(to_python(schema, item["value"]), avro.io.BinaryEncoder(body))
        fingerprint = rabin_fingerprint(spec_canonical_form(schema).encode("utf-8"))
        records.append({"hex": (MAGIC + fingerprint + body.getvalue()).hex()})
    return {"records": records}


def decode(schemas, request):
    by_fingerprint = {
        rabin_fingerprint(spec_canonical_form(schema).encode("utf-8")): (name, schema)
        for name, schema in schemas.items()
    }
    records = []
    for item in request["records"]:
        data = bytes.fromhex(item["hex"])
        if data[:2] != MAGIC:
            raise ValueError("not single-object encoding")
        name, schema = by_fingerprint[data[2:10]]
        body = io.BytesIO(data[10:])
        value = avro.io.DatumReader(schema, schema).read(avro.io.BinaryDecoder(body))
        if body.tell() != len(data) - 10:
            raise ValueError("trailing bytes after the record")
        records.append({"file": name, "value": to_json(value)})
    return {"records": records}


COMMANDS = {"describe": describe, "encode": encode, "decode": decode}


def main(argv):
    if len(argv) != 3 or argv[2] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    request = json.load(sys.stdin)
    json.dump(COMMANDS[argv[2]](load_schemas(argv[1]), request), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
