"""Web hardening: headers, cookies, CSRF, escaping, rate limits, key checks, debug, secret, size limits."""
from __future__ import annotations

import hmac
import io
import json
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from checker import imaging
from checker import storage as storage_module
from checker.config import ConfigError
from checker.web.app import create_app
from checker.web.extensions import SERVICES_KEY
from tests.render import to_bytes

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
REQUIRED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
SCRIPT = "<script>alert('label')</script>"


def _png(width: int = 200, height: int = 100) -> bytes:
    return to_bytes(Image.new("RGB", (width, height), "white"), "PNG")


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels."""
    data = bytearray(_png())
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _csrf_token(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, "the upload page has no CSRF token"
    return match.group(1)


def _new_app(app_config: dict, **extra: object) -> Flask:
    return create_app({**app_config, **extra})


@pytest.fixture
def limited_config(app_config: dict) -> dict:
    """Rate limits on (tests run without them unless they ask)."""
    return {**app_config, "RATELIMIT_ENABLED": True}


# ---------------------------------------------------------------- headers
@pytest.mark.parametrize("path", ["/", "/history", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/checks",
                                  "/no-such-page", "/api/v1/no-such-thing", "/static/style.css"])
def test_security_headers_on_pages_api_errors_and_files(client: FlaskClient, path: str):
    response = client.get(path)
    for name, value in REQUIRED_HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp, (path, directive)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "camera=()" in response.headers.get("Permissions-Policy", "")
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be a lie


def test_hsts_and_secure_cookies_behind_https(app_config: dict):
    app = _new_app(app_config, SECURE_COOKIES=True)
    client = app.test_client()
    response = client.get("/", base_url="https://checker.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    session = [c for c in cookies if c.startswith("session=")]
    assert session and all("Secure" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in session)


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient):
    cookies = client.get("/").headers.getlist("Set-Cookie")
    session = [c for c in cookies if c.startswith("session=")]
    assert session, "the upload form keeps its CSRF secret in the session"
    assert all("HttpOnly" in c and "SameSite=Lax" in c and "Secure" not in c for c in session)


# ---------------------------------------------------------------- CSRF
def _form_posts(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()) and not rule.endpoint.startswith("api."):
            urls.append(re.sub(r"<(?:\w+:)?\w+>", "x" * 22, rule.rule))
    return urls


def test_every_form_post_needs_a_csrf_token(app: Flask, client: FlaskClient):
    posts = _form_posts(app)
    assert {"/", "/text"} <= set(posts), posts
    for url in posts:
        response = client.post(url, data={"text": "Ingredients: sodium butyrate"})
        assert response.status_code == 400, url
        assert "Reload the page" in response.get_data(as_text=True), url
        wrong = client.post(url, data={"text": "x", "csrf_token": "forged"})
        assert wrong.status_code == 400, url


def test_the_api_takes_no_cookies_so_it_needs_a_key_not_a_token(client: FlaskClient):
    client.get("/")  # a browser session exists
    response = client.post("/api/v1/checks", data={"file": (io.BytesIO(_png()), "a.png")})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


# ---------------------------------------------------------------- escaping
def test_label_text_and_names_with_markup_show_as_text(client: FlaskClient):
    token = _csrf_token(client)
    text = f"{SCRIPT}\nIngredients: sodium butyrate 600 mg, <b>rice flour</b>\n<img src=x onerror=alert(1)>"
    response = client.post("/text", data={"text": text, "name": f'"><svg onload=alert(1)>{SCRIPT}',
                                          "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert(" not in page and "<svg onload" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page
    assert "&lt;svg onload=alert(1)&gt;" in page or "&#34;&gt;&lt;svg" in page


def test_file_names_with_markup_are_escaped_in_the_api_error_and_never_used_as_paths(
        api_client: FlaskClient, tmp_path: Path):
    name = f"../../{SCRIPT}.png"
    response = api_client.post("/api/v1/checks", data={"file": (io.BytesIO(b"not an image"), name)})
    assert response.status_code == 415 and response.is_json
    assert not any(p.name.endswith(".png") for p in tmp_path.rglob("*"))


# ---------------------------------------------------------------- rate limits
def test_api_key_limit_answers_429_json_with_retry_after(limited_config: dict):
    app = _new_app(limited_config, RATELIMIT_KEY="2 per minute", RATELIMIT_ADDRESS="100 per minute")
    storage = app.extensions[SERVICES_KEY].storage
    first, second = storage.create_api_key("a")[1], storage.create_api_key("b")[1]
    client = app.test_client()
    statuses = [client.get("/api/v1/checks", headers={"Authorization": f"Bearer {first}"}).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.get("/api/v1/checks", headers={"Authorization": f"Bearer {first}"})
    assert limited.status_code == 429 and limited.is_json
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    other = client.get("/api/v1/checks", headers={"Authorization": f"Bearer {second}"})
    assert other.status_code == 200, "each key has its own budget"


def test_address_limit_covers_pages_and_random_keys(limited_config: dict):
    app = _new_app(limited_config, RATELIMIT_ADDRESS="3 per minute", RATELIMIT_KEY="100 per minute")
    client = app.test_client()
    statuses = [client.get("/api/v1/checks", headers={"Authorization": f"Bearer random-{i}"}).status_code
                for i in range(3)]
    assert statuses == [401, 401, 401]
    rotated = client.get("/api/v1/checks", headers={"Authorization": "Bearer random-new"})
    assert rotated.status_code == 429, "new made-up keys must not escape the per-address limit"
    page = client.get("/history")
    assert page.status_code == 429 and "text/html" in page.content_type
    other_address = client.get("/history", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 200


def test_uploads_have_their_own_tighter_limit(limited_config: dict):
    app = _new_app(limited_config, RATELIMIT_UPLOADS="1 per minute", API_AUTH=False)
    client = app.test_client()
    first = client.post("/api/v1/checks", data={})
    assert first.status_code == 400  # no file: refused, but it still counts as an upload
    assert client.post("/api/v1/checks", data={}).status_code == 429
    assert client.get("/api/v1/checks").status_code == 200, "reads are not uploads"


def test_limits_are_checked_at_start(app_config: dict):
    with pytest.raises(ConfigError, match="RATELIMIT_UPLOADS"):
        _new_app(app_config, RATELIMIT_UPLOADS="lots")


@pytest.mark.parametrize("off", ["", "off", "none"])
def test_a_limit_can_be_switched_off(limited_config: dict, off: str):
    app = _new_app(limited_config, RATELIMIT_ADDRESS=off, RATELIMIT_UPLOADS=off)
    client = app.test_client()
    assert all(client.get("/history").status_code == 200 for _ in range(30))


def test_limits_are_shared_through_redis_between_processes(limited_config: dict, redis_url: str):
    import secrets

    config = {**limited_config, "RATELIMIT_STORAGE_URL": redis_url, "RATELIMIT_ADDRESS": "3 per minute"}
    address = f"198.51.100.{secrets.randbelow(250) + 1}"  # a fresh bucket for this run
    one, two = _new_app(config).test_client(), _new_app(config).test_client()
    env = {"REMOTE_ADDR": address}
    assert [one.get("/history", environ_base=env).status_code for _ in range(2)] == [200, 200]
    assert two.get("/history", environ_base=env).status_code == 200
    assert two.get("/history", environ_base=env).status_code == 429


# ---------------------------------------------------------------- keys, debug, secret
def test_api_keys_are_compared_in_constant_time(api_client: FlaskClient, monkeypatch: pytest.MonkeyPatch):
    calls: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def spy(a: object, b: object) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(storage_module.hmac, "compare_digest", spy)
    assert api_client.get("/api/v1/checks").status_code == 200
    assert calls, "the key must be checked with hmac.compare_digest"
    stored, given = calls[-1]
    assert stored == given and len(str(stored)) == 64  # SHA-256 digests, never the key itself


def test_debug_is_off_by_default_and_errors_hide_their_details(app_config: dict,
                                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CHECKER_DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = _new_app({k: v for k, v in app_config.items() if k != "TESTING"}, API_AUTH=False)
    assert app.debug is False and app.config["DEBUG"] is False

    def boom() -> str:
        raise RuntimeError("secret internal detail /etc/passwd")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    app.add_url_rule("/boom", "page_boom", boom)
    for path in ("/api/v1/boom", "/boom"):
        response = app.test_client().get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 500, path
        assert "secret internal detail" not in body and "Traceback" not in body


def test_debug_only_when_asked(app_config: dict, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CHECKER_DEBUG", "1")
    assert _new_app(app_config).debug is True


def test_secret_key_is_generated_once_kept_private_and_never_a_constant(app_config: dict, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CHECKER_SECRET_KEY", raising=False)
    config = {k: v for k, v in app_config.items() if k != "SECRET_KEY"}
    first, second = _new_app(config), _new_app(config)
    key = first.config["SECRET_KEY"]
    assert re.fullmatch(r"[0-9a-f]{64}", key) and second.config["SECRET_KEY"] == key
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = tmp_path / "other"
    assert _new_app({**config, "INSTANCE_DIR": other}).config["SECRET_KEY"] != key
    monkeypatch.setenv("CHECKER_SECRET_KEY", "from-the-environment-" + "x" * 20)
    assert _new_app(config).config["SECRET_KEY"] == "from-the-environment-" + "x" * 20


# ---------------------------------------------------------------- sizes and pixels
def test_pillow_pixel_limit_is_set_on_purpose(app: Flask):
    assert Image.MAX_IMAGE_PIXELS == imaging.load.PIXEL_CEILING
    assert app.extensions[SERVICES_KEY].settings.max_pixels <= imaging.load.PIXEL_CEILING


def test_a_decompression_bomb_is_refused_from_its_header(api_client: FlaskClient):
    response = api_client.post("/api/v1/checks", data={"file": (io.BytesIO(_png_claiming(12_000, 12_000)),
                                                                "bomb.png")})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_upload_over_the_request_limit_is_413_json_for_the_api_and_a_page_for_people(app_config: dict):
    app = _new_app(app_config, MAX_UPLOAD_MB=0.5)
    key = app.extensions[SERVICES_KEY].storage.create_api_key("t")[1]
    client = app.test_client()
    big = io.BytesIO(b"\xff\xd8\xff" + bytes(700 * 1024))
    api = client.post("/api/v1/checks", data={"file": (big, "big.jpg")},
                      headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "too_large"
    assert "0.5 MB" in api.get_json()["error"]["message"]
    page = client.post("/", data={"file": (io.BytesIO(bytes(700 * 1024)), "big.jpg")})
    assert page.status_code == 413 and "text/html" in page.content_type


def test_batch_limits_per_request_and_per_file(app_config: dict):
    app = _new_app(app_config, MAX_UPLOAD_MB=0.25, MAX_BATCH_MB=1)
    key = app.extensions[SERVICES_KEY].storage.create_api_key("t")[1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    inner, buf = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("inner.png", _png())
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ok.png", _png())
        zf.writestr("../../evil.png", _png())
        zf.writestr("nested.zip", inner.getvalue())
    files = [(io.BytesIO(_png()), "a.png"), (io.BytesIO(b"\xff\xd8\xff" + bytes(300 * 1024)), "big.jpg"),
             (io.BytesIO(buf.getvalue()), "photos.zip")]
    accepted = client.post("/api/v1/batches", data={"files": files}, headers=headers)
    assert accepted.status_code == 202, accepted.get_json()
    status = client.get(accepted.get_json()["status_url"], headers=headers).get_json()
    errors = {item["file"] if "file" in item else item.get("filename"): (item.get("error") or {}).get("code")
              for item in status["items"]}
    assert json.dumps(errors)  # the items are named and carry their own reasons
    codes = sorted(code for code in errors.values() if code)
    assert codes == ["nested_archive", "too_large", "unsafe_name"], status["items"]
    too_much = client.post("/api/v1/batches", headers=headers,
                           data={"files": [(io.BytesIO(bytes(600 * 1024)), f"{i}.jpg") for i in range(2)]})
    assert too_much.status_code == 413 and too_much.get_json()["error"]["code"] == "too_large"
