"""The HTTP faces of Steward: the JSON API and the dashboard, served by one process.

`create_app` is imported lazily so that `steward.api.token` (used by `steward init`) does not
pull in FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steward.api.app import create_app


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from steward.api.app import create_app

        return create_app
    raise AttributeError(f"module 'steward.api' has no attribute {name!r}")


__all__ = ["create_app"]
