"""Alerts to an owner's webhook: one JSON POST per decision worth a person's attention.

Best effort by design: a webhook that is down, slow or answers an error never stops the worker
or changes a decision (the decision is already in the store); the failure is logged as a
warning. Only http and https URLs are posted to (the orders file is checked for that too)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from urllib.parse import urlsplit

log = logging.getLogger("steward.standing")
TIMEOUT_SECONDS = 5.0


def post_webhook(url: str, decision) -> bool:
    """POST `decision` as JSON to `url`; True when the hook answered 2xx."""
    import httpx

    if urlsplit(url).scheme not in ("http", "https"):
        log.warning("alert webhook %r is not http(s); not posted", url)
        return False
    body = {"source": "steward", "kind": "standing-order", **asdict(decision)}
    try:
        answer = httpx.post(url, json=body, timeout=TIMEOUT_SECONDS, follow_redirects=False)
    except httpx.HTTPError as exc:
        log.warning("alert webhook %s failed: %s", url, type(exc).__name__)
        return False
    if not answer.is_success:
        log.warning("alert webhook %s answered %s", url, answer.status_code)
    return answer.is_success
