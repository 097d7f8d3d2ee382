"""The Steward home: where config, wallets, the embedded chains and the journal live."""

import os
from pathlib import Path


def steward_home() -> Path:
    """`STEWARD_HOME` if set, else `~/.steward`; created on first use with owner-only access."""
    home = Path(os.environ.get("STEWARD_HOME") or Path.home() / ".steward").expanduser()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return home


def home_path(*parts: str) -> Path:
    """A path inside the Steward home whose parent folder exists."""
    path = steward_home().joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
