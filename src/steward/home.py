"""The Steward home: where config, wallets, the embedded chains and the journal live."""

import os
import tempfile
from pathlib import Path

_made: set[Path] = set()


def _ensure_dir(path: Path) -> None:
    # Called on hot paths (every transaction), so each folder is created once per process.
    if path not in _made or not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        _made.add(path)


def steward_home() -> Path:
    """`STEWARD_HOME` if set, else `~/.steward`; created on first use with owner-only access."""
    home = Path(os.environ.get("STEWARD_HOME") or Path.home() / ".steward").expanduser()
    _ensure_dir(home)
    return home


def home_path(*parts: str) -> Path:
    """A path inside the Steward home whose parent folder exists."""
    path = steward_home().joinpath(*parts)
    _ensure_dir(path.parent)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, atomically: a temporary file beside it (0600,
    synced), then a rename, so a crash leaves the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
