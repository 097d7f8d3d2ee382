"""Steward's Vyper contracts, compiled on demand.

Sources live in ``sources/<Name>.vy``. Compiling is slow, so outputs are cached
as JSON keyed by sha256(source text + vyper version) in ``$STEWARD_CACHE`` (or
``~/.cache/steward/vyper/``) and memoized in-process.

Nothing here signs or sends transactions: callers deploy by sending
``initcode(...)`` / ``blueprint_initcode(...)`` as a contract-creation tx.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from steward.errors import StewardError, UnknownNameError

__all__ = [
    "CompiledContract",
    "abi",
    "blueprint_initcode",
    "cache_dir",
    "compiled",
    "initcode",
    "names",
]

_OUTPUTS = ["abi", "bytecode", "blueprint_bytecode"]


@dataclass(frozen=True)
class CompiledContract:
    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes  # initcode (no constructor args)
    blueprint: bytes  # EIP-5202 blueprint initcode: deploys 0xFE7100 ++ initcode


def _sources():
    return resources.files(__package__).joinpath("sources")


def names() -> list[str]:
    """Names of the available contracts, e.g. ``["Bridge", "ERC20", ...]``."""
    return sorted(p.name[:-3] for p in _sources().iterdir() if p.name.endswith(".vy"))


def cache_dir() -> Path:
    env = os.environ.get("STEWARD_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "steward" / "vyper"


def _compile(name: str, source: str) -> dict[str, Any]:
    import vyper

    out = vyper.compile_code(source, contract_path=f"{name}.vy", output_formats=_OUTPUTS)
    return {
        "abi": out["abi"],
        "bytecode": out["bytecode"],
        "blueprint_bytecode": out["blueprint_bytecode"],
    }


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@functools.lru_cache(maxsize=None)
def compiled(name: str) -> CompiledContract:
    """Compile (or load from cache) ``sources/<name>.vy``."""
    if name not in names():
        raise UnknownNameError("contract", name, names())
    import vyper

    source = _sources().joinpath(f"{name}.vy").read_text(encoding="utf-8")
    key = hashlib.sha256((source + "\0" + vyper.__version__).encode()).hexdigest()
    path = cache_dir() / f"{name}-{key}.json"
    data = None
    if path.is_file():
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = None  # corrupt cache entry: recompile and overwrite
    if data is None:
        data = _compile(name, source)
        try:
            _write_atomic(path, data)
        except OSError:
            pass  # a read-only cache is not fatal
    return CompiledContract(
        name=name,
        abi=data["abi"],
        bytecode=bytes.fromhex(data["bytecode"].removeprefix("0x")),
        blueprint=bytes.fromhex(data["blueprint_bytecode"].removeprefix("0x")),
    )


def abi(name: str) -> list[dict[str, Any]]:
    return compiled(name).abi


def blueprint_initcode(name: str) -> bytes:
    """Initcode that deploys ``name`` as an EIP-5202 blueprint (for create_from_blueprint)."""
    return compiled(name).blueprint


def initcode(name: str, *constructor_args: Any) -> bytes:
    """Creation bytecode of ``name`` followed by its ABI-encoded constructor arguments."""
    from eth_abi import encode

    c = compiled(name)
    ctor = next((e for e in c.abi if e.get("type") == "constructor"), None)
    types = [i["type"] for i in ctor["inputs"]] if ctor else []
    if len(constructor_args) != len(types):
        raise StewardError(
            f"{name} constructor takes {len(types)} argument(s) ({', '.join(types) or 'none'}), "
            f"got {len(constructor_args)}"
        )
    return c.bytecode + (encode(types, list(constructor_args)) if types else b"")
