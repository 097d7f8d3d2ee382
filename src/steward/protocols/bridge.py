"""The lock-and-mint bridge: user-side calls, transfer ids, and the relayer.

Lock on the source chain emits `Locked`; the relayer mints the wrapped token on the destination.
Burning the wrapped token emits `Burned`; the relayer releases the original. The destination
contract marks each (source chain, nonce) as processed, so a replayed event never mints twice;
the relayer also skips ids already processed so it never pays gas for a certain revert.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from eth_abi import encode as abi_encode
from eth_utils import keccak
from typing import Literal

from pydantic import BaseModel
from web3 import Web3
from web3.logs import DISCARD

from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.home import home_path
from steward.plans import Call
from steward.protocols import contract_at
from steward.protocols.amm import ZERO

ARRIVAL_TIMEOUT_SECONDS = 120
LOG_CHUNK_BLOCKS = 5_000


class BridgeTransfer(BaseModel):
    """One crossing, identified by the source chain and the source bridge's nonce."""

    kind: str  # "lock" (→ mint) or "burn" (→ release)
    src_chain_id: int
    dest_chain_id: int
    nonce: int
    token: str
    remote_token: str
    sender: str
    recipient: str
    amount: int

    @property
    def transfer_id(self) -> bytes:
        return transfer_id(self.src_chain_id, self.nonce)


class CrossTransfer(BaseModel):
    """One crossing between the families. A lock: EVM sender → Solana recipient (base58); a
    burn: Solana owner (base58) → EVM recipient. `transfer_id` is the lock's id or the burn id."""

    kind: Literal["lock", "burn"]
    src_chain_id: int
    dest_chain_id: int
    transfer_id: str  # 0x + 64 hex
    token: str  # the EVM token
    mint: str  # the SPL mint
    sender: str
    recipient: str
    amount: int
    nonce: int | None = None  # a lock's bridge nonce
    signature: str | None = None  # a burn's Solana transaction
    delivery: str | None = None  # what the relayer sent (a Solana signature or an EVM tx hash)


def transfer_id(src_chain_id: int, nonce: int) -> bytes:
    return keccak(abi_encode(["uint256", "uint256"], [src_chain_id, nonce]))


def bridge_contract(w3: Web3, chain: ChainConfig):
    return contract_at(w3, chain.contract("bridge"), "Bridge")


# A registered token pair never changes, so the bridge's answer is kept once it is known.
_routes: dict[tuple[int, str, str, int], tuple[str, bool]] = {}


def forget_routes() -> None:
    _routes.clear()


def bridge_route(w3: Web3, src: ChainConfig, token: str, dest_chain_id: int) -> tuple[str, bool] | None:
    """(the token on the destination, whether `token` is the bridge's wrapped one), or None."""
    bridge = bridge_contract(w3, src)
    key = (src.chain_id, bridge.address.lower(), token.lower(), dest_chain_id)
    if key not in _routes:
        remote = bridge.functions.remote_token(token, dest_chain_id).call()
        if remote == ZERO:
            return None
        _routes[key] = (remote, bridge.functions.is_wrapped(token).call())
    return _routes[key]


def outbound_call(w3: Web3, src: ChainConfig, dest: ChainConfig, token: str, amount: int,
                  recipient: str, description: str) -> Call:
    """`lock` for a token native to `src`, `burn` for one the bridge minted there."""
    route = bridge_route(w3, src, token, dest.chain_id)
    if route is None:
        symbol = src.token_symbol(token) or token
        raise StewardError(f"{symbol} cannot be bridged from {src.name} to {dest.name}; "
                           f"bridgeable: {', '.join(bridgeable_symbols(w3, src, dest)) or 'none'}")
    bridge = bridge_contract(w3, src)
    method = "burn" if route[1] else "lock"
    data = bridge.encode_abi(method, args=[token, amount, recipient, dest.chain_id])
    return Call(to=bridge.address, data=data, description=description, gas_hint=150_000)


def bridgeable_symbols(w3: Web3, src: ChainConfig, dest: ChainConfig) -> list[str]:
    return [symbol for symbol, address in src.tokens.items()
            if bridge_route(w3, src, address, dest.chain_id) is not None]


def transfers_in_receipt(w3: Web3, chain: ChainConfig, receipt) -> list[BridgeTransfer]:
    bridge = bridge_contract(w3, chain)
    # web3 matches events by topic only: a look-alike Locked/Burned from any other contract in
    # the same transaction must not count, so only the bridge's own logs are read.
    own = {**dict(receipt), "logs": [log for log in receipt["logs"]
                                     if log["address"].lower() == bridge.address.lower()]}
    found = []
    for kind, event in (("lock", bridge.events.Locked), ("burn", bridge.events.Burned)):
        for log in event().process_receipt(own, errors=DISCARD):
            found.append(_from_event(kind, chain.chain_id, log["args"]))
    return found


