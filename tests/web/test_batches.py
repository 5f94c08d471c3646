"""Batches over the API: many photos or a zip in, 202 at once, every file ends done or failed (never
the whole batch for one bad file), results as CSV and JSON Lines; in-process workers, PostgreSQL, and a
real Celery worker on Redis."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from checker import jobs
from checker.web.extensions import SERVICES_KEY
from tests.fake_pipeline import CountingPipeline
from tests.render import render_label, to_bytes
from tests.sample_labels import EN_FAIL, EN_FAIL_EXPECTED, NL_PASS, NL_PASS_EXPECTED
from tests.services import wait_for

URL = "/api/v1/batches"


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def submit(client: FlaskClient, files: list[tuple[str, bytes]], field: str = "files"):
    return client.post(URL, data={field: [(io.BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data")


def wait_done(client: FlaskClient, status_url: str, timeout: float = 60) -> dict:
    wait_for(lambda: client.get(status_url).get_json()["status"] == "done", timeout, interval=0.1,
             message=f"batch not done within {timeout} s")
    return client.get(status_url).get_json()



@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "WORKERS": 2}  # the in-process pool, as in production


FILES = [("a.png", b"photo a"), ("notes.txt", b"bad: not a photo"), ("empty.png", b""),
         ("photos.zip", zip_of({"z1.png": b"photo z1", "../../evil.png": b"photo evil",
                                "sub/z2.png": b"photo z2", "inner.zip": zip_of({"x.png": b"photo x"})}))]


def test_a_batch_of_files_and_a_zip_is_accepted_and_finished(api_client: FlaskClient,
                                                             pipeline: CountingPipeline) -> None:
    response = submit(api_client, FILES)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == body["status_url"] == f"{URL}/{body['id']}"
    assert body["total"] == 7 and len(body["id"]) >= 22
    status = wait_done(api_client, body["status_url"])
    assert status["counts"] == {"queued": 0, "running": 0, "done": 3, "failed": 4}
    items = {i["file"]: i for i in status["items"]}
    assert [i["file"] for i in status["items"]] == ["a.png", "notes.txt", "empty.png", "z1.png",
                                                    "../../evil.png", "sub/z2.png", "inner.zip"]
    assert {f: i["error"]["code"] for f, i in items.items() if i["status"] == "failed"} == {
        "notes.txt": "unsupported_media_type", "empty.png": "empty_file", "../../evil.png": "unsafe_name",
        "inner.zip": "nested_archive"}
    assert all(i["verdict"] == "pass" and api_client.get(i["check_url"]).status_code == 200
               for i in status["items"] if i["status"] == "done")
    assert "evil.png" not in pipeline.calls and set(pipeline.calls.values()) == {1}


def test_results_come_as_csv_and_json_lines_in_file_order(api_client: FlaskClient,
                                                          pipeline: CountingPipeline) -> None:
    body = submit(api_client, FILES[:3]).get_json()
    wait_done(api_client, body["status_url"])
    response = api_client.get(body["results"]["csv"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["file"], r["status"], r["verdict"]) for r in rows] == [
        ("a.png", "done", "pass"), ("notes.txt", "failed", ""), ("empty.png", "failed", "")]
    assert rows[1]["error"] == "unsupported_media_type: This is not a photo."
    assert rows[2]["error"].startswith("empty_file: ")
    lines = api_client.get(body["results"]["jsonl"]).get_data(as_text=True).splitlines()
    reports = [json.loads(line) for line in lines]
    assert [r["input"]["filename"] for r in reports] == ["a.png", "notes.txt", "empty.png"]
    assert reports[0]["id"] == rows[0]["check_id"] and reports[2]["error"]["code"] == "empty_file"
    assert reports[2]["verdict"] is None and reports[2]["schema"] == "label-check/1"


@pytest.mark.parametrize(("files", "field", "status", "code"), [
    ([], "files", 400, "no_file"),
    ([("a.png", b"photo")], "photos", 400, "no_file"),
    ([(f"{i}.png", b"photo") for i in range(4)], "files", 413, "too_many_files"),
    ([("big.zip", zip_of({f"{i}.png": b"photo" for i in range(5)}))], "files", 413, "too_many_files"),
])
def test_a_batch_that_cannot_be_taken_is_refused_whole(app_config: dict, files: list, field: str, status: int,
                                                       code: str) -> None:
    from checker.web.app import create_app

    app = create_app({**app_config, "WORKERS": 0, "API_AUTH": False, "MAX_BATCH_FILES": 3})
    response = submit(app.test_client(), files, field)
    assert response.status_code == status and response.get_json()["error"]["code"] == code


def test_a_request_over_the_batch_size_limit_is_413(app_config: dict) -> None:
    from checker.web.app import create_app

    app = create_app({**app_config, "WORKERS": 0, "API_AUTH": False, "MAX_BATCH_MB": 0.01})
    response = submit(app.test_client(), [("a.png", b"x" * 20_000)])
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_a_file_over_the_per_file_limit_is_a_failed_item(app_config: dict) -> None:
    from checker.web.app import create_app

    app = create_app({**app_config, "WORKERS": 0, "API_AUTH": False, "MAX_UPLOAD_MB": 0.01})
    body = submit(app.test_client(), [("big.png", b"x" * 20_000), ("small.png", b"photo")]).get_json()
    assert body["counts"] == {"queued": 1, "running": 0, "done": 0, "failed": 1}


@pytest.fixture
def idle_app(app_config: dict) -> Iterator[Flask]:
    from checker.web.app import create_app

    app = create_app({**app_config, "WORKERS": 0})
    yield app
    app.extensions[SERVICES_KEY].storage.dispose()


def test_results_wait_for_the_batch_and_other_keys_see_nothing(idle_app: Flask) -> None:
    storage = idle_app.extensions[SERVICES_KEY].storage
    mine = {"Authorization": f"Bearer {storage.create_api_key('me')[1]}"}
    theirs = {"Authorization": f"Bearer {storage.create_api_key('them')[1]}"}
    client = idle_app.test_client()
    body = client.post(URL, headers=mine, data={"files": [(io.BytesIO(b"photo"), "a.png")]}).get_json()
    assert body["status"] == "queued"
    for url in (body["results"]["csv"], body["results"]["jsonl"]):
        response = client.get(url, headers=mine)
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "batch_not_done"
    for url in (body["status_url"], body["results"]["csv"], body["results"]["jsonl"]):
        response = client.get(url, headers=theirs)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.tesseract
def test_a_batch_of_real_label_photos_gets_the_right_verdicts(api_client: FlaskClient) -> None:
    files = [("nl.png", to_bytes(render_label(NL_PASS), "PNG")),
             ("en.png", to_bytes(render_label(EN_FAIL), "PNG")),
             ("notes.txt", b"Ingredients: sodium butyrate 500 mg\n")]
    body = submit(api_client, files).get_json()
    status = wait_done(api_client, body["status_url"], timeout=120)
    assert [(i["file"], i["status"], i["verdict"]) for i in status["items"]] == [
        ("nl.png", "done", NL_PASS_EXPECTED["verdict"]), ("en.png", "done", EN_FAIL_EXPECTED["verdict"]),
        ("notes.txt", "failed", None)]
    assert status["items"][2]["error"]["code"] == "unsupported_media_type"
    rows = list(csv.DictReader(io.StringIO(api_client.get(body["results"]["csv"]).get_data(as_text=True))))
    active = rows[0]["actives"].split(":")
    assert active[0] == NL_PASS_EXPECTED["active"] and float(active[1]) == NL_PASS_EXPECTED["per_day_mg_max"]
    assert float(active[2]) > 0  # butyric-acid equivalent per day
    assert EN_FAIL_EXPECTED["rules"] <= set(rows[1]["findings"].split("; "))
    assert "E171" in rows[1]["additives"]


@pytest.mark.postgres
def test_batches_run_on_postgresql(app_config: dict, postgres_url: str, pipeline: CountingPipeline) -> None:
    from checker.web.app import create_app

    app = create_app({**app_config, "DATABASE_URL": postgres_url, "WORKERS": 2})
    try:
        storage = app.extensions[SERVICES_KEY].storage
        assert storage.dialect == "postgresql"
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {storage.create_api_key('pg')[1]}"
        body = submit(client, [(f"{i}.png", f"photo {i}".encode()) for i in range(12)]).get_json()
        status = wait_done(client, body["status_url"])
        assert status["counts"]["done"] == 12 and set(pipeline.calls.values()) == {1}
        assert len(client.get(body["results"]["jsonl"]).get_data(as_text=True).splitlines()) == 12
    finally:
        app.extensions[jobs.JOBS_KEY].stop(timeout=30)
        app.extensions[SERVICES_KEY].storage.dispose()


@pytest.mark.redis
@pytest.mark.tesseract
@pytest.mark.slow
def test_a_real_celery_worker_completes_a_batch(celery_env: dict, celery_worker, monkeypatch) -> None:  # noqa: ANN001
    from checker.web.app import create_app

    for name in ("CHECKER_CELERY_BROKER_URL", "CHECKER_CELERY_QUEUE", "CHECKER_DATABASE_URL",
                 "CHECKER_INSTANCE_DIR", "CHECKER_SECRET_KEY"):
        monkeypatch.setenv(name, celery_env[name])
    app = create_app({"TESTING": True})
    try:
        assert app.extensions[jobs.JOBS_KEY].mode == "celery"
        storage = app.extensions[SERVICES_KEY].storage
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {storage.create_api_key('celery')[1]}"
        labels = [to_bytes(render_label(f"Label {i}\nsodium butyrate {200 * (i + 1)} mg", width=420,
                                        font_size=22), "PNG") for i in range(3)]
        files = [(f"l{i}.png", data) for i, data in enumerate(labels)] + [("notes.txt", b"not a photo")]
        body = submit(client, files).get_json()
        try:
            status = wait_done(client, body["status_url"], timeout=120)
        except BaseException:
            print(celery_worker.output())
            raise
        assert status["counts"] == {"queued": 0, "running": 0, "done": 3, "failed": 1}
        assert all(i["verdict"] for i in status["items"][:3])
        assert "checker.process_item" in celery_worker.output()
    finally:
        app.extensions[SERVICES_KEY].storage.dispose()
