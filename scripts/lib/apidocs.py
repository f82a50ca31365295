"""Writes the API reference (Markdown) from the service's OpenAPI document.

Usage: python3 apidocs.py OPENAPI.yaml > docs/api.md

The document is the contract the service serves at /openapi.json and schemathesis checks;
the reference is generated from it so the two cannot drift apart.
"""

import sys

import yaml

METHODS = ["get", "put", "post", "patch", "delete", "head"]


def cell(text):
    """One line of a table cell: Markdown tables have no line breaks and use | as separator."""
    return " ".join(str(text).split()).replace("|", "\\|")


def ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def anchor(name):
    return "schema-" + name.lower()


def schema_type(schema):
    """A short description of a schema: a link for a reference, else its type."""
    if not schema:
        return "any"
    if "$ref" in schema:
        name = ref_name(schema["$ref"])
        return f"[{name}](#{anchor(name)})"
    for combiner in ("oneOf", "anyOf", "allOf"):
        if combiner in schema:
            joiner = " and " if combiner == "allOf" else " or "
            return joiner.join(schema_type(part) for part in schema[combiner])
    kind = schema.get("type", "object")
    if kind == "array":
        return "list of " + schema_type(schema.get("items", {}))
    if "enum" in schema:
        return " \\| ".join(f"`{value}`" for value in schema["enum"])
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def resolve(document, item):
    if "$ref" not in item:
        return item
    node = document
    for key in item["$ref"][2:].split("/"):
        node = node[key]
    return resolve(document, node)


def operation_security(document, operation):
    requirements = operation.get("security", document.get("security", []))
    if not requirements or any(not requirement for requirement in requirements):
        return "none"
    return ", ".join(sorted({name for requirement in requirements for name in requirement}))


def write_operation(out, document, path, method, operation, shared_parameters):
    out.append(f"### `{method.upper()} {path}`")
    out.append("")
    if "summary" in operation:
        out.append(operation["summary"])
        out.append("")
    if "description" in operation:
        out.append(operation["description"].strip())
        out.append("")
    out.append(f"Authentication: {operation_security(document, operation)}.")
    out.append("")
    parameters = [resolve(document, p) for p in operation.get("parameters", []) + shared_parameters]
    if parameters:
        out.append("| Parameter | In | Type | Required | Description |")
        out.append("|---|---|---|---|---|")
        for parameter in parameters:
            required = "yes" if parameter.get("required") else "no"
            out.append(
                f"| `{parameter['name']}` | {parameter['in']} | {cell(schema_type(parameter.get('schema')))} "
                f"| {required} | {cell(parameter.get('description', ''))} |"
            )
        out.append("")
    if "requestBody" in operation:
        body = resolve(document, operation["requestBody"])
        for media_type, content in body.get("content", {}).items():
            out.append(f"Request body (`{media_type}`): {schema_type(content.get('schema'))}.")
        out.append("")
    out.append("| Status | Content | Description |")
    out.append("|---|---|---|")
    for status, response in operation.get("responses", {}).items():
        response = resolve(document, response)
        contents = [
            f"`{media_type}` {schema_type(content.get('schema'))}"
            for media_type, content in response.get("content", {}).items()
        ]
        out.append(f"| {status} | {cell(', '.join(contents) or '-')} | {cell(response.get('description', ''))} |")
    out.append("")


def write_schema(out, name, schema):
    out.append(f'<a id="{anchor(name)}"></a>')
    out.append(f"### {name}")
    out.append("")
    if "description" in schema:
        out.append(schema["description"].strip())
        out.append("")
    properties = schema.get("properties")
    if not properties:
        out.append(f"Type: {schema_type(schema)}.")
        out.append("")
        return
    required = set(schema.get("required", []))
    closed = " No fields but these (a request with others is refused)." if schema.get("additionalProperties") is False else ""
    out.append(f"Object.{closed}")
    out.append("")
    out.append("| Field | Type | Required | Description |")
    out.append("|---|---|---|---|")
    for field, value in properties.items():
        out.append(
            f"| `{field}` | {cell(schema_type(value))} | {'yes' if field in required else 'no'} "
            f"| {cell(value.get('description', ''))} |"
        )
    out.append("")


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        document = yaml.safe_load(file)
    info = document["info"]
    out = [
        f"# {info['title']} API {info['version']}",
        "",
        "<!-- Generated by scripts/lib/apidocs.py from Sources/Server/Contracts/openapi.yaml. Do not edit. -->",
        "",
        info.get("description", "").strip(),
        "",
        "The service serves this document as OpenAPI at `GET /openapi.json`.",
        "",
    ]
    tags = [tag["name"] for tag in document.get("tags", [])]
    operations = {tag: [] for tag in tags}
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                operation = item[method]
                tag = (operation.get("tags") or ["other"])[0]
                operations.setdefault(tag, []).append((path, method, operation, shared))
    out.append("## Contents")
    out.append("")
    for tag in operations:
        out.append(f"- [{tag}](#{tag})")
    out.append("- [Schemas](#schemas)")
    out.append("")
    descriptions = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    for tag, entries in operations.items():
        out.append(f"## {tag}")
        out.append("")
        if descriptions.get(tag):
            out.append(descriptions[tag])
            out.append("")
        for path, method, operation, shared in entries:
            write_operation(out, document, path, method, operation, shared)
    out.append("## Schemas")
    out.append("")
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        write_schema(out, name, schema)
    sys.stdout.write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
