"""Uniswap's audited contracts from Uniswap's own npm packages: ABIs and creation code.

Nothing here is compiled or copied by hand. Creation code comes from the packages' published
artifacts, which `make setup-tools` unpacks into ``.tools/node_modules/@uniswap/`` (the V3
periphery's pool-address computation hashes the pool's creation code, so only the published
artifacts give pools at the addresses the routers expect; `init_code_hash` checks it). The ABIs
are vendored into ``contracts/abis/`` by ``scripts/vendor_uniswap_abis.py`` from the same
package versions, so a Steward installed without node tools can still talk to real Uniswap
deployments; a test compares them with the packages.
"""

from __future__ import annotations

import functools
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from eth_utils import keccak

from steward.errors import StewardError

# npm package → the exact version `make setup-tools` unpacks.
PACKAGES = {
    "@uniswap/v2-core": "1.0.1",
    "@uniswap/v2-periphery": "1.1.0-beta.0",
    "@uniswap/v3-core": "1.0.1",
    "@uniswap/v3-periphery": "1.4.4",
    "@uniswap/swap-router-contracts": "1.3.1",
}
# Steward's name for an artifact → (package, path of the artifact JSON inside it).
ARTIFACTS = {
    "uniswap/WETH9": ("@uniswap/v2-periphery", "build/WETH9.json"),
    "uniswap/UniswapV2Factory": ("@uniswap/v2-core", "build/UniswapV2Factory.json"),
    "uniswap/UniswapV2Pair": ("@uniswap/v2-core", "build/UniswapV2Pair.json"),
    "uniswap/UniswapV2Router02": ("@uniswap/v2-periphery", "build/UniswapV2Router02.json"),
    "uniswap/UniswapV3Factory": (
        "@uniswap/v3-core", "artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json"),
    "uniswap/UniswapV3Pool": (
        "@uniswap/v3-core", "artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json"),
    "uniswap/SwapRouter": (
        "@uniswap/v3-periphery", "artifacts/contracts/SwapRouter.sol/SwapRouter.json"),
    "uniswap/QuoterV2": (
        "@uniswap/v3-periphery", "artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json"),
    "uniswap/NonfungiblePositionManager": (
        "@uniswap/v3-periphery",
        "artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json"),
    "uniswap/SwapRouter02": (
        "@uniswap/swap-router-contracts", "artifacts/contracts/SwapRouter02.sol/SwapRouter02.json"),
}
# The creation-code hashes the periphery contracts have compiled in (PoolAddress /
# UniswapV2Library): a pool or pair deployed from other code would sit at other addresses.
V2_PAIR_INIT_CODE_HASH = "96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f"
V3_POOL_INIT_CODE_HASH = "e34f199b19b2b4f47f68442619d555527d244f78a3297ea89325f843f87b8b54"
UNISWAP_ENV = "STEWARD_NODE_MODULES"
_REPO_ROOT = Path(__file__).resolve().parents[3]


def names() -> list[str]:
    return sorted(ARTIFACTS)


def _abi_file(name: str):
    return resources.files(__package__).joinpath("abis", name.replace("/", "-") + ".json")


@functools.lru_cache(maxsize=None)
def abi(name: str) -> list[dict[str, Any]]:
    """The vendored ABI of a Uniswap artifact (no node tools needed)."""
    if name not in ARTIFACTS:
        raise StewardError(f"unknown Uniswap artifact {name}; known: {', '.join(names())}")
    return json.loads(_abi_file(name).read_text(encoding="utf-8"))


def node_modules() -> Path:
    """Where the npm packages are: `STEWARD_NODE_MODULES`, else ``.tools/node_modules`` (cwd,
    then the repository)."""
    override = os.environ.get(UNISWAP_ENV)
    roots = [Path(override).expanduser()] if override else [
        r.resolve() / "node_modules" for r in (Path.cwd() / ".tools", _REPO_ROOT / ".tools")]
    for root in roots:
        if (root / "@uniswap" / "v3-core" / "package.json").is_file():
            return root
    raise StewardError("Uniswap's npm packages were not found: run `make setup-tools` (unpacks "
                       + ", ".join(f"{p}@{v}" for p, v in PACKAGES.items())
                       + " into .tools/), or set STEWARD_NODE_MODULES to a node_modules folder")


@functools.lru_cache(maxsize=None)
def artifact(name: str) -> dict[str, Any]:
    """The published artifact JSON (abi and creation bytecode) from the npm package."""
    if name not in ARTIFACTS:
        raise StewardError(f"unknown Uniswap artifact {name}; known: {', '.join(names())}")
    package, path = ARTIFACTS[name]
    root = node_modules() / package
    version = json.loads((root / "package.json").read_text())["version"]
    if version != PACKAGES[package]:
        raise StewardError(f"{package} is {version} in {root}, Steward needs {PACKAGES[package]}; "
                           "run `make setup-tools`")
    return json.loads((root / path).read_text(encoding="utf-8"))


def creation_code(name: str) -> bytes:
    data = artifact(name)
    code = data.get("bytecode")
    if isinstance(code, dict):  # older truffle/waffle layouts
        code = code.get("object")
    code = code or data["evm"]["bytecode"]["object"]
    return bytes.fromhex(code.removeprefix("0x"))


def initcode(name: str, *constructor_args: Any) -> bytes:
    """Creation code of a Uniswap artifact followed by its ABI-encoded constructor arguments."""
    from eth_abi import encode

    ctor = next((e for e in abi(name) if e.get("type") == "constructor"), None)
    types = [i["type"] for i in ctor["inputs"]] if ctor else []
    if len(constructor_args) != len(types):
        raise StewardError(f"{name} constructor takes {len(types)} argument(s), "
                           f"got {len(constructor_args)}")
    return creation_code(name) + (encode(types, list(constructor_args)) if types else b"")


def init_code_hash(name: str) -> str:
    return keccak(creation_code(name)).hex()


__all__ = ["ARTIFACTS", "PACKAGES", "V2_PAIR_INIT_CODE_HASH", "V3_POOL_INIT_CODE_HASH", "abi",
           "artifact", "creation_code", "init_code_hash", "initcode", "names", "node_modules"]
