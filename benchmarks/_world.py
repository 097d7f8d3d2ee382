"""What the benchmarks share: a fresh embedded sandbox in a temporary Steward home."""

from __future__ import annotations

import os
import tempfile

from rich.console import Console


def fresh_sandbox(label: str, err: Console) -> str:
    """Build the embedded sandbox in a new temporary home (never ~/.steward); returns the
    passphrase of its `main` wallet."""
    os.environ["STEWARD_HOME"] = tempfile.mkdtemp(prefix=f"steward-{label}-bench-")
    os.environ.setdefault("STEWARD_PASSPHRASE", "benchmark-only")
    os.environ.setdefault("STEWARD_KEYSTORE_SCRYPT_N", "1024")
    from steward import sandbox

    with err.status("building the embedded sandbox world…"):
        sandbox.up()
    return os.environ["STEWARD_PASSPHRASE"]
