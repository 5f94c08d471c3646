"""API keys: `Authorization: Bearer KEY` on every API request (except the public API documents)."""
from __future__ import annotations

from flask import g, request

from checker.errors import CheckerError
from checker.web.extensions import services

BEARER = "bearer"
# API endpoints anyone may read: the description of the API itself
PUBLIC_ENDPOINTS = {"api.openapi_document", "api.docs"}
REALM = 'Bearer realm="label-checker"'


class UnauthorizedError(CheckerError):
    """The request carries no API key, or one that is unknown or revoked."""

    code = "unauthorized"
    http_status = 401


def require_api_key() -> None:
    """before_request of the API: sets g.api_owner to the key id (None when auth is off)."""
    g.api_owner = None
    if request.endpoint in PUBLIC_ENDPOINTS or not services().settings.api_auth:
        return
    key = bearer_token(request.headers.get("Authorization", ""))
    if key is None:
        raise UnauthorizedError("This API needs a key: send the header 'Authorization: Bearer YOUR_KEY' "
                                "(create one with: python -m checker keys create NAME).")
    owner = services().storage.api_key_owner(key)
    if owner is None:
        raise UnauthorizedError("This API key is not valid (unknown or revoked).", code="invalid_api_key")
    g.api_owner = owner


def bearer_token(header: str) -> str | None:
    """The KEY of 'Bearer KEY', or None."""
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != BEARER or not token:
        return None
    return token


def current_owner() -> str | None:
    """The id of the API key of this request (None when API auth is off)."""
    return g.get("api_owner")
