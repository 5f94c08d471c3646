"""The OpenAPI 3 document of API v1 (hand-written, kept next to the routes) and its HTML rendering."""
from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup, escape

from checker import __version__

API_TITLE = "Postbiotic label checker API"
ITEM_STATUSES = ["queued", "running", "done", "failed"]
BATCH_STATUSES = ["queued", "running", "done"]
VERDICTS = ["pass", "review", "fail", "unreadable"]
MAX_OFFSET = 10**9


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict[str, Any], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


UNAUTHORIZED = _error("No API key, or an unknown or revoked one (codes `unauthorized`, `invalid_api_key`).")
NOT_FOUND = _error("No such id, or it belongs to another API key (code `not_found`).")
SERVER_ERROR = _error("A fault on the server side (code `internal_error`, `ocr_failed`...).")
# answers any operation can give (added to each below)
COMMON_RESPONSES = {
    "429": _error("Too many requests from this address or key (code `rate_limited`): wait and retry"),
    "503": _error("The database cannot be reached or written right now: retry after `Retry-After` seconds"),
}
LOCATION = {"Location": {"description": "Where the created resource can be read",
                         "schema": {"type": "string"}}}
ID_PARAM = {"in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string", "description": "Stable, for programs",
                                    "example": "no_file"},
                           "message": {"type": "string", "description": "For people"}}}},
    },
    "Report": {
        "type": "object",
        "description": "The report of one label (see the report contract, schema `label-check/1`). A report "
                       "handed out again for byte-identical input checked with the same versions carries "
                       "`\"reused\": true`; a re-check of edited text carries `revision`.",
        "required": ["schema", "id", "input", "verdict", "findings", "versions"],
        "properties": {
            "schema": {"type": "string", "example": "label-check/1"},
            "id": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "input": {"type": "object"},
            "verdict": {"type": ["string", "null"], "enum": [*VERDICTS, None]},
            "language": {"type": ["string", "null"]},
            "product": {"type": ["object", "null"]},
            "actives": {"type": "array", "items": {"type": "object"}},
            "ingredients": {"type": "array", "items": {"type": "object"}},
            "allergens": {"type": "array", "items": {"type": "string"}},
            "findings": {"type": "array", "items": {"type": "object", "properties": {
                "rule": {"type": "string"}, "severity": {"type": "string"}, "message": {"type": "string"}}}},
            "versions": {"type": "object"},
            "reused": {"type": "boolean"},
            "error": {"type": "object", "properties": {"code": {"type": "string"},
                                                       "message": {"type": "string"}}},
        },
    },
    "CheckSummary": {
        "type": "object", "required": ["id", "created_at", "verdict"],
        "properties": {"id": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
                       "filename": {"type": ["string", "null"]}, "product": {"type": ["string", "null"]},
                       "verdict": {"type": ["string", "null"]}, "language": {"type": ["string", "null"]},
                       "barcode": {"type": ["string", "null"]}, "parent_id": {"type": ["string", "null"]},
                       "revision": {"type": "integer"}, "url": {"type": "string"}},
    },
    "CheckList": {
        "type": "object", "required": ["checks"],
        "properties": {"checks": {"type": "array", "items": _ref("CheckSummary")}},
    },
    "Counts": {
        "type": "object", "required": ITEM_STATUSES,
        "properties": {status: {"type": "integer", "minimum": 0} for status in ITEM_STATUSES},
    },
    "BatchItem": {
        "type": "object", "required": ["id", "position", "file", "status", "verdict", "check_id", "error"],
        "properties": {
            "id": {"type": "string"}, "position": {"type": "integer", "minimum": 0},
            "file": {"type": "string", "description": "File name (or path inside the zip)"},
            "status": {"type": "string", "enum": ITEM_STATUSES},
            "attempts": {"type": "integer"},
            "verdict": {"type": ["string", "null"], "enum": [*VERDICTS, None]},
            "product": {"type": ["string", "null"]},
            "check_id": {"type": ["string", "null"]},
            "check_url": {"type": ["string", "null"]},
            "error": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": ["string", "null"]}}}]},
        },
    },
    "Batch": {
        "type": "object", "required": ["id", "status", "total", "counts", "status_url", "results"],
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string", "enum": BATCH_STATUSES,
                       "description": "queued: nothing started yet; running: in progress; done: every item "
                                      "is done or failed"},
            "created_at": {"type": "string", "format": "date-time"},
            "total": {"type": "integer"},
            "counts": _ref("Counts"),
            "status_url": {"type": "string"},
            "results": {"type": "object", "properties": {"jsonl": {"type": "string"},
                                                         "csv": {"type": "string"}}},
            "items": {"type": "array", "items": _ref("BatchItem")},
        },
    },
}


