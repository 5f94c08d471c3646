"""Property-based run of Schemathesis over /api/v1/openapi.json against the app (WSGI): no request it
can build gets a 5xx, and every answer matches the document (status codes, content types, bodies)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from checker.web.extensions import SERVICES_KEY
from checker.web.openapi import PATHS

OPENAPI = "/api/v1/openapi.json"
MAX_EXAMPLES = 25
# any bytes fit `format: binary`, but only a photo is accepted: a 415 for random bytes is right
NO_POSITIVE_CHECK = {("POST", "/checks")}
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
# negative: requests the document does not allow, for operations that take any input
CASES = [(method.upper(), path, mode) for path, item in PATHS.items() for method, op in item.items()
         if method != "parameters"
         for mode in ((POSITIVE, NEGATIVE) if {"parameters", "requestBody"} & {*item, *op} else (POSITIVE,))]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[schemathesis.BaseSchema, str]]:
    from checker.web.app import create_app

    tmp = tmp_path_factory.mktemp("schemathesis")
    # no workers: batches stay queued (no OCR); a file that is not an image is refused before any OCR
    app: Flask = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp / 'api.sqlite3'}",
                             "INSTANCE_DIR": tmp, "SECRET_KEY": "schemathesis-secret", "WORKERS": 0,
                             # hundreds of requests in seconds: the rate limits have tests of their own
                             "RATELIMIT_ADDRESS": "off", "RATELIMIT_KEY": "off", "RATELIMIT_UPLOADS": "off"})
    key = app.extensions[SERVICES_KEY].storage.create_api_key("schemathesis")[1]
    yield schemathesis.openapi.from_wsgi(OPENAPI, app), key
    app.extensions[SERVICES_KEY].storage.dispose()


@pytest.mark.parametrize(("method", "path", "mode"), CASES, ids=lambda v: getattr(v, "value", v))
def test_the_api_matches_its_document_and_never_fails_with_5xx(
        api_schema: tuple[schemathesis.BaseSchema, str], method: str, path: str,
        mode: schemathesis.GenerationMode) -> None:
    """Positive: requests the document allows; negative: requests it does not (never a 5xx; unknown
    query parameters are ignored, as most APIs do, so accepting those is not a failure)."""
    schema, key = api_schema
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        excluded = [negative_data_rejection]
        if (method, path) in NO_POSITIVE_CHECK:
            excluded.append(positive_data_acceptance)
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=excluded)

    run()
