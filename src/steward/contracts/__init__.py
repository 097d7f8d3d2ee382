"""Steward's Vyper contracts, compiled on demand.

Sources live in ``sources/<Name>.vy``. Compiling is slow, so outputs are cached
as JSON keyed by sha256(source text + vyper version) in ``$STEWARD_CACHE`` (or
``~/.cache/steward/vyper/``) and memoized in-process.

The scam zoo (``sources/zoo/``) is named ``zoo/<Name>``; its sources are Vyper (``.vy``) or
Solidity (``.sol``). Chainlink contracts (``chainlink/<Name>``, e.g. the sandbox's reference price
feeds, ``chainlink/MockV3Aggregator``) compile from the npm package ``@chainlink/contracts`` that
``make setup-tools`` unpacks into ``.tools/`` (``$STEWARD_CHAINLINK`` may point at another copy):
its own sources and their imports, never copied bytecode. The sandbox DAO (``dao/<Name>``: the
Governor, its ERC20Votes token, the grants vault; ``sources/dao/*.sol``) imports
``@openzeppelin/contracts/...`` from that package as ``make setup-tools`` unpacks it
(``$STEWARD_OPENZEPPELIN`` may point at another copy); all of it compiles in one solc run, cached
under a key of every source text involved. Solidity compiles with solcjs, the npm package ``solc`` that
``make setup-anvil`` installs into ``.tools/`` (``$STEWARD_SOLCJS`` may point at another
``solc.js``), through its standard-JSON interface; the contract compiled is the one named like
the file. Its outputs are cached like Vyper's, keyed by the solc version.

Nothing here signs or sends transactions: callers deploy by sending
``initcode(...)`` / ``blueprint_initcode(...)`` as a contract-creation tx.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import posixpath
import re
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
    "chainlink_names",
    "compiled",
    "dao_names",
    "initcode",
    "names",
    "zoo_names",
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


def zoo_names() -> list[str]:
    """Names of the scam-zoo contracts, e.g. ``["zoo/Honeypot", ...]`` (Vyper and Solidity)."""
    zoo = _sources().joinpath("zoo")
    if not zoo.is_dir():
        return []
    return sorted(f"zoo/{p.name.rsplit('.', 1)[0]}" for p in zoo.iterdir()
                  if p.name.endswith((".vy", ".sol")))


def _source_file(name: str):
    """(path, language) of a contract name, or None."""
    if name in names():
        return _sources().joinpath(f"{name}.vy"), "vyper"
    if name.startswith("zoo/") and name in zoo_names():
        zoo = _sources().joinpath("zoo")
        base = name.removeprefix("zoo/")
        vy = zoo.joinpath(f"{base}.vy")
        if vy.is_file():
            return vy, "vyper"
        return zoo.joinpath(f"{base}.sol"), "solidity"
    return None


SOLCJS_ENV = "STEWARD_SOLCJS"
SOLC_VERSION = "0.8.26"  # the npm package solc that `make setup-anvil` installs
SOLC_NOT_FOUND = (f"solc not found: run `make setup-anvil` (installs the npm package solc@{SOLC_VERSION} "
                  "into .tools/), or set STEWARD_SOLCJS to its solc.js")
_REPO_ROOT = Path(__file__).resolve().parents[3]


def find_solcjs() -> Path:
    """solcjs's ``solc.js``: `STEWARD_SOLCJS`, else ``.tools/`` (in the cwd, then the repo)."""
    override = os.environ.get(SOLCJS_ENV)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise StewardError(f"{SOLCJS_ENV} is {override}, which is not a file")
        return path
    for root in dict.fromkeys(r.resolve() for r in (Path.cwd() / ".tools", _REPO_ROOT / ".tools")):
        candidate = root / "node_modules" / "solc" / "solc.js"
        if candidate.is_file():
            return candidate
    raise StewardError(SOLC_NOT_FOUND)


