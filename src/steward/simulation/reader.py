"""The balance reader: a tiny Vyper contract that returns the native balances of many accounts
in one call. It is never deployed: a simulation places its runtime code at `READER_ADDRESS`
(eth_simulateV1's stateOverrides, or py-evm's state on embedded chains) and reads native
balances before and after the plan in the same request as the plan itself.

Compiled from the source below with the Vyper compiler (never hand-written bytecode), for the
London EVM so that it runs on chains without PUSH0 (pre-Shanghai) too, and cached
like Steward's other contracts: by sha256(source + compiler version) in `steward.contracts`'
cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address

SOURCE = '''# pragma version ~=0.4.3
# pragma evm-version london
"""
@title Balance reader (simulation only)
@notice Native balances of many accounts in one call. Steward never deploys it: simulations
        place its runtime code at a fixed address for the length of one request.
"""

MAX_ACCOUNTS: constant(uint256) = 1024


@external
@view
def balances(accounts: DynArray[address, MAX_ACCOUNTS]) -> DynArray[uint256, MAX_ACCOUNTS]:
    found: DynArray[uint256, MAX_ACCOUNTS] = []
    for account: address in accounts:
        found.append(account.balance)
    return found
'''
MAX_ACCOUNTS = 1024
# An address nobody holds a key or code for: keccak of a name, as EIP-1967 slots are chosen.
READER_ADDRESS = to_checksum_address(keccak(b"steward.simulation.balance-reader")[-20:])
_SELECTOR = function_signature_to_4byte_selector("balances(address[])")


@lru_cache(maxsize=1)
def runtime_code() -> bytes:
    import vyper

    from steward.contracts import cache_dir

    key = hashlib.sha256((SOURCE + "\0" + vyper.__version__).encode()).hexdigest()
    path = cache_dir() / f"simulation-BalanceReader-{key}.json"
    try:
        return bytes.fromhex(json.loads(path.read_text())["bytecode_runtime"].removeprefix("0x"))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    out = vyper.compile_code(SOURCE, contract_path="BalanceReader.vy",
                             output_formats=["bytecode_runtime"])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump({"bytecode_runtime": out["bytecode_runtime"]}, handle)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only cache is not fatal
    return bytes.fromhex(out["bytecode_runtime"].removeprefix("0x"))


def balances_call(accounts: list[str]) -> str:
    return "0x" + (_SELECTOR + abi_encode(["address[]"], [accounts])).hex()


def decode_balances(output: bytes, count: int) -> list[int] | None:
    """The balances in the reader's answer; None when it is not `count` of them."""
    try:
        values = abi_decode(["uint256[]"], output)[0]
    except Exception:
        return None
    return list(values) if len(values) == count else None


__all__ = ["MAX_ACCOUNTS", "READER_ADDRESS", "SOURCE", "balances_call", "decode_balances",
           "runtime_code"]
