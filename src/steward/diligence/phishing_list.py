"""The installed phishing list: MetaMask's eth-phishing-detect `config.json`, versioned.

Steward uses MetaMask's list unless the owner says otherwise. On first use it is copied into the
Steward home (`<home>/lists/eth-phishing-detect.json`, with `eth-phishing-detect.meta.json`
beside it: where it came from, the package version, its sha256, the date it was installed and,
when the package says so, the date it was published) from, in order:

1. the file `$STEWARD_PHISHING_LIST` names;
2. the npm package `eth-phishing-detect` unpacked by `make setup-tools` into
   `.tools/node_modules/` of the current folder or of the repository.

`steward lists update [--from FILE | --from-package DIR]` replaces it. Every install is
validated strictly (a JSON object with version, tolerance, fuzzylist, whitelist and blacklist;
every entry a host name) and written atomically, so a bad file is refused and the previous list
stays. When no list is installed and none can be found, `active_list()` returns None and link
reports say so (`NO_LIST_LINE`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from steward.errors import StewardError
from steward.home import home_path, write_private

LIST_ENV = "STEWARD_PHISHING_LIST"
PACKAGE_NAME = "eth-phishing-detect"
LIST_FILE = "eth-phishing-detect.json"
META_FILE = "eth-phishing-detect.meta.json"
NO_LIST_LINE = "phishing list: none installed; run `steward lists update`"
MAX_LIST_BYTES = 64 * 1024 * 1024
MAX_TOLERANCE = 10
if TYPE_CHECKING:
    from steward.diligence.links import PhishingConfig

_REPO_ROOT = Path(__file__).resolve().parents[3]
_REQUIRED = {"version": (int, str), "tolerance": (int,), "fuzzylist": (list,),
             "whitelist": (list,), "blacklist": (list,)}
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}$")
# A list entry is a host name (MetaMask's list also holds a few single-label names).
_ENTRY = re.compile(r"^[a-z0-9_*-]+(?:\.[a-z0-9_*-]+)*\.?$")


class ListInfo(BaseModel):
    """What is installed: shown in every link report that the list decided or informed."""

    name: str = PACKAGE_NAME
    source: str  # the file or package it was installed from
    package_version: str | None = None
    list_version: int | str  # the config's own `version` field
    tolerance: int
    sha256: str
    installed_at: str  # ISO date and time, UTC
    published: str | None = None  # the package's publish date, when its package.json has one
    whitelist: int
    blacklist: int
    fuzzylist: int

    def label(self) -> str:
        """`eth-phishing-detect 1.2.0 (list v2, published …)` — what decided, in one phrase."""
        version = self.package_version or f"list v{self.list_version}"
        date = f"published {self.published}" if self.published else \
            f"installed {self.installed_at[:10]}"
        extra = f"list v{self.list_version}, " if self.package_version else ""
        return f"{self.name} {version} ({extra}{date})"

    def line(self) -> str:
        return (f"phishing list: {self.label()}: {self.blacklist} blacklisted, "
                f"{self.whitelist} whitelisted, {self.fuzzylist} fuzzy-matched hosts; "
                f"installed from {self.source}")


def validate_list(data: bytes, origin: str) -> dict:
    """The parsed list, or a StewardError naming `origin` and what is wrong."""
    if len(data) > MAX_LIST_BYTES:
        raise StewardError(f"{origin} is larger than {MAX_LIST_BYTES // 2**20} MiB; "
                           "not a phishing list")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise StewardError(f"{origin} is not a readable JSON phishing list: {exc}") from None
    if not isinstance(raw, dict):
        raise StewardError(f"{origin} is not a phishing list: expected a JSON object with "
                           "version, tolerance, fuzzylist, whitelist and blacklist")
    for key, types in _REQUIRED.items():
        if key not in raw:
            raise StewardError(f"{origin} is not a phishing list: it has no '{key}'")
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise StewardError(f"{origin} is not a phishing list: '{key}' is "
                               f"{type(value).__name__}, expected {types[0].__name__}")
    if not _VERSION.match(str(raw["version"])):
        raise StewardError(f"{origin} is not a phishing list: its version is not a plain "
                           "version number")
    if not 0 <= raw["tolerance"] <= MAX_TOLERANCE:
        raise StewardError(f"{origin} is not a phishing list: tolerance must be 0 to "
                           f"{MAX_TOLERANCE}")
    for key in ("fuzzylist", "whitelist", "blacklist"):
        for index, entry in enumerate(raw[key]):
            if not isinstance(entry, str) or not _valid_entry(entry):
                raise StewardError(f"{origin} is not a phishing list: {key}[{index}] is not a "
                                   f"host name ({json.dumps(entry)[:80]})")
    if not raw["blacklist"]:
        raise StewardError(f"{origin} is not a phishing list: its blacklist is empty")
    return raw


def _valid_entry(entry: str) -> bool:
    host = entry.strip().lower()
    if not host or len(host) > 253:
        return False
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    return bool(_ENTRY.match(host))


def list_dir() -> Path:
    return home_path("lists", LIST_FILE).parent


def install_list(data: bytes, source: str, package_version: str | None = None,
                 published: str | None = None) -> ListInfo:
    """Validate `data` and make it the installed list (atomically: list first, then metadata;
    a reader checks the sha256, so a crash between the two is noticed, never half-believed)."""
    raw = validate_list(data, source)
    info = ListInfo(source=source, package_version=package_version,
                    list_version=raw["version"], tolerance=raw["tolerance"],
                    sha256=hashlib.sha256(data).hexdigest(),
                    installed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    published=published, whitelist=len(raw["whitelist"]),
                    blacklist=len(raw["blacklist"]), fuzzylist=len(raw["fuzzylist"]))
    folder = list_dir()
    write_private(folder / LIST_FILE, data.decode("utf-8"))
    write_private(folder / META_FILE, info.model_dump_json(indent=2))
    return info


def install_from_file(path: str | Path) -> ListInfo:
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StewardError(f"no phishing list at {path}") from None
    except OSError as exc:
        raise StewardError(f"cannot read the phishing list {path}: {exc.strerror}") from None
    return install_list(data, str(path))


def install_from_package(folder: str | Path) -> ListInfo:
    """The npm package eth-phishing-detect unpacked at `folder` (package.json, src/config.json)."""
    folder = Path(folder).expanduser()
    try:
        meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StewardError(f"{folder} holds no package.json; give the folder of the "
                           f"{PACKAGE_NAME} package") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StewardError(f"{folder}/package.json is not readable JSON: {exc}") from None
    if not isinstance(meta, dict) or meta.get("name") != PACKAGE_NAME:
        raise StewardError(f"{folder} is not the {PACKAGE_NAME} package (package.json names "
                           f"{json.dumps(meta.get('name') if isinstance(meta, dict) else None)})")
    version = meta.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise StewardError(f"{folder}/package.json has no plain version number")
    config = folder / "src" / "config.json"
    try:
        data = config.read_bytes()
    except OSError:
        raise StewardError(f"{folder} lacks src/config.json; reinstall it with "
                           "`make setup-tools`") from None
    return install_list(data, str(folder), package_version=version,
                        published=_publish_date(meta, version))


def _publish_date(meta: dict, version: str) -> str | None:
    """npm's registry metadata (`time`) when the unpacked package.json carries it."""
    times = meta.get("time")
    stamp = times.get(version) if isinstance(times, dict) else meta.get("publishedAt")
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date().isoformat()
        except ValueError:
            return None
    return None


