"""The Steward home: where config, wallets, the embedded chains and the journal live."""

import errno
import os
import sqlite3
import stat
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


def untrusted_because(path: Path) -> str | None:
    """Why a file that rules what Steward signs (a mandate, a keystore) must not be trusted, or
    None. It must be a regular file, not a symbolic link (whose target anyone able to write it
    may swap), writable by its owner only, in a folder others cannot write to, and owned by the
    user running Steward (ownership is not checked where there are no POSIX user ids).
    FileNotFoundError propagates: a missing file is the caller's case."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return (f"it is a symbolic link (to {os.readlink(path)}); replace it with the file "
                f"itself: cp --remove-destination \"$(readlink -f {path})\" {path}")
    if not stat.S_ISREG(info.st_mode):
        return "it is not a regular file"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (f"other users can write to it (mode {stat.S_IMODE(info.st_mode):o}); "
                f"run: chmod 600 {path}")
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is not None and info.st_uid != uid:
        return (f"it belongs to user id {info.st_uid}, not to you (user id {uid}); check its "
                f"content, then take it over: chown {uid} {path}")
    folder = os.stat(path.parent)
    if folder.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not folder.st_mode & stat.S_ISVTX:
        return (f"other users can write to its folder {path.parent} and so replace it; run: "
                f"chmod 700 {path.parent}")
    return None


# Why a write failed, for failures that are about the disk rather than about Steward.
_DISK_ERRNOS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EFBIG: "a file reached the size limit for this process (ulimit -f)",
    errno.EIO: "the disk reported an input/output error",
}
_SQLITE_MESSAGES = {
    "database or disk is full": "the disk is full",
    "attempt to write a readonly database": "a database file (or its folder) is read-only",
    "disk i/o error": "the disk reported an input/output error",
}


def storage_problem(exc: BaseException) -> str | None:
    """What is wrong with the disk, when `exc` (or an exception it came from) is a full or
    read-only disk, a quota, a size limit or an I/O error; None for any other failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _DISK_ERRNOS:
            where = f" ({current.filename})" if current.filename else ""
            return _DISK_ERRNOS[current.errno] + where
        if isinstance(current, sqlite3.Error):
            text = str(current).lower()
            for message, meaning in _SQLITE_MESSAGES.items():
                if message in text:
                    return meaning
        current = current.__cause__ or current.__context__
    return None
