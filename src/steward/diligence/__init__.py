"""Due diligence: checks a person can run before trusting a link or an address.

`check_url` (links) judges a URL against a known-good list and a MetaMask-format phishing
config; `check_address` (addresses) reads an address's on-chain facts and poisoning signals.
Both return a report with findings, a safe / caution / danger verdict and how each fact was
established. Imports are lazy so `import steward.diligence` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Finding": "links",
    "LinkReport": "links",
    "PhishingConfig": "links",
    "check_url": "links",
    "default_phishing_config": "links",
    "load_phishing_config": "links",
    "AddressReport": "addresses",
    "check_address": "addresses",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
