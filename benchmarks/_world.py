"""What the benchmarks share: a fresh sandbox in a temporary Steward home, embedded or on two
new anvil nodes."""

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


def fresh_anvil_sandbox(label: str, err: Console) -> list:
    """Build the sandbox on two new anvil nodes in a new temporary home (never ~/.steward);
    returns the nodes, for the caller to stop."""
    os.environ["STEWARD_HOME"] = tempfile.mkdtemp(prefix=f"steward-{label}-anvil-bench-")
    os.environ.setdefault("STEWARD_PASSPHRASE", "benchmark-only")
    os.environ.setdefault("STEWARD_KEYSTORE_SCRYPT_N", "1024")
    from steward import sandbox
    from steward.chains.anvil import AnvilNode

    nodes = [AnvilNode(chain_id=31_337_001).start(), AnvilNode(chain_id=31_337_002).start()]
    with err.status("building the sandbox on two anvil nodes…"):
        sandbox.up(nodes[0].url, nodes[1].url)
    return nodes
