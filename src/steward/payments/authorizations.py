"""What the chain says about an EIP-3009 authorization: the token's own state and events are the
record of truth, whatever a merchant or a facilitator answered."""

from __future__ import annotations

from web3 import Web3

from steward.chains.history import first_block

AUTHORIZATION_USED = "0x" + Web3.keccak(text="AuthorizationUsed(address,bytes32)").hex(
    ).removeprefix("0x")
_STATE_ABI = [{"name": "authorizationState", "type": "function", "stateMutability": "view",
               "inputs": [{"name": "authorizer", "type": "address"},
                          {"name": "nonce", "type": "bytes32"}],
               "outputs": [{"name": "", "type": "bool"}]}]


def first_block_at(w3: Web3, timestamp: int) -> int:
    """The first block stamped at or after `timestamp` (the latest block if none): a binary
    search over block timestamps, which never decrease."""
    return first_block(w3.eth.block_number,
                       lambda number: w3.eth.get_block(number)["timestamp"] >= timestamp)


def used_logs(w3: Web3, token: str, authorizer: str, nonce: str, from_block: int = 0) -> list:
    """The token's AuthorizationUsed events for (authorizer, nonce): at most one on a correct
    token. `authorizationState` answers the common case (never used) in one call; the logs are
    scanned only when it says used or canceled (or cannot say), from `from_block` on (no
    authorization can be used before it was signed)."""
    token = Web3.to_checksum_address(token)
    try:
        spent = w3.eth.contract(address=token, abi=_STATE_ABI).functions.authorizationState(
            Web3.to_checksum_address(authorizer), bytes.fromhex(nonce.removeprefix("0x"))).call()
        if not spent:
            return []
    except Exception:
        pass  # not an EIP-3009 token, or a malformed nonce: the logs decide
    topic = "0x" + bytes(12).hex() + authorizer.lower().removeprefix("0x")
    return w3.eth.get_logs({"address": token, "fromBlock": from_block, "toBlock": "latest",
                            "topics": [AUTHORIZATION_USED, topic, nonce.lower()]})


__all__ = ["AUTHORIZATION_USED", "first_block_at", "used_logs"]
