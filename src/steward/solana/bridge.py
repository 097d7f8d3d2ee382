"""The bridge across families: a token locked on an EVM chain is minted as an SPL token on a
Solana cluster, and an SPL burn there is released back on the EVM chain.

EVM → Solana: `lock_to_solana` on the EVM bridge pulls the tokens and emits `LockedToSolana`
with the route's mint (the bridge's own registry, never the sender's word). The relayer, which
holds the mint's mint authority, sends ONE Solana transaction per transfer: a marker account
for the transfer, the recipient's associated account (created when missing) and `mint_to_checked`
of the event's amount. The marker makes the mint once-only ON CHAIN — see `mint_instructions`.

Solana → EVM: the owner burns from its own associated account with `burn_checked` and, in the
same transaction, an SPL Memo it signs: ``steward-bridge:v1:<dest chain id>:<EIP-55 address>``.
`decode_burn` accepts exactly that shape and nothing else; the relayer calls
`release_from_solana` on the EVM bridge, which releases each burn id once and never more than
was locked toward the route. The burn id is sha256 of the burn transaction's 64-byte signature
(a Solana transaction's signature is its unique id; hashing makes it the bytes32 the bridge
stores).

Ids: a lock's transfer id is keccak(abi(src chain id, bridge address, nonce)) — the bridge's
address is part of it because a Solana-bound transfer is never claimed on the EVM side, so the
id must not repeat when another bridge (same chain, same nonce) sends to the same cluster.
A home's EVM sandbox and its Solana sandbox must be reset together: a fresh EVM bridge repeats
its nonces (its Solana markers then say "delivered" — locked, never double-minted) and forgets
which burns it released.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from eth_abi import encode as abi_encode
from eth_utils import is_checksum_address, keccak, to_checksum_address
from pydantic import BaseModel
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import ID as SYSTEM_PROGRAM_ID
from solders.system_program import AllocateWithSeedParams, TransferParams, allocate_with_seed
from solders.system_program import transfer as system_transfer
from solders.transaction import Transaction
from spl.memo.constants import MEMO_PROGRAM_ID
from web3 import Web3
from web3.logs import DISCARD

from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.home import home_path, write_private
from steward.plans import Call
from steward.protocols.bridge import (
    ARRIVAL_TIMEOUT_SECONDS,
    LOG_CHUNK_BLOCKS,
    CrossTransfer,
    bridge_contract,
)
from steward.solana.chain import SolanaChain, TxRecord
from steward.solana.plans import call_from_instruction, instruction_from_call
from steward.solana.spl import (
    MintInfo,
    associated_address,
    burn_checked,
    create_associated_idempotent,
    mint_info,
    mint_to_checked,
    require_token_balance,
)

MEMO_PREFIX = "steward-bridge:v1"
MEMO_FORMAT = re.compile(r"^steward-bridge:v1:([1-9][0-9]{0,18}):(0x[0-9a-fA-F]{40})$")
COMPUTE_BUDGET_PROGRAM_ID = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
BURN_CHECKED_TAG = 15  # the SPL Token instruction index of BurnChecked
BURN_CHECKED_LEN = 10  # tag, u64 amount, u8 decimals
# Solana burn ids are claimed in the EVM bridge's `processed` under this domain (Bridge.vy's
# SOLANA_BURN_DOMAIN), so they never collide with an EVM (chain id, nonce) key.
SOLANA_BURN_DOMAIN = keccak(text="steward-bridge:solana-burn")
MARKER_SPACE = 1  # see mint_instructions
CURSOR_FILE = "solana-relayer-cursors.json"
SEEN_BURNS_KEPT = 2_000
ZERO_ADDRESS = "0x" + "00" * 20


class BurnRequest(BaseModel):
    """A burn `decode_burn` accepted: what the owner burned and where it asked it to go."""

    owner: str
    mint: str
    source_account: str
    amount: int
    dest_chain_id: int
    recipient: str  # EIP-55
    signature: str | None = None  # None for a plan not yet signed
    burn_id: str | None = None  # 0x + sha256(signature bytes)


# --------------------------------------------------------------------------- ids

def lock_transfer_id(src_chain_id: int, bridge: str, nonce: int) -> bytes:
    return keccak(abi_encode(["uint256", "address", "uint256"], [src_chain_id, bridge, nonce]))


def burn_id(signature: str) -> bytes:
    """The bytes32 a Solana burn is released under: sha256 of its 64 signature bytes."""
    return hashlib.sha256(bytes(Signature.from_string(signature))).digest()


def burn_key(src_chain_id: int, burn: bytes) -> bytes:
    """The key the EVM bridge marks in `processed` once it released `burn`."""
    return keccak(abi_encode(["bytes32", "uint256", "bytes32"],
                             [SOLANA_BURN_DOMAIN, src_chain_id, burn]))


def marker_address(relayer: Pubkey, transfer_id: str) -> Pubkey:
    return Pubkey.create_with_seed(relayer, _marker_seed(transfer_id), SYSTEM_PROGRAM_ID)


def _marker_seed(transfer_id: str) -> str:
    return transfer_id.removeprefix("0x")[:32]  # 128 bits; a seed is at most 32 bytes


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


# --------------------------------------------------------------------------- routes

def solana_mint(w3: Web3, evm: ChainConfig, token: str, solana_chain_id: int) -> Pubkey | None:
    """The mint the EVM bridge routes `token` to on `solana_chain_id`, or None."""
    raw = bridge_contract(w3, evm).functions.solana_mint(token, solana_chain_id).call()
    return None if raw == b"\x00" * 32 else Pubkey(raw)


def route_token(w3: Web3, evm: ChainConfig, solana: ChainConfig, mint: Pubkey) -> str | None:
    """The EVM token released for burns of `mint`: the registry symbol whose token the bridge
    routes to exactly this mint (the registry of both chains and the bridge must agree)."""
    for symbol, address in solana.tokens.items():
        if address == str(mint) and symbol in evm.tokens:
            if solana_mint(w3, evm, evm.tokens[symbol], solana.chain_id) == mint:
                return evm.tokens[symbol]
    return None


def lock_call(w3: Web3, src: ChainConfig, dest: ChainConfig, token: str, amount: int,
              recipient: Pubkey, description: str) -> Call:
    """`lock_to_solana` of `amount` of `token` for `recipient` on the Solana chain `dest`; the
    plan needs an exact `approve` of the bridge (`call.to`) before it."""
    if src.family != "evm" or dest.family != "solana":
        raise StewardError(f"{src.name} → {dest.name} is not an EVM → Solana crossing")
    if amount <= 0:
        raise StewardError("a bridge crossing needs a positive amount")
    symbol = src.token_symbol(token)
    mint = solana_mint(w3, src, token, dest.chain_id)
    if symbol is None or mint is None or dest.tokens.get(symbol) != str(mint):
        raise StewardError(f"{symbol or token} cannot be bridged from {src.name} to {dest.name}; "
                           f"bridgeable: {', '.join(bridgeable_symbols(w3, src, dest)) or 'none'}")
    bridge = bridge_contract(w3, src)
    data = bridge.encode_abi("lock_to_solana", args=[token, amount, bytes(recipient),
                                                     dest.chain_id])
    return Call(to=bridge.address, data=data, description=description, gas_hint=150_000)


def bridgeable_symbols(w3: Web3, src: ChainConfig, dest: ChainConfig) -> list[str]:
    return [symbol for symbol, token in src.tokens.items() if symbol in dest.tokens
            and str(solana_mint(w3, src, token, dest.chain_id)) == dest.tokens[symbol]]


def locks_in_receipt(w3: Web3, chain: ChainConfig, receipt) -> list[CrossTransfer]:
    """The bridge's own LockedToSolana events in `receipt`. web3 matches events by their topic
    only, so logs of any other contract (a look-alike bridge) are dropped first."""
    bridge = bridge_contract(w3, chain)
    own = [log for log in receipt["logs"] if log["address"] == bridge.address]
    return [_from_lock(chain.chain_id, bridge.address, log["args"])
            for log in bridge.events.LockedToSolana().process_receipt({**receipt, "logs": own},
                                                                      errors=DISCARD)]


def _from_lock(src_chain_id: int, bridge: str, args) -> CrossTransfer:
    return CrossTransfer(
        kind="lock", src_chain_id=src_chain_id, dest_chain_id=args["dest_chain_id"],
        transfer_id=_hex(lock_transfer_id(src_chain_id, bridge, args["nonce"])),
        token=args["token"], mint=str(Pubkey(args["mint"])), sender=args["sender"],
        recipient=str(Pubkey(args["recipient"])), amount=args["amount"], nonce=args["nonce"])


# --------------------------------------------------------------------------- burns

def burn_memo(dest_chain_id: int, recipient: str) -> str:
    return f"{MEMO_PREFIX}:{dest_chain_id}:{to_checksum_address(recipient)}"


def burn_calls(chain: SolanaChain, mint: MintInfo, owner: Pubkey, amount: int, dest: ChainConfig,
               recipient: str, description: str) -> list[Call]:
    """Burn `amount` of `mint` from `owner`'s associated account, and the memo (signed by the
    owner) that names where the EVM bridge releases it. Check the route with `route_token`."""
    if dest.family != "evm":
        raise StewardError(f"{dest.name} is not an EVM chain; Solana burns are released on one")
    if amount <= 0:
        raise StewardError("a bridge crossing needs a positive amount")
    if not Web3.is_address(recipient) or int(recipient, 16) == 0:
        raise StewardError(f"{recipient!r} is not an EVM address to release to")
    require_token_balance(chain, owner, mint, amount, "tokens")
    source = associated_address(owner, mint.address, mint.program)
    memo = burn_memo(dest.chain_id, recipient)
    return [
        call_from_instruction(burn_checked(mint, source, owner, amount), description),
        call_from_instruction(memo_instruction(owner, memo),
                              f"tell the bridge to release it to {to_checksum_address(recipient)}"
                              f" on {dest.name}"),
    ]


def memo_instruction(signer: Pubkey, text: str) -> Instruction:
    # Memo v2 checks that every account it names signed; the signer need not be writable.
    return Instruction(MEMO_PROGRAM_ID, text.encode(), [AccountMeta(signer, True, False)])


@dataclass(frozen=True)
class _Ix:
    program: Pubkey
    accounts: list[tuple[Pubkey, bool]]  # (pubkey, signed)
    data: bytes


def _instructions_of_calls(calls: list[Call]) -> list[_Ix]:
    return [_Ix(ix.program_id, [(m.pubkey, m.is_signer) for m in ix.accounts], bytes(ix.data))
            for ix in map(instruction_from_call, calls)]


def _instructions_of_record(record: TxRecord) -> list[_Ix] | None:
    try:
        message = Message.from_bytes(record.message)  # legacy messages only; v0 is refused
    except Exception:  # solders raises its own error types for other bytes
        return None
    keys = list(message.account_keys)
    found = []
    for compiled in message.instructions:
        indices = list(bytes(compiled.accounts))
        if compiled.program_id_index >= len(keys) or any(i >= len(keys) for i in indices):
            return None
        found.append(_Ix(keys[compiled.program_id_index],
                         [(keys[i], message.is_signer(i)) for i in indices],
                         bytes(compiled.data)))
    return found


def decode_burn(source: list[Call] | TxRecord, mint: MintInfo) -> BurnRequest | None:
    """The bridge burn in `source` (a plan's calls or a processed transaction), or None.

    Strict: besides compute-budget instructions, exactly one `burn_checked` of `mint` from the
    associated account of its signing authority, and exactly one Memo v2 signed by that same
    authority and reading exactly ``steward-bridge:v1:<chain id>:<EIP-55 address>`` (not the
    zero address). A transaction must have succeeded. Anything else is not a bridge burn."""
    if isinstance(source, TxRecord):
        if not source.success:
            return None
        instructions = _instructions_of_record(source)
        if instructions is None:
            return None
    else:
        try:
            instructions = _instructions_of_calls(source)
        except (StewardError, ValueError):  # not Solana instructions at all
            return None
    burns = [ix for ix in instructions if ix.program == mint.program]
    memos = [ix for ix in instructions if ix.program == MEMO_PROGRAM_ID]
    others = [ix for ix in instructions if ix.program not in (
        mint.program, MEMO_PROGRAM_ID, COMPUTE_BUDGET_PROGRAM_ID)]
    if len(burns) != 1 or len(memos) != 1 or others:
        return None
    burned = _burned(burns[0], mint)
    destination = _memo_destination(memos[0], burned[0] if burned else None)
    if burned is None or destination is None:
        return None
    owner, account, amount = burned
    request = BurnRequest(owner=str(owner), mint=str(mint.address), source_account=str(account),
                          amount=amount, dest_chain_id=destination[0], recipient=destination[1])
    if isinstance(source, TxRecord):
        request.signature = source.signature
        request.burn_id = _hex(burn_id(source.signature))
    return request


def _burned(ix: _Ix, mint: MintInfo) -> tuple[Pubkey, Pubkey, int] | None:
    """(authority, account, amount) of a burn_checked of `mint` from the authority's own
    associated account, signed by it (a multisig authority names more accounts: refused)."""
    if len(ix.data) != BURN_CHECKED_LEN or ix.data[0] != BURN_CHECKED_TAG:
        return None
    if len(ix.accounts) != 3:
        return None
    (account, _), (burned_mint, _), (authority, signed) = ix.accounts
    amount = int.from_bytes(ix.data[1:9], "little")
    if (burned_mint != mint.address or not signed or ix.data[9] != mint.decimals or amount <= 0
            or account != associated_address(authority, mint.address, mint.program)):
        return None
    return authority, account, amount


def _memo_destination(ix: _Ix, authority: Pubkey | None) -> tuple[int, str] | None:
    if authority is None or ix.accounts != [(authority, True)]:
        return None
    try:
        text = ix.data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    match = MEMO_FORMAT.match(text)
    if match is None or not is_checksum_address(match.group(2)) or match.group(2) == ZERO_ADDRESS:
        return None
    return int(match.group(1)), match.group(2)


def burns_in_transaction(chain: SolanaChain, solana: ChainConfig, signature: str,
                         mint: MintInfo, token: str) -> list[CrossTransfer]:
    """The bridge burn a processed Solana transaction made (for delivery after a person's
    burn plan ran); empty when it made none."""
    record = chain.transaction(signature)
    request = None if record is None else decode_burn(record, mint)
    return [] if request is None else [_from_burn(solana.chain_id, request, token)]


def _from_burn(src_chain_id: int, request: BurnRequest, token: str) -> CrossTransfer:
    return CrossTransfer(kind="burn", src_chain_id=src_chain_id,
                         dest_chain_id=request.dest_chain_id, transfer_id=request.burn_id or "",
                         token=token, mint=request.mint, sender=request.owner,
                         recipient=request.recipient, amount=request.amount,
                         signature=request.signature)


# --------------------------------------------------------------------------- delivery checks

def is_delivered_to_solana(chain: SolanaChain, relayer: Pubkey, transfer: CrossTransfer) -> bool:
    """The relayer's marker for the transfer exists: system-owned WITH data, which only the
    relayer's own signature can allocate (anyone can send lamports to the address)."""
    account = chain.get_account(marker_address(relayer, transfer.transfer_id))
    return (account is not None and account.owner == SYSTEM_PROGRAM_ID
            and len(account.data) >= MARKER_SPACE)


def is_released(w3: Web3, evm: ChainConfig, transfer: CrossTransfer) -> bool:
    burn = bytes.fromhex(transfer.transfer_id.removeprefix("0x"))
    return bridge_contract(w3, evm).functions.processed(
        burn_key(transfer.src_chain_id, burn)).call()


def wait_for_solana_delivery(chain: SolanaChain, transfer: CrossTransfer,
                             relay: Callable[[], object] | None = None,
                             timeout: float = ARRIVAL_TIMEOUT_SECONDS) -> None:
    """Until the lock's mint landed; the relayer is the mint's mint authority (its key is the
    marker's base)."""
    mint = mint_info(chain, Pubkey.from_string(transfer.mint))
    if mint.mint_authority is None:
        raise StewardError(f"the mint {transfer.mint} has no mint authority: nothing can deliver")
    wait_until(lambda: is_delivered_to_solana(chain, mint.mint_authority, transfer),
               f"the bridge transfer {transfer.transfer_id[:18]}…", relay, timeout)


def wait_for_release(w3: Web3, evm: ChainConfig, transfer: CrossTransfer,
                     relay: Callable[[], object] | None = None,
                     timeout: float = ARRIVAL_TIMEOUT_SECONDS) -> None:
    wait_until(lambda: is_released(w3, evm, transfer),
               f"the Solana burn {transfer.signature or transfer.transfer_id}", relay, timeout)


def wait_until(done: Callable[[], bool], what: str, relay: Callable[[], object] | None = None,
               timeout: float = ARRIVAL_TIMEOUT_SECONDS) -> None:
    """Poll `done` (running an in-process relayer pass first when given) until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        if relay is not None:
            relay()
        if done():
            return
        if time.monotonic() > deadline:
            raise StewardError(f"{what} was not delivered within {timeout:.0f} s; the funds are "
                               "held by the bridge and arrive when a relayer runs")
        time.sleep(1.0)


# --------------------------------------------------------------------------- the relayer

@dataclass(frozen=True)
class Route:
    symbol: str
    token: str  # EVM
    mint: MintInfo


class SolanaRelayer:
    """Carries crossings between one EVM chain's bridge and one Solana chain.

    EVM → Solana it signs with `mint_authority` (the route mints' mint authority). Solana → EVM
    it sends `release_from_solana` through `send_evm(chain, call)`, Steward's execution path
    (it holds no EVM key). `refused` lists, after a pass, what it will never deliver and why."""

    def __init__(self, evm: ChainConfig, solana: ChainConfig,
                 connect_evm: Callable[[ChainConfig], Web3],
                 send_evm: Callable[[ChainConfig, Call], object],
                 solana_chain: SolanaChain, mint_authority: Keypair):
        if evm.family != "evm" or solana.family != "solana":
            raise StewardError("a Solana relayer joins an EVM chain and a Solana chain")
        self.evm, self.solana = evm, solana
        self.connect_evm, self.send_evm = connect_evm, send_evm
        self.chain, self.authority = solana_chain, mint_authority
        self.cursor_path = home_path(CURSOR_FILE)
        self.refused: list[tuple[CrossTransfer, str]] = []

    @property
    def marker_base(self) -> Pubkey:
        return self.authority.pubkey()

    def routes(self) -> dict[str, Route]:
        """mint (base58) → route, for every registry symbol of both chains that the bridge
        routes to the registry's mint with the same decimals on both sides."""
        w3 = self.connect_evm(self.evm)
        found = {}
        for symbol, mint_text in self.solana.tokens.items():
            token = self.evm.tokens.get(symbol)
            if token is None or str(solana_mint(w3, self.evm, token, self.solana.chain_id)) \
                    != mint_text:
                continue
            mint = mint_info(self.chain, Pubkey.from_string(mint_text))
            if self.evm.token_decimals.get(symbol) == mint.decimals:
                found[mint_text] = Route(symbol, token, mint)
        return found

    def run_once(self) -> list[CrossTransfer]:
        self.refused = []
        routes = self.routes()
        return self.deliver_locks(routes) + self.release_burns(routes)

    # --- cursors --------------------------------------------------------------------------
    def _cursors(self) -> dict:
        return json.loads(self.cursor_path.read_text()) if self.cursor_path.exists() else {}

    def _store(self, key: str, value) -> None:
        write_private(self.cursor_path, json.dumps(self._cursors() | {key: value}))

    # --- EVM → Solana ---------------------------------------------------------------------
    def pending_locks(self) -> tuple[list[tuple[CrossTransfer, int]], int]:
        """(LockedToSolana event, its block) for this Solana chain since the cursor, and the
        next cursor."""
        w3 = self.connect_evm(self.evm)
        bridge = bridge_contract(w3, self.evm)
        latest = w3.eth.block_number
        start = self._cursors().get(self._lock_key(bridge.address), 0)
        start = 0 if start > latest + 1 else start  # a chain younger than the cursor: rescan
        found = []
        for from_block in range(start, latest + 1, LOG_CHUNK_BLOCKS):
            to_block = min(latest, from_block + LOG_CHUNK_BLOCKS - 1)
            for log in bridge.events.LockedToSolana().get_logs(from_block=from_block,
                                                                to_block=to_block):
                transfer = _from_lock(self.evm.chain_id, bridge.address, log["args"])
                if transfer.dest_chain_id == self.solana.chain_id:
                    found.append((transfer, log["blockNumber"]))
        return found, latest + 1

    def _lock_key(self, bridge: str) -> str:
        return f"locks:{self.evm.chain_id}:{bridge}:{self.solana.chain_id}"

    def deliver_locks(self, routes: dict[str, Route]) -> list[CrossTransfer]:
        waiting, next_block = self.pending_locks()
        delivered = []
        for transfer, block in waiting:
            route = routes.get(transfer.mint)
            if route is None or route.token != transfer.token:
                # Not minted, and looked at again on every pass (the cursor stays before it):
                # the registry may yet name the route, and nothing is passed over unseen.
                self.refused.append((transfer, "its token and mint are not a registered route"))
                next_block = min(next_block, block)
                continue
            if is_delivered_to_solana(self.chain, self.marker_base, transfer):
                continue
            transfer.delivery = self._mint(transfer, route.mint)
            delivered.append(transfer)
        # Only move past blocks once everything in them was delivered (a failure raised above).
        self._store(self._lock_key(self.evm.contract("bridge")), next_block)
        return delivered

    def mint_instructions(self, transfer: CrossTransfer, mint: MintInfo) -> list[Instruction]:
        """The delivery of one lock, as one transaction's instructions.

        The marker (an address derived from the relayer and the transfer id) is funded and then
        ALLOCATED by the relayer's signature: allocating fails on an account that already holds
        data, so a replayed or re-signed delivery, or a second relayer with this key, fails as a
        whole and mints nothing. Anyone may send lamports to the marker first; that neither
        blocks the delivery nor makes it look done (a created-but-empty marker would)."""
        relayer, recipient = self.marker_base, Pubkey.from_string(transfer.recipient)
        marker = marker_address(relayer, transfer.transfer_id)
        return [
            transfer_lamports(relayer, marker, self.chain.rent_exempt(MARKER_SPACE)),
            allocate_with_seed(AllocateWithSeedParams(
                address=marker, base=relayer, seed=_marker_seed(transfer.transfer_id),
                space=MARKER_SPACE, owner=SYSTEM_PROGRAM_ID)),
            create_associated_idempotent(relayer, recipient, mint),
            mint_to_checked(mint, associated_address(recipient, mint.address, mint.program),
                            relayer, transfer.amount),
        ]

    def _mint(self, transfer: CrossTransfer, mint: MintInfo) -> str | None:
        blockhash = self.chain.latest_blockhash()
        message = Message.new_with_blockhash(self.mint_instructions(transfer, mint),
                                             self.marker_base, blockhash)
        record = self.chain.send(Transaction([self.authority], message, blockhash))
        if record.success:
            return record.signature
        if is_delivered_to_solana(self.chain, self.marker_base, transfer):
            return None  # another relayer with this key delivered it meanwhile
        raise StewardError(f"minting bridge transfer {transfer.transfer_id[:18]}… on "
                           f"{self.solana.name} failed: {record.error}")

    # --- Solana → EVM ---------------------------------------------------------------------
    def release_burns(self, routes: dict[str, Route]) -> list[CrossTransfer]:
        key = f"burns:{self.solana.chain_id}:{self.evm.chain_id}"
        seen = self._cursors().get(key, [])
        known = set(seen)
        released = []
        try:
            for route in routes.values():
                signatures = self.chain.signatures_for_address(route.mint.address)
                for signature in reversed(signatures):  # oldest first
                    if signature in known:
                        continue
                    done = self._release(signature, route, released)
                    if done:
                        known.add(signature)
                        seen.append(signature)
        finally:
            self._store(key, seen[-SEEN_BURNS_KEPT:])
        return released

    def _release(self, signature: str, route: Route, released: list[CrossTransfer]) -> bool:
        """Release one burn when it is ours to release; True when the signature needs no
        further look (released now or before, or not a bridge burn to this chain)."""
        record = self.chain.transaction(signature)
        if record is None:
            return False
        request = decode_burn(record, route.mint)
        if request is None or request.dest_chain_id != self.evm.chain_id:
            return True
        transfer = _from_burn(self.solana.chain_id, request, route.token)
        w3 = self.connect_evm(self.evm)
        bridge = bridge_contract(w3, self.evm)
        if is_released(w3, self.evm, transfer):
            return True
        outstanding = bridge.functions.solana_outstanding(route.token, self.solana.chain_id).call()
        if transfer.amount > outstanding:  # the bridge would revert; it may fit after more locks
            self.refused.append((transfer, "more than is locked toward this route"))
            return False
        data = bridge.encode_abi("release_from_solana", args=[
            self.solana.chain_id, bytes.fromhex(transfer.transfer_id[2:]), route.token,
            transfer.recipient, transfer.amount])
        result = self.send_evm(self.evm, Call(
            to=bridge.address, data=data, gas_hint=150_000,
            description=f"relay the Solana burn {signature[:12]}… from {self.solana.name}: "
                        "release_from_solana"))
        transfer.delivery = getattr(result, "tx_hash", None)
        released.append(transfer)
        return True

    def run_forever(self, interval: float = 2.0,
                    on_delivery: Callable[[CrossTransfer], object] | None = None) -> None:
        while True:
            for transfer in self.run_once():
                if on_delivery:
                    on_delivery(transfer)
            time.sleep(interval)


def transfer_lamports(source: Pubkey, dest: Pubkey, lamports: int) -> Instruction:
    return system_transfer(TransferParams(from_pubkey=source, to_pubkey=dest, lamports=lamports))


# --------------------------------------------------------------------------- the sandbox

def register_sandbox_route(send: Callable[[ChainConfig, Call], object], evm: ChainConfig,
                           solana: ChainConfig, connect: Callable[[ChainConfig], Web3],
                           symbol: str = "USDC") -> bool:
    """Have the EVM bridge's owner (through `send`, the sandbox's execution path) route `symbol`
    to the Solana registry's mint of that symbol; False when it already does. The decimals of
    both sides must agree (amounts cross unscaled)."""
    if symbol not in evm.tokens or symbol not in solana.tokens:
        raise StewardError(f"{symbol} is not in the registry of both {evm.name} and {solana.name}")
    if evm.token_decimals.get(symbol) != solana.token_decimals.get(symbol):
        raise StewardError(f"{symbol} has {evm.token_decimals.get(symbol)} decimals on {evm.name} "
                           f"and {solana.token_decimals.get(symbol)} on {solana.name}")
    w3 = connect(evm)
    token, mint = evm.tokens[symbol], Pubkey.from_string(solana.tokens[symbol])
    if solana_mint(w3, evm, token, solana.chain_id) == mint:
        return False
    bridge = bridge_contract(w3, evm)
    data = bridge.encode_abi("register_solana_token", args=[token, solana.chain_id, bytes(mint)])
    send(evm, Call(to=bridge.address, data=data, gas_hint=120_000,
                   description=f"route {symbol} from {evm.name} to the SPL mint {mint} on "
                               f"{solana.name}"))
    return True


def sandbox_solana_relayer(send_evm: Callable[[ChainConfig, Call], object],
                           connect: Callable[[ChainConfig], Web3],
                           evm_name: str = "sandbox-l1") -> SolanaRelayer:
    """The sandbox's relayer: the Solana operator (the sandbox USDC's mint authority) mints;
    `send_evm` (the EVM sandbox operator, the L1 bridge's relayer) releases."""
    from steward.chains.config import load_config
    from steward.sandbox.solana import operator, sandbox_chain

    config, chain = sandbox_chain()
    return SolanaRelayer(load_config().chain(evm_name), config, connect, send_evm, chain,
                         operator())


__all__ = ["BurnRequest", "CrossTransfer", "SolanaRelayer", "burn_calls", "burn_id", "burn_key",
           "burn_memo", "burns_in_transaction", "decode_burn", "is_delivered_to_solana",
           "is_released", "lock_call", "lock_transfer_id", "locks_in_receipt", "marker_address",
           "register_sandbox_route", "route_token", "sandbox_solana_relayer", "solana_mint",
           "wait_for_release", "wait_for_solana_delivery", "wait_until"]
