"""Adapters for on-chain protocols: ERC-20, Uniswap-V2-style AMMs, the bridge, pool prices."""

from __future__ import annotations

from functools import lru_cache

from web3 import Web3
from web3.contract import Contract

from steward.contracts import abi


@lru_cache(maxsize=1024)
def contract_at(w3: Web3, address: str, abi_name: str) -> Contract:
    """A web3 contract object for `address` with Steward's ABI `abi_name`, built once: building
    one from its ABI costs more than the call it is used for."""
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi(abi_name))


def contract_answered(exc: BaseException) -> bool:
    """Whether an exception from a contract read is the contract's own answer — it reverted, or
    returned nothing or something that does not decode as asked — rather than the node failing
    to answer (connection, timeout, rate limit, an RPC error), which establishes nothing and
    must never be read as "no" (not a token, no pool, no route)."""
    from eth_abi.exceptions import DecodingError
    from eth_tester.exceptions import TransactionFailed
    from web3.exceptions import BadFunctionCallOutput, ContractLogicError

    return isinstance(exc, (ContractLogicError, BadFunctionCallOutput, DecodingError,
                            TransactionFailed))