def find_package() -> Path | None:
    """The unpacked npm package: `.tools/node_modules/eth-phishing-detect` (cwd, then repo)."""
    for root in package_roots():
        candidate = root / "node_modules" / PACKAGE_NAME
        if (candidate / "package.json").is_file():
            return candidate
    return None


def package_roots() -> list[Path]:
    return list(dict.fromkeys(r.resolve() for r in (Path.cwd() / ".tools",
                                                    _REPO_ROOT / ".tools")))


def installed_info() -> ListInfo | None:
    path = list_dir() / META_FILE
    try:
        return ListInfo.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise StewardError(f"{path} is damaged; reinstall the list with "
                           "`steward lists update`") from None


def installed_list() -> tuple[PhishingConfig, ListInfo] | None:
    """The installed list, checked against the sha256 recorded when it was installed."""
    info = installed_info()
    if info is None:
        return None
    path = list_dir() / LIST_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise StewardError(f"{path} does not match the sha256 recorded when it was installed; "
                           "reinstall it with `steward lists update`")
    return _parsed(info.sha256, data, info.label()), info


@lru_cache(maxsize=4)
def _parsed(sha256: str, data: bytes, label: str) -> PhishingConfig:
    # Keyed by content: parsing 15,000 entries once per process, not once per link.
    from steward.diligence.links import PhishingConfig

    raw = json.loads(data)
    return PhishingConfig(**{**raw, "source": label, "kind": "list"})


def active_list() -> tuple[PhishingConfig, ListInfo] | None:
    """The installed list; on first use installs `$STEWARD_PHISHING_LIST` or the package in
    .tools. None when there is none (reports then say `NO_LIST_LINE`)."""
    found = installed_list()
    if found is not None:
        return found
    override = os.environ.get(LIST_ENV)
    if override:
        install_from_file(override)
    else:
        package = find_package()
        if package is None:
            return None
        install_from_package(package)
    return installed_list()


def update(from_file: str | None = None, from_package: str | None = None) -> ListInfo:
    """`steward lists update`: from a file, a package folder, or the package in .tools."""
    if from_file and from_package:
        raise StewardError("give --from or --from-package, not both")
    if from_file:
        return install_from_file(from_file)
    if from_package:
        return install_from_package(from_package)
    override = os.environ.get(LIST_ENV)
    if override:
        return install_from_file(override)
    package = find_package()
    if package is None:
        raise StewardError(f"no {PACKAGE_NAME} package in .tools/node_modules (run `make "
                           "setup-tools`); or give --from FILE or --from-package DIR")
    return install_from_package(package)