def _upload_body(field: str, *, many: bool) -> dict[str, Any]:
    binary = {"type": "string", "format": "binary"}
    schema = {"type": "array", "items": binary, "minItems": 1} if many else binary
    return {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "required": [field], "properties": {field: schema}}}}}


PATHS: dict[str, Any] = {
    "/checks": {
        "post": {
            "operationId": "createCheck", "tags": ["checks"], "summary": "Check one label photo",
            "description": "Upload one photo (JPEG, PNG, WebP, TIFF, BMP; PDF and HEIC where supported) "
                           "in the "
                           "multipart field `file`. The report is stored and returned. The same bytes "
                           "checked before with the same versions return the stored report "
                           "(`reused: true`) under a new id.",
            "requestBody": _upload_body("file", many=False),
            "responses": {
                "200": _json("The stored report", _ref("Report"), LOCATION),
                "400": _error("No file, an empty file or a bad request (codes `no_file`, `empty_file`...)"),
                "401": UNAUTHORIZED,
                "413": _error("The upload or the image is too large (code `too_large`)"),
                "415": _error("Not a supported image (code `unsupported_media_type`)"),
                "500": SERVER_ERROR,
                "504": _error("Reading the photo took too long (code `ocr_timeout`)"),
            },
        },
        "get": {
            "operationId": "listChecks", "tags": ["checks"],
            "summary": "List your stored checks, newest first",
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200},
                 "description": "Part of the product or file name"},
                {"name": "barcode", "in": "query", "schema": {"type": "string", "maxLength": 64}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                                             "default": 50}},
                {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0,
                                                              "maximum": MAX_OFFSET, "default": 0}},
            ],
            "responses": {"200": _json("Checks", _ref("CheckList")),
                          "400": _error("A bad query parameter (code `bad_request`)"),
                          "401": UNAUTHORIZED},
        },
    },
    "/checks/{check_id}": {
        "parameters": [{"name": "check_id", **ID_PARAM}],
        "get": {
            "operationId": "getCheck", "tags": ["checks"], "summary": "Read a stored report",
            "responses": {"200": _json("The stored report", _ref("Report")), "401": UNAUTHORIZED,
                          "404": NOT_FOUND},
        },
    },
    "/batches": {
        "post": {
            "operationId": "createBatch", "tags": ["batches"], "summary": "Check many label photos",
            "description": "Upload many photos in the multipart field `files` (repeat it), or one zip of "
                           "photos. The answer comes at once (202); the photos are checked in the "
                           "background. A file that cannot be used (not an image, too big, unsafe name "
                           "in the zip) becomes a failed item; the rest of the batch goes on.",
            "requestBody": _upload_body("files", many=True),
            "responses": {
                "202": _json("Accepted: poll `status_url`", _ref("Batch"), LOCATION),
                "400": _error("No files (code `no_file`)"),
                "401": UNAUTHORIZED,
                "413": _error("Too many files or too many bytes in one request (codes `too_many_files`, "
                              "`too_large`)"),
                "500": SERVER_ERROR,
            },
        },
    },
    "/batches/{batch_id}": {
        "parameters": [{"name": "batch_id", **ID_PARAM}],
        "get": {
            "operationId": "getBatch", "tags": ["batches"], "summary": "Progress and items of a batch",
            "responses": {"200": _json("The batch", _ref("Batch")), "401": UNAUTHORIZED, "404": NOT_FOUND},
        },
    },
    "/batches/{batch_id}/results.jsonl": {
        "parameters": [{"name": "batch_id", **ID_PARAM}],
        "get": {
            "operationId": "getBatchResultsJsonl", "tags": ["batches"],
            "summary": "One report per line, in file order (failed files as error reports)",
            "responses": {
                "200": {"description": "JSON Lines", "content": {"application/x-ndjson": {
                    "schema": {"type": "string"}}}},
                "401": UNAUTHORIZED, "404": NOT_FOUND,
                "409": _error("The batch is not done yet (code `batch_not_done`)"),
            },
        },
    },
    "/batches/{batch_id}/results.csv": {
        "parameters": [{"name": "batch_id", **ID_PARAM}],
        "get": {
            "operationId": "getBatchResultsCsv", "tags": ["batches"],
            "summary": "One row per label: file, status, verdict, product, barcode, actives (id:mg per "
                       "day:butyric acid mg per day), additives, allergens, findings (rule ids), error",
            "responses": {
                "200": {"description": "CSV (UTF-8, header row)", "content": {"text/csv": {
                    "schema": {"type": "string"}}}},
                "401": UNAUTHORIZED, "404": NOT_FOUND,
                "409": _error("The batch is not done yet (code `batch_not_done`)"),
            },
        },
    },
    "/openapi.json": {
        "get": {"operationId": "getOpenApi", "tags": ["documentation"], "security": [],
                "summary": "This document", "responses": {"200": _json("OpenAPI 3.1", {"type": "object"})}},
    },
    "/docs": {
        "get": {"operationId": "getDocs", "tags": ["documentation"], "security": [],
                "summary": "This document as a web page",
                "responses": {"200": {"description": "HTML", "content": {"text/html": {
                    "schema": {"type": "string"}}}}}},
    },
}


