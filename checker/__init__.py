"""Label checker for postbiotic and butyrate food supplements."""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None):  # noqa: ANN201 - Flask stays at the edge
    """Build the Flask app; imported lazily so the core never imports Flask."""
    from checker.web.app import create_app as _create_app

    return _create_app(config)