def _solc_version(solcjs: Path) -> str:
    try:
        return json.loads((solcjs.parent / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def _node() -> str:
    import shutil

    node = shutil.which("node")
    if not node:
        raise StewardError("node not found: solcjs (the Solidity compiler) needs Node.js")
    return node


def _sol_sources() -> dict[str, str]:
    """zoo name -> source text of every Solidity zoo contract."""
    zoo = _sources().joinpath("zoo")
    return {f"zoo/{p.name[:-4]}": p.read_text(encoding="utf-8") for p in zoo.iterdir()
            if p.name.endswith(".sol")}


def _compile_solidity(sources: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Compile Solidity sources (name -> text) in one solcjs run (its start-up is the slow part)."""
    files = {name: name.rsplit("/", 1)[-1] for name in sources}
    return _run_solc({f"{base}.sol": sources[name] for name, base in files.items()},
                     {name: (f"{base}.sol", base) for name, base in files.items()})


def _run_solc(sources: dict[str, str], wanted: dict[str, tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Compile `sources` (path -> text, imports resolved among them); `wanted` maps each output
    name to its (source path, contract name)."""
    import subprocess

    solcjs = find_solcjs()
    found = _solc_version(solcjs)
    if found != SOLC_VERSION:
        raise StewardError(f"{solcjs} is solc {found}; Steward's Solidity needs solc "
                           f"{SOLC_VERSION} (run `make setup-anvil`)")
    request = {
        "language": "Solidity",
        "sources": {path: {"content": text} for path, text in sources.items()},
        "settings": {
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    label = ", ".join(sorted(wanted))
    try:
        # Request and answer go through files, not pipes: solc.js reads stdin with readFileSync,
        # which fails with EAGAIN on a pipe not yet filled, and exits right after writing its
        # answer, which cuts a long one (the DAO's) short on a pipe; file writes are synchronous.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as request_file, \
                tempfile.TemporaryFile("w+", encoding="utf-8") as answer_file:
            json.dump(request, request_file)
            request_file.seek(0)
            done = subprocess.run([_node(), str(solcjs), "--standard-json"], stdin=request_file,
                                  stdout=answer_file, stderr=subprocess.PIPE, text=True,
                                  timeout=300)
            answer_file.seek(0)
            done.stdout = answer_file.read()
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StewardError(f"solc failed on {label}: {exc}") from None
    try:
        # solcjs may print warnings before the JSON document
        out = json.loads(done.stdout[done.stdout.index("{"):])
    except ValueError:
        raise StewardError(f"solc failed on {label}: {(done.stderr or done.stdout)[-2000:]}") from None
    errors = [e for e in out.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise StewardError(f"solc failed on {label}: "
                           + "; ".join(e.get("formattedMessage", e.get("message", "")) for e in errors))
    results = {}
    for name, (path, base) in wanted.items():
        try:
            contract = out["contracts"][path][base]
        except KeyError:
            raise StewardError(f"{path} defines no contract named {base}") from None
        code = bytes.fromhex(contract["evm"]["bytecode"]["object"])
        body = b"\xfe\x71\x00" + code  # EIP-5202 preamble, as Vyper writes it
        blueprint = b"\x61" + len(body).to_bytes(2, "big") + bytes.fromhex("3d81600a3d39f3") + body
        results[name] = {"abi": contract["abi"], "bytecode": "0x" + code.hex(),
                         "blueprint_bytecode": "0x" + blueprint.hex()}
    return results


CHAINLINK_ENV = "STEWARD_CHAINLINK"
CHAINLINK_VERSION = "1.5.0"  # the npm package @chainlink/contracts that `make setup-tools` unpacks
CHAINLINK_NOT_FOUND = (f"@chainlink/contracts not found: run `make setup-tools` (unpacks "
                       f"@chainlink/contracts@{CHAINLINK_VERSION} into .tools/), or set "
                       f"{CHAINLINK_ENV} to the package's directory")
# Contract name -> its source file inside the package.
CHAINLINK = {"chainlink/MockV3Aggregator": "src/v0.8/shared/mocks/MockV3Aggregator.sol"}
_IMPORT = re.compile(r"""^\s*import\s+(?:[^'"]*\sfrom\s+)?["']([^"']+)["']""", re.MULTILINE)


def chainlink_names() -> list[str]:
    return sorted(CHAINLINK)


def _find_package(env: str, parts: tuple[str, ...], not_found: str) -> Path:
    """An unpacked npm package: the directory `env` names, else ``.tools/node_modules/<parts>``
    (in the cwd, then the repo)."""
    override = os.environ.get(env)
    if override:
        path = Path(override).expanduser()
        if not (path / "package.json").is_file():
            raise StewardError(f"{env} is {override}, which holds no package.json")
        return path
    for root in dict.fromkeys(r.resolve() for r in (Path.cwd() / ".tools", _REPO_ROOT / ".tools")):
        candidate = root.joinpath("node_modules", *parts)
        if (candidate / "package.json").is_file():
            return candidate
    raise StewardError(not_found)


def find_chainlink() -> Path:
    """The @chainlink/contracts package: `STEWARD_CHAINLINK`, else ``.tools/`` (cwd, then repo)."""
    return _find_package(CHAINLINK_ENV, ("@chainlink", "contracts"), CHAINLINK_NOT_FOUND)


def _read_unit(root: Path, relative: str, package: str) -> str:
    try:
        return (root / relative).read_text(encoding="utf-8")
    except OSError:
        raise StewardError(f"{root} lacks {relative}; reinstall {package} with "
                           "`make setup-tools`") from None


def _import_closure(start: dict[str, str], read, external: str | None, where: str) -> dict[str, str]:
    """`start` (source unit name -> text) and every unit it imports, transitively. Relative
    imports resolve against the importing unit (as solc resolves them); an absolute one must
    begin with `external` (e.g. ``@openzeppelin/contracts/``); `read(unit)` loads the others."""
    found = dict(start)
    todo = list(start)
    while todo:
        path = todo.pop()
        if path not in found:
            found[path] = read(path)
        for target in _IMPORT.findall(found[path]):
            if target.startswith("."):
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            elif external and target.startswith(external) and ".." not in target.split("/"):
                resolved = target
            else:
                raise StewardError(f"{path} imports {target}, outside {where}")
            if resolved not in found and resolved not in todo:
                todo.append(resolved)
    return found


def _chainlink_sources(entry: str) -> dict[str, str]:
    """`entry` and every file it imports (relative imports inside the package), path -> text."""
    package = find_chainlink()
    return _import_closure({entry: _read_unit(package, entry, "@chainlink/contracts")},
                           lambda path: _read_unit(package, path, "@chainlink/contracts"),
                           None, "@chainlink/contracts")


def _compiled_chainlink(name: str) -> dict[str, Any]:
    entry = CHAINLINK[name]
    sources = _chainlink_sources(entry)
    key_text = "\0".join(f"{path}\0{sources[path]}" for path in sorted(sources))
    path = _cache_path(name, key_text, "solc-" + SOLC_VERSION)
    data = _read_cache(path)
    if data is None:
        base = posixpath.basename(entry).removesuffix(".sol")
        data = _run_solc(sources, {name: (entry, base)})[name]
        try:
            _write_atomic(path, data)
        except OSError:
            pass  # a read-only cache is not fatal
    return data


OPENZEPPELIN_ENV = "STEWARD_OPENZEPPELIN"
OPENZEPPELIN_VERSION = "5.4.0"  # the npm package @openzeppelin/contracts that `make setup-tools` unpacks
OPENZEPPELIN_NOT_FOUND = (f"@openzeppelin/contracts not found: run `make setup-tools` (unpacks "
                          f"@openzeppelin/contracts@{OPENZEPPELIN_VERSION} into .tools/), or set "
                          f"{OPENZEPPELIN_ENV} to the package's directory")
_OZ_PREFIX = "@openzeppelin/contracts/"


def find_openzeppelin() -> Path:
    """The @openzeppelin/contracts package: `STEWARD_OPENZEPPELIN`, else ``.tools/``."""
    return _find_package(OPENZEPPELIN_ENV, ("@openzeppelin", "contracts"), OPENZEPPELIN_NOT_FOUND)


def dao_names() -> list[str]:
    """Names of the sandbox DAO's contracts, e.g. ``["dao/StewardGovernor", ...]``."""
    dao = _sources().joinpath("dao")
    if not dao.is_dir():
        return []
    return sorted(f"dao/{p.name[:-4]}" for p in dao.iterdir() if p.name.endswith(".sol"))


def _dao_sources() -> dict[str, str]:
    """Every unit the DAO's sources need: ``dao/<Name>.sol`` and the OpenZeppelin files they
    import (``@openzeppelin/contracts/...``, read from the package, never copied)."""
    dao = _sources().joinpath("dao")
    start = {f"dao/{p.name}": p.read_text(encoding="utf-8") for p in dao.iterdir()
             if p.name.endswith(".sol")}
    package = None

    def read(unit: str) -> str:
        nonlocal package
        if not unit.startswith(_OZ_PREFIX):
            raise StewardError(f"no Solidity source {unit} (the DAO imports only its own files "
                               f"and {_OZ_PREFIX}...)")
        package = package or find_openzeppelin()
        return _read_unit(package, unit.removeprefix(_OZ_PREFIX), "@openzeppelin/contracts")

    return _import_closure(start, read, _OZ_PREFIX, f"sources/dao and {_OZ_PREFIX}")


def _defining_unit(sources: dict[str, str], own: str, contract: str) -> str:
    """The unit that defines `contract`: its own file, else one it imports (a one-line file
    such as ``dao/TimelockController.sol`` names an OpenZeppelin contract)."""
    pattern = re.compile(rf"^\s*(?:abstract\s+)?contract\s+{re.escape(contract)}\b", re.MULTILINE)
    for unit in [own] + sorted(sources):
        if pattern.search(sources[unit]):
            return unit
    raise StewardError(f"{own} defines no contract named {contract}, nor does anything it imports")


def _compiled_dao(name: str) -> dict[str, Any]:
    """All DAO contracts compile in one solc run (its start-up is the slow part); each is cached
    under a key of every source text involved and the solc version."""
    sources = _dao_sources()
    key_text = "\0".join(f"{path}\0{sources[path]}" for path in sorted(sources))
    version = "solc-" + SOLC_VERSION
    data = _read_cache(_cache_path(name, key_text, version))
    if data is not None:
        return data
    wanted = {}
    for other in dao_names():
        own = f"{other}.sol"
        base = other.removeprefix("dao/")
        wanted[other] = (_defining_unit(sources, own, base), base)
    outputs = _run_solc(sources, wanted)
    for other, other_data in outputs.items():
        try:
            _write_atomic(_cache_path(other, key_text, version), other_data)
        except OSError:
            pass  # a read-only cache is not fatal
    return outputs[name]


def _read_cache(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # corrupt cache entry: recompile and overwrite


def _cache_path(name: str, source: str, version: str) -> Path:
    key = hashlib.sha256((source + "\0" + version).encode()).hexdigest()
    return cache_dir() / f"{name.replace('/', '-')}-{key}.json"


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
    """Compile (or load from cache) ``sources/<name>.vy`` (or ``sources/zoo/<Name>.vy|.sol``,
    a ``chainlink/<Name>`` or a ``dao/<Name>``)."""
    if name in CHAINLINK:
        return _contract(name, _compiled_chainlink(name))
    if name.startswith("dao/") and name in dao_names():
        return _contract(name, _compiled_dao(name))
    found = _source_file(name)
    if found is None:
        raise UnknownNameError("contract", name,
                               names() + zoo_names() + chainlink_names() + dao_names())
    source_path, language = found
    source = source_path.read_text(encoding="utf-8")
    if language == "vyper":
        import vyper

        version = vyper.__version__
    else:
        version = "solc-" + SOLC_VERSION  # cached outputs load even where solc is missing
    path = _cache_path(name, source, version)
    data = _read_cache(path)
    if data is None:
        if language == "vyper":
            outputs = {path: _compile(name, source)}
        else:  # compile every Solidity source at once and cache them all
            everything = _sol_sources()
            outputs = {_cache_path(other, text, version): compiled_data for other, text, compiled_data
                       in ((n, everything[n], d) for n, d in _compile_solidity(everything).items())}
        data = outputs[path]
        for out_path, out_data in outputs.items():
            try:
                _write_atomic(out_path, out_data)
            except OSError:
                pass  # a read-only cache is not fatal
    return _contract(name, data)


def _contract(name: str, data: dict[str, Any]) -> CompiledContract:
    """A compiled contract from its cached JSON form."""
    return CompiledContract(
        name=name,
        abi=data["abi"],
        bytecode=bytes.fromhex(data["bytecode"].removeprefix("0x")),
        blueprint=bytes.fromhex(data["blueprint_bytecode"].removeprefix("0x")),
    )


def abi(name: str) -> list[dict[str, Any]]:
    if name.startswith("uniswap/"):  # Uniswap's published artifacts (steward.contracts.uniswap)
        from steward.contracts import uniswap

        return uniswap.abi(name)
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