def _with_common(paths: dict[str, Any]) -> dict[str, Any]:
    return {path: {method: ({**op, "responses": {**op["responses"], **COMMON_RESPONSES}}
                            if method != "parameters" else op) for method, op in item.items()}
            for path, item in paths.items()}


def document(server_url: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.1 document (a new dict each time: callers may change it)."""
    return json.loads(json.dumps({
        "openapi": "3.1.0",
        "info": {"title": API_TITLE, "version": __version__,
                 "description": "Checks photographed labels of butyrate and postbiotic food supplements. "
                                "Every request except the two documentation addresses needs an API key: "
                                "`Authorization: Bearer KEY` (create one with `python -m checker keys "
                                "create NAME`). A key sees only its own checks and batches. Errors are "
                                "JSON: `{\"error\": {\"code\": ..., \"message\": ...}}`."},
        "servers": [{"url": server_url}],
        "security": [{"apiKey": []}],
        "paths": _with_common(PATHS),
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key"}}},
    }))


# ---------------------------------------------------------------- readable page (no scripts, no CDN)
def render_docs(doc: dict[str, Any]) -> str:
    """The document as one plain HTML page: endpoints, parameters, bodies, responses and schemas."""
    info = doc["info"]
    parts = [f"<h1>{escape(info['title'])} <small>v{escape(info['version'])}</small></h1>",
             f"<p>{_code_spans(info['description'])}</p>",
             f"<p>Base address: <code>{escape(doc['servers'][0]['url'])}</code> · machine-readable: "
             f"<a href=\"openapi.json\">openapi.json</a></p>", "<h2>Endpoints</h2>"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            parts.append(_operation(path, method, op, item.get("parameters", [])))
    parts.append("<h2>Schemas</h2>")
    for name, schema in doc["components"]["schemas"].items():
        parts.append(f"<h3 id=\"schema-{escape(name)}\">{escape(name)}</h3>"
                     f"<pre>{escape(json.dumps(schema, indent=2))}</pre>")
    body = "\n".join(parts)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(info['title'])}</title>"
            "<link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
            f"<body><main class=\"api-docs\">{body}</main></body></html>")


def _operation(path: str, method: str, op: dict[str, Any], shared: list[dict[str, Any]]) -> str:
    auth = "public" if op.get("security") == [] else "API key"
    rows = [f"<h3 id=\"{escape(op['operationId'])}\"><code>{method.upper()} {escape(path)}</code> "
            f"<small>{auth}</small></h3>", f"<p>{_code_spans(op.get('summary', ''))}</p>"]
    if op.get("description"):
        rows.append(f"<p>{_code_spans(op['description'])}</p>")
    params = [*shared, *op.get("parameters", [])]
    if params:
        rows.append("<p>Parameters:</p><ul>" + "".join(
            f"<li><code>{escape(p['name'])}</code> ({escape(p['in'])}, {escape(_type(p.get('schema', {})))}"
            f"{', required' if p.get('required') else ''}){_desc(p)}</li>" for p in params) + "</ul>")
    body = op.get("requestBody")
    if body:
        for media, content in body["content"].items():
            fields = ", ".join(f"<code>{escape(k)}</code>" for k in content["schema"].get("properties", {}))
            rows.append(f"<p>Body: <code>{escape(media)}</code> with {fields}</p>")
    rows.append("<p>Responses:</p><ul>" + "".join(
        f"<li><code>{escape(code)}</code> {_code_spans(resp['description'])}</li>"
        for code, resp in op["responses"].items()) + "</ul>")
    return "\n".join(rows)


def _type(schema: dict[str, Any]) -> str:
    """e.g. "integer 1..200, default 50"."""
    text = str(schema.get("type", "any"))
    if "minimum" in schema or "maximum" in schema:
        text += f" {schema.get('minimum', '')}..{schema.get('maximum', '')}"
    if "maxLength" in schema:
        text += f", at most {schema['maxLength']} characters"
    if "default" in schema:
        text += f", default {schema['default']}"
    return text


def _desc(param: dict[str, Any]) -> Markup | str:
    return Markup(": ") + escape(param["description"]) if param.get("description") else ""


def _code_spans(text: str) -> Markup:
    """Escape, then show `backticked` parts as code."""
    pieces = str(escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces)))
