"""Validates CDEvents (the `data` of structured-mode CloudEvents) against the spec's schemas.

Usage: validate.py SCHEMA_DIR CLOUDEVENT_JSON...; prints one line per problem, exits 1 on any.
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource

schemas = pathlib.Path(sys.argv[1])
resources = []
by_type = {}
for path in sorted(schemas.rglob("*.json")):
    schema = json.loads(path.read_text())
    resources.append((schema["$id"], Resource.from_contents(schema)))
    event_type = schema.get("properties", {}).get("context", {}).get("properties", {}).get("type", {}).get("enum", [None])[0]
    if event_type:
        by_type[event_type] = schema
registry = Registry().with_resources(resources)
problems = 0
for path in sys.argv[2:]:
    cloud_event = json.loads(pathlib.Path(path).read_text())
    schema = by_type.get(cloud_event["type"])
    if schema is None:
        print(f"{path}: no schema for {cloud_event['type']}")
        problems += 1
        continue
    validator = jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())
    for error in validator.iter_errors(cloud_event["data"]):
        print(f"{path}: {cloud_event['type']}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
        problems += 1
sys.exit(1 if problems else 0)
