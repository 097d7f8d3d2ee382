"""The service's bearer token: one secret per Steward home, in `<home>/api-token` (0600).

`steward init` and `steward serve` create it when it is missing. Whoever holds it can use the
JSON API and sign in to the dashboard as the owner (approve included), so it is never printed
unless asked (`steward token`, `steward serve --show-token`) and never logged.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from steward.errors import StewardError
from steward.home import home_path, write_private

TOKEN_FILE = "api-token"
TOKEN_BYTES = 32


def token_path() -> Path:
    return home_path(TOKEN_FILE)


def read_token() -> str | None:
    """The stored token, or None when there is none yet."""
    path = token_path()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StewardError(f"cannot read the API token {path} ({type(exc).__name__}); delete it "
                           "and run `steward token --new`") from None
    if not token or any(ch.isspace() or not ch.isprintable() for ch in token):
        raise StewardError(f"the API token file {path} is empty or damaged; run "
                           "`steward token --new` to replace it")
    return token


def new_token() -> str:
    """Replace the token (the old one stops working at the next `steward serve`)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    write_private(token_path(), token + "\n")
    return token


def ensure_token() -> tuple[str, bool]:
    """The token, created if missing; and whether it was created now."""
    token = read_token()
    if token is not None:
        return token, False
    return new_token(), True


__all__ = ["TOKEN_FILE", "ensure_token", "new_token", "read_token", "token_path"]