def _from_event(kind: str, src_chain_id: int, args) -> BridgeTransfer:
    return BridgeTransfer(
        kind=kind, src_chain_id=src_chain_id, dest_chain_id=args["dest_chain_id"],
        nonce=args["nonce"], token=args["token"], remote_token=args["remote_token"],
        sender=args["sender"], recipient=args["recipient"], amount=args["amount"],
    )


def is_delivered(w3_dest: Web3, dest: ChainConfig, transfer: BridgeTransfer) -> bool:
    return bridge_contract(w3_dest, dest).functions.processed(transfer.transfer_id).call()


def wait_for_delivery(w3_dest: Web3, dest: ChainConfig, transfer: BridgeTransfer,
                      relay: Callable[[], object] | None = None,
                      timeout: float = ARRIVAL_TIMEOUT_SECONDS) -> None:
    """Poll the destination until the relayer delivered; `relay` runs an in-process relayer pass."""
    deadline = time.monotonic() + timeout
    while True:
        if relay is not None:
            relay()
        if is_delivered(w3_dest, dest, transfer):
            return
        if time.monotonic() > deadline:
            raise StewardError(
                f"the bridge transfer #{transfer.nonce} left chain {transfer.src_chain_id} but was "
                f"not delivered on {dest.name} within {timeout:.0f} s; the funds are held by the "
                "bridge and will arrive when a relayer runs (`steward relayer`)"
            )
        time.sleep(1.0)


class Relayer:
    """Delivers bridge transfers between configured chains.

    `send(chain, call)` signs and sends one call on a chain through Steward's execution path;
    the relayer itself never holds a key.
    """

    def __init__(self, chains: list[ChainConfig], connect: Callable[[ChainConfig], Web3],
                 send: Callable[[ChainConfig, Call], object]):
        self.chains = [chain for chain in chains if "bridge" in chain.contracts]
        self.by_id = {chain.chain_id: chain for chain in self.chains}
        self.connect, self.send = connect, send
        self.cursor_path = home_path("relayer-cursors.json")

    def _cursors(self) -> dict[str, int]:
        return json.loads(self.cursor_path.read_text()) if self.cursor_path.exists() else {}

    def pending(self) -> tuple[list[BridgeTransfer], dict[str, int]]:
        """Transfers emitted and not yet processed on their destination, and the block cursors
        to store once they are delivered."""
        cursors = self._cursors()
        waiting = []
        for chain in self.chains:
            w3 = self.connect(chain)
            bridge = bridge_contract(w3, chain)
            key = f"{chain.chain_id}:{bridge.address}"
            start, latest = cursors.get(key, 0), w3.eth.block_number
            for from_block in range(start, latest + 1, LOG_CHUNK_BLOCKS):
                to_block = min(latest, from_block + LOG_CHUNK_BLOCKS - 1)
                for kind, event in (("lock", bridge.events.Locked), ("burn", bridge.events.Burned)):
                    for log in event().get_logs(from_block=from_block, to_block=to_block):
                        transfer = _from_event(kind, chain.chain_id, log["args"])
                        dest = self.by_id.get(transfer.dest_chain_id)
                        if dest and not is_delivered(self.connect(dest), dest, transfer):
                            waiting.append(transfer)
            cursors[key] = latest + 1
        return waiting, cursors

    def run_once(self) -> list[BridgeTransfer]:
        delivered = []
        waiting, cursors = self.pending()
        for transfer in waiting:
            dest = self.by_id[transfer.dest_chain_id]
            w3 = self.connect(dest)
            bridge = bridge_contract(w3, dest)
            method = "mint" if transfer.kind == "lock" else "release"
            data = bridge.encode_abi(method, args=[transfer.src_chain_id, transfer.nonce,
                                                   transfer.remote_token, transfer.recipient,
                                                   transfer.amount])
            self.send(dest, Call(to=bridge.address, data=data, gas_hint=150_000,
                                 description=f"relay bridge transfer #{transfer.nonce} from chain "
                                             f"{transfer.src_chain_id}: {method}"))
            delivered.append(transfer)
        # Only move past blocks once everything in them was delivered.
        self.cursor_path.write_text(json.dumps(cursors))
        return delivered

    def run_forever(self, interval: float = 2.0, on_delivery: Callable | None = None) -> None:
        while True:
            for transfer in self.run_once():
                if on_delivery:
                    on_delivery(transfer)
            time.sleep(interval)
