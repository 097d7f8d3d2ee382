"""Token security report, GoPlus-style, established locally from the deployed bytecode alone.

`token_report(w3, chain, token)` combines four methods and every field says which one found it:

* **simulation** – on a throwaway copy of the chain (nothing is signed, nothing persists): a fresh
  address buys through the best pool, transfers to a second fresh address, which sells back
  (router first; a fee-on-transfer sell goes straight through the pair as supporting-fee routers
  do); then two quick sells (cooldown), a whale-sized buy and sell (anti-whale), and every
  balance change is compared with what the Transfer events claim (a lying `balanceOf`).
* **privilege probe** – also on the throwaway state: the owner (`owner()`/`getOwner()`/`admin()`,
  EIP-1967 admin) and every address the contract stores in its first storage slots try the
  privileged functions the bytecode dispatches (mint, set balance, blacklist, pause, set tax,
  max-tx, cooldown, whitelist, upgrade, ownership); each accepted call is checked for its effect
  on an ordinary holder, then undone. Powers that survive `renounceOwnership()` reveal a hidden
  owner; an address that can re-take a renounced ownership is reported too.
* **bytecode** – selectors from the PUSH4 immediates of the dispatcher (Solidity and Vyper),
  SELFDESTRUCT / DELEGATECALL / CALL opcodes (PUSH data and the metadata/data tail skipped),
  EIP-1967 slots and the EIP-1167 minimal-proxy pattern.
* **chain data** – holders from Transfer logs (capped), LP-token holders of each pool against the
  chain's configured tokens, liquidity in USD through `PriceSource`, the creator (binary search
  for the first block with code, then that block's transactions) and the creator's other tokens,
  each with a quick simulation-only verdict.

Score starts at 100 and loses 40 per danger finding, 15 per caution and 2 per notable info;
the verdict is `danger` if any danger finding, `caution` if any caution finding, else `safe`.
An active minter that is the visible owner (as on the sandbox's own USDC/USDT on sandbox-l1) is
a *caution*, like any centralised issuer; minting by an address that is not the visible owner,
or that survives renouncing, is a *danger* (hidden mint).
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any, Literal

import rlp
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_canonical_address
from eth_utils import to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.history import first_block
from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.plans import Call
from steward.protocols import amm, erc20, registry
from steward.protocols.pricing import PriceSource
from steward.simulation import TRANSFER_TOPIC, Outcome, throwaway

Severity = Literal["danger", "caution", "info"]
Verdict = Literal["safe", "caution", "danger"]

ZERO = "0x0000000000000000000000000000000000000000"
DEAD = "0x000000000000000000000000000000000000dEaD"
BURN_ADDRESSES = {ZERO.lower(), DEAD.lower()}
EIP1967_IMPLEMENTATION = int("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc", 16)
EIP1967_ADMIN = int("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103", 16)
EIP1967_BEACON = int("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50", 16)
MINIMAL_PROXY_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")
MINIMAL_PROXY_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")

STORAGE_SLOTS_SCANNED = 20
MAX_PRIVILEGED_ADDRESSES = 8
HOLDER_LOG_BLOCKS = 50_000  # Transfer logs are read over at most this many latest blocks
MAX_HOLDERS_READ = 200  # balanceOf is read for at most this many addresses seen in the logs
CREATION_SEARCH_TXS = 64  # transactions looked at in the creation block
CREATOR_NONCES = 64  # the creator's latest contract creations looked at
CREATOR_TOKENS_RATED = 8  # the latest ones; the others are listed unrated
DANGER_TAX, CAUTION_TAX = 0.50, 0.05
PENALTY = {"danger": 40, "caution": 15, "info": 0}
ETH = 10**18


# ------------------------------------------------------------------------------------ models

class Field(BaseModel):
    """One report field: its value, how it was established, and whether it is a risk."""

    value: Any = None
    method: str = "not established"
    flagged: bool = False
    detail: str | None = None


class Finding(BaseModel):
    field: str
    severity: Severity
    reason: str
    method: str


class Holder(BaseModel):
    address: str
    balance: int
    share: float  # of total supply (or of LP supply for LP holders)
    kind: str  # "eoa", "contract", "pool", "burn", "owner", "creator"


class PoolReport(BaseModel):
    pair: str
    quote_symbol: str
    quote_token: str
    token_reserve: int
    quote_reserve: int
    liquidity_usd: float | None
    lp_total_supply: int
    lp_holders: list[Holder]
    lp_burned_share: float
    lp_owner_share: float  # held by the token's owner or creator


class CreatorToken(BaseModel):
    address: str
    symbol: str
    verdict: Verdict | Literal["unrated"]
    reason: str


class TokenReport(BaseModel):
    chain: str
    token: str
    symbol: str
    name: str
    decimals: int
    total_supply: int
    fields: dict[str, Field]
    holders: list[Holder]
    holder_count: int
    pools: list[PoolReport]
    creator_tokens: list[CreatorToken]
    findings: list[Finding]
    score: int
    verdict: Verdict
    reasons: list[str]
    notes: list[str]  # caps and limits of what was looked at
    method: str
    elapsed_s: float

    def flagged(self) -> set[str]:
        return {name for name, field in self.fields.items() if field.flagged}

    def value(self, name: str) -> Any:
        return self.fields[name].value


FIELD_NAMES = [
    "is_honeypot", "cannot_buy", "buy_tax", "sell_tax", "transfer_tax", "cannot_sell_all",
    "balance_inconsistent", "is_mintable", "owner_change_balance", "hidden_owner",
    "can_take_back_ownership", "is_blacklisted", "is_whitelisted", "transfer_pausable",
    "trading_cooldown", "slippage_modifiable", "is_anti_whale", "anti_whale_modifiable",
    "is_proxy", "selfdestruct", "external_call", "owner_address", "owner_renounced",
    "owner_percent", "creator_address", "creator_percent", "top10_holder_percent",
    "liquidity_usd", "is_in_dex",
]


# ------------------------------------------------------------------------------------ bytecode

class Bytecode(BaseModel):
    selectors: set[str]
    opcodes: set[int]
    minimal_proxy_target: str | None = None
    size: int = 0


def _code_end(code: bytes) -> int:
    """Where executable code ends: drop the Solidity CBOR metadata, or, for Vyper ≥ 0.4, keep
    only the runtime size its metadata records (the data section and jump tables follow)."""
    if len(code) < 4:
        return len(code)
    length = int.from_bytes(code[-2:], "big")
    start = len(code) - 2 - length
    if length == 0 or start < 0:
        return len(code)
    head = code[start]
    if head in (0xA1, 0xA2, 0xA3):  # Solidity: a CBOR map {ipfs/bzzr, solc}
        return start
    if head in (0x83, 0x84, 0x85):  # Vyper 0.4: [runtime size, data sizes, immutables, {vyper}]
        kind = code[start + 1]
        if kind < 0x18:
            size = kind
        elif kind in (0x18, 0x19, 0x1A):
            width = {0x18: 1, 0x19: 2, 0x1A: 4}[kind]
            size = int.from_bytes(code[start + 2:start + 2 + width], "big")
        else:
            return start
        return min(size, start)
    return len(code)


def analyse_bytecode(code: bytes) -> Bytecode:
    """Linear sweep over the executable part: PUSH4 immediates and opcodes, skipping PUSH data."""
    selectors: set[str] = set()
    opcodes: set[int] = set()
    end = _code_end(code)
    i = 0
    while i < end:
        op = code[i]
        opcodes.add(op)
        if 0x60 <= op <= 0x7F:
            width = op - 0x5F
            if width == 4 and i + 5 <= end:
                selectors.add(code[i + 1:i + 5].hex())
            i += width
        i += 1
    target = None
    if code.startswith(MINIMAL_PROXY_PREFIX) and code[30:45] == MINIMAL_PROXY_SUFFIX:
        target = to_checksum_address(code[10:30])
    return Bytecode(selectors=selectors, opcodes=opcodes, minimal_proxy_target=target,
                    size=len(code))


# ------------------------------------------------------------------------------ privileges

def _sel(signature: str) -> str:
    return function_signature_to_4byte_selector(signature).hex()


# (signature, category, argument template). Templates name roles resolved at probe time:
# "victim" (an ordinary holder), "attacker" (a fresh address), "big"/"amount"/"victim_balance",
# "impl" (current implementation), literal values otherwise.
PRIVILEGED: list[tuple[str, str, tuple]] = [
    ("mint(address,uint256)", "mint", ("attacker", "big")),
    ("mintTo(address,uint256)", "mint", ("attacker", "big")),
    ("mint(uint256)", "mint", ("big",)),
    ("issue(uint256)", "mint", ("big",)),
    ("setBalance(address,uint256)", "balance", ("victim", 0)),
    ("setBalances(address,uint256)", "balance", ("victim", 0)),
    ("changeBalance(address,uint256)", "balance", ("victim", 0)),
    ("updateBalance(address,uint256)", "balance", ("victim", 0)),
    ("set_balance(address,uint256)", "balance", ("victim", 0)),
    ("burnFrom(address,uint256)", "balance", ("victim", "victim_balance")),
    ("burn(address,uint256)", "balance", ("victim", "victim_balance")),
    ("blacklist(address)", "blacklist", ("victim",)),
    ("addToBlacklist(address)", "blacklist", ("victim",)),
    ("addBlacklist(address)", "blacklist", ("victim",)),
    ("addBlackList(address)", "blacklist", ("victim",)),
    ("blacklistAddress(address)", "blacklist", ("victim",)),
    ("setBlacklist(address,bool)", "blacklist", ("victim", True)),
    ("setBlackList(address,bool)", "blacklist", ("victim", True)),
    ("setBlacklisted(address,bool)", "blacklist", ("victim", True)),
    ("set_blacklist(address,bool)", "blacklist", ("victim", True)),
    ("setBlacklist(address[],bool)", "blacklist", (["victim"], True)),
    ("setBot(address,bool)", "blacklist", ("victim", True)),
    ("addBot(address)", "blacklist", ("victim",)),
    ("ban(address)", "blacklist", ("victim",)),
    ("freeze(address)", "blacklist", ("victim",)),
    ("pause()", "pause", ()),
    ("setPaused(bool)", "pause", (True,)),
    ("setPause(bool)", "pause", (True,)),
    ("set_paused(bool)", "pause", (True,)),
    ("pauseTrading()", "pause", ()),
    ("disableTrading()", "pause", ()),
    ("setTradingEnabled(bool)", "pause", (False,)),
    ("setTrading(bool)", "pause", (False,)),
    ("enableTrading(bool)", "pause", (False,)),
    ("setTax(uint256)", "fee", ("fee",)),
    ("setFee(uint256)", "fee", ("fee",)),
    ("setSellTax(uint256)", "fee", ("fee",)),
    ("setBuyTax(uint256)", "fee", ("fee",)),
    ("setSellFee(uint256)", "fee", ("fee",)),
    ("setBuyFee(uint256)", "fee", ("fee",)),
    ("setTransferTax(uint256)", "fee", ("fee",)),
    ("setTaxFeePercent(uint256)", "fee", ("fee",)),
    ("set_tax(uint256)", "fee", ("fee",)),
    ("set_fee(uint256)", "fee", ("fee",)),
    ("setTaxes(uint256,uint256)", "fee", ("fee", "fee")),
    ("setFees(uint256,uint256)", "fee", ("fee", "fee")),
    ("updateFees(uint256,uint256)", "fee", ("fee", "fee")),
    ("setMaxTxAmount(uint256)", "maxtx", (1,)),
    ("setMaxTx(uint256)", "maxtx", (1,)),
    ("setMaxTransactionAmount(uint256)", "maxtx", (1,)),
    ("setMaxWallet(uint256)", "maxtx", (1,)),
    ("setMaxWalletSize(uint256)", "maxtx", (1,)),
    ("set_max_tx(uint256)", "maxtx", (1,)),
    ("setCooldown(uint256)", "cooldown", (3600,)),
    ("setCooldownEnabled(bool)", "cooldown", (True,)),
    ("setTradeCooldown(uint256)", "cooldown", (3600,)),
    ("set_cooldown(uint256)", "cooldown", (3600,)),
    ("setWhitelist(address,bool)", "whitelist", ("attacker", True)),
    ("setWhitelisted(address,bool)", "whitelist", ("attacker", True)),
    ("set_whitelist(address,bool)", "whitelist", ("attacker", True)),
    ("addToWhitelist(address)", "whitelist", ("attacker",)),
    ("whitelist(address)", "whitelist", ("attacker",)),
    ("setWhitelistEnabled(bool)", "whitelist", (True,)),
    ("upgradeTo(address)", "upgrade", ("impl",)),
    ("upgradeToAndCall(address,bytes)", "upgrade", ("impl", b"")),
    ("upgrade_to(address)", "upgrade", ("impl",)),
    ("set_minter(address,bool)", "minter", ("attacker", True)),
    ("setMinter(address,bool)", "minter", ("attacker", True)),
    ("addMinter(address)", "minter", ("attacker",)),
    ("transferOwnership(address)", "ownership", ("attacker",)),
    ("transfer_ownership(address)", "ownership", ("attacker",)),
    ("setOwner(address)", "ownership", ("attacker",)),
    ("set_owner(address)", "ownership", ("attacker",)),
    ("claimOwnership()", "takeback", ()),
    ("unlock()", "takeback", ()),
]
RENOUNCE = ["renounceOwnership()", "renounce_ownership()"]
FEE_VALUES = (100, 10_000, 1_000, 99, 50, 25)  # percent, basis points, per mille, capped setters
# Selectors that are ordinary for a token; any other dispatched selector is tried generically
# with (address, uint256) arguments by the privileged addresses and judged by its effect.
ORDINARY = {_sel(s) for s in (
    "name()", "symbol()", "decimals()", "totalSupply()", "balanceOf(address)",
    "allowance(address,address)", "transfer(address,uint256)", "approve(address,uint256)",
    "transferFrom(address,address,uint256)", "increaseAllowance(address,uint256)",
    "decreaseAllowance(address,uint256)", "burn(uint256)", "owner()", "getOwner()",
    "renounceOwnership()", "renounce_ownership()", "nonces(address)", "DOMAIN_SEPARATOR()",
    "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "eip712Domain()",
    "cap()", "version()", "pair()", "router()", "uniswapV2Pair()", "uniswapV2Router()",
    "factory()", "WETH()", "minters(address)", "paused()", "implementation()", "admin()",
)} | {"ffffffff", "08c379a0", "4e487b71", "00000000"}
GENERIC_SHAPES = (("attacker", "big"), ("victim", 0), ("victim", 1))
WRITE_GAS = 40_000  # a call that used less wrote no fresh storage slot: no need to test holders
OWNER_GETTERS = ["owner()", "getOwner()", "admin()", "_owner()"]


# --------------------------------------------------------------------------------- helpers

def _fresh(label: str) -> str:
    return to_checksum_address(keccak(text=f"steward-diligence:{label}")[-20:])


def _create_address(sender: str, nonce: int) -> str:
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[-20:])


_GET_RESERVES = bytes.fromhex("0902f1ac")


def _calldata(signature: str, args: tuple) -> str:
    types = signature[signature.index("(") + 1:-1]
    types_list = [t for t in types.split(",") if t] if types else []
    return "0x" + _sel(signature) + abi_encode(types_list, list(args)).hex()


def _as_address(word: bytes | None) -> str | None:
    if not word or len(word) < 32:
        return None
    value = int.from_bytes(word[:32], "big")
    if value >= 2**160:
        return None
    return to_checksum_address(value.to_bytes(20, "big"))


def _looks_like_address(value: int) -> bool:
    return 2**120 < value < 2**160


def _pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value * 100:.1f}%"


QUOTE_SYMBOLS = ("WETH", "USDC", "USDT", "DAI")


def _quote_tokens(chain: ChainConfig) -> dict[str, str]:
    """The tokens pools are looked up against: WETH and the chain's dollar stables."""
    quotes = {symbol: address for symbol, address in chain.tokens.items()
              if symbol.upper() in QUOTE_SYMBOLS}
    if chain.contracts.get("weth"):
        quotes.setdefault("WETH", chain.contracts["weth"])
    return quotes


@lru_cache(maxsize=1)
def _dev_operator() -> str:
    from steward.chains.embedded import dev_account

    return dev_account(0).address


def _fee_paid(outcome: Outcome) -> int:
    """What the sender's own balance paid for gas (nothing when the throwaway lent it)."""
    return outcome.fee_wei if outcome.fee_charged else 0


class _Lab:
    """The throwaway state with token-specific moves; `mark()`/`restore()` give cheap
    checkpoints (py-evm journal snapshots, or anvil's evm_snapshot) falling back to rewinds."""

    def __init__(self, w3: Web3, chain: ChainConfig, backend, token: str, decimals: int,
                 deadline: int | None = None):
        self.w3, self.chain, self.backend, self.token, self.decimals = w3, chain, backend, token, decimals
        # Buys and sells are tried through the chain's Uniswap V2 venue, whose pairs every
        # V2-era token (and its hard-coded router) trades on.
        v2 = registry.adapter("uniswap-v2").addresses(chain)
        self.router = v2.get("router")
        self.factory = v2.get("factory")
        self.weth = chain.contracts.get("weth")
        self.operator = _dev_operator()
        self.deadline = deadline if deadline is not None else amm.deadline(w3)
        self._mark = None
        self._approved: set[str] = set()
        self._token0: dict[str, str | None] = {}

    # checkpoints
    def mark(self) -> None:
        state = getattr(self.backend, "state", None)
        if state is not None:
            self._mark = state.snapshot()
        elif hasattr(self.backend, "_request"):
            self._mark = self.backend._request("evm_snapshot", [])

    def rewind(self) -> None:
        self.backend.rewind()
        self._approved.clear()

    def restore(self) -> None:
        self._approved.clear()
        state = getattr(self.backend, "state", None)
        if state is not None:
            state.revert(self._mark)
        else:
            self.backend._request("evm_revert", [self._mark])
        self.mark()

    # reads
    def call(self, to: str, data: str | bytes) -> bytes | None:
        return self.backend.read(to, data if isinstance(data, bytes) else bytes.fromhex(data[2:]))

    def uint(self, to: str, data: str) -> int | None:
        raw = self.call(to, data)
        return int.from_bytes(raw[:32], "big") if raw and len(raw) >= 32 else None

    def balance(self, holder: str, token: str | None = None) -> int:
        value = self.uint(token or self.token, _calldata("balanceOf(address)", (holder,)))
        return value or 0

    def supply(self) -> int:
        return self.uint(self.token, _calldata("totalSupply()", ())) or 0

    def pair_reserves(self, pair: str, token_in: str) -> tuple[int, int] | None:
        raw = self.call(pair, _GET_RESERVES)
        t0 = self._token0.get(pair)
        if t0 is None:
            t0 = self._token0[pair] = _as_address(self.call(pair, _calldata("token0()", ())))
        if not raw or t0 is None:
            return None
        r0, r1, _ = abi_decode(["uint112", "uint112", "uint32"], raw[:96])
        return (r0, r1) if t0.lower() == token_in.lower() else (r1, r0)

    def quote(self, amount: int, path: list[str]) -> int:
        for a, b in zip(path, path[1:]):
            info = amm.pool(self.w3, self.factory, a, b)
            reserves = self.pair_reserves(info.address, a) if info else None
            if not reserves or not reserves[0] or not reserves[1]:
                return 0
            amount = amm.amount_out(amount, *reserves)
        return amount

    # moves
    def send(self, sender: str, to: str, data: str = "0x", value: int = 0) -> Outcome:
        # A probe calls as addresses that may hold no ETH (an owner, a stored address): on a
        # fork the gas is lent, so only what the call itself moves changes their balance.
        return self.backend.apply(sender, Call(to=to, data=data, value=value, description="probe"),
                                  lend_gas=self.backend.lends_probe_gas)

    def fund(self, address: str, wei: int) -> bool:
        return self.send(self.operator, address, value=wei).success

    def transfer(self, sender: str, to: str, amount: int) -> Outcome:
        return self.send(sender, self.token, _calldata("transfer(address,uint256)", (to, amount)))

    def buy(self, buyer: str, wei: int, path: list[str]) -> Outcome:
        data = erc20.encode(self.w3, self.router, "uniswap/UniswapV2Router02", "swapExactETHForTokens",
                            0, path, buyer, self.deadline)
        return self.send(buyer, self.router, data, value=wei)

    def sell(self, seller: str, amount: int, path: list[str]) -> tuple[bool, int, int, int, str]:
        """Sell `amount` along `path` (token → … → WETH): the router first, the pair directly
        (supporting fee-on-transfer) if the router's exact-amount swap fails. Returns (sold,
        tokens that left the seller, what came out (ETH, or the first hop's token when sold
        through the pair), the fair quote for that same output, how it sold or why not).

        Why not is the token's own revert reason where it gave one: Uniswap's router replaces
        it with TransferHelper's "TRANSFER_FROM_FAILED", so a failed router sell is followed by
        the transfer the router would have made (the seller's tokens into the first pair),
        whose revert reason is the token's."""
        before_tokens = self.balance(seller)
        before_eth = self.backend.native_balance(seller)
        quote = self.quote(amount, path)
        if seller not in self._approved:
            self.send(seller, self.token, _calldata("approve(address,uint256)",
                                                    (self.router, 2**256 - 1)))
            self._approved.add(seller)
        data = erc20.encode(self.w3, self.router, "uniswap/UniswapV2Router02", "swapExactTokensForETH",
                            amount, 0, path, seller, self.deadline)
        outcome = self.send(seller, self.router, data)
        if outcome.success:
            received = self.backend.native_balance(seller) - before_eth + _fee_paid(outcome)
            spent = before_tokens - self.balance(seller)
            fair = quote
            if spent > amount and amount:
                fair = fair * amount // spent  # more left the seller than it sold: an extra tax
            return True, spent, received, fair, "router"
        # Fee-on-transfer: send to the first pair and swap out what it really received (a
        # token that refuses the transfer says why here, not behind the router's reason).
        info = amm.pool(self.w3, self.factory, path[0], path[1])
        if info is None:
            return False, 0, 0, quote, outcome.revert_reason or "reverted"
        reserves = self.pair_reserves(info.address, path[0])
        pair_before = self.balance(info.address)
        moved = self.transfer(seller, info.address, amount)
        if not moved.success or not reserves:
            return False, 0, 0, quote, moved.revert_reason or outcome.revert_reason or "reverted"
        received_by_pair = self.balance(info.address) - pair_before
        spent = before_tokens - self.balance(seller)
        out = amm.amount_out(max(received_by_pair, 0), *reserves) if received_by_pair > 0 else 0
        first_hop_quote = amm.amount_out(amount, *reserves)
        if out <= 0:
            return False, spent, 0, first_hop_quote, "the pool received nothing"
        token_is_0 = info.token0.lower() == path[0].lower()
        swap = self.send(seller, info.address, _calldata(
            "swap(uint256,uint256,address,bytes)",
            (0, out, seller, b"") if token_is_0 else (out, 0, seller, b"")))
        if not swap.success:
            return False, spent, 0, first_hop_quote, swap.revert_reason or "swap reverted"
        fair = first_hop_quote * amount // spent if spent > amount else first_hop_quote
        return True, spent, out, fair, "pair (fee-on-transfer)"


def _event_net(outcome: Outcome, token: str, holder: str) -> int:
    net = 0
    for log in outcome.logs:
        if (log.address.lower() != token.lower() or len(log.topics) != 3
                or log.topics[0] != TRANSFER_TOPIC):
            continue
        value = int(log.data, 16) if log.data not in ("0x", "") else 0
        if log.topics[2][-40:].lower() == holder[2:].lower():
            net += value
        if log.topics[1][-40:].lower() == holder[2:].lower():
            net -= value
    return net


def _mismatch(delta: int, claimed: int) -> bool:
    if claimed == 0:
        return delta != 0 and abs(delta) > 0
    return abs(delta - claimed) * 100 > abs(claimed)  # beyond 1%: reflections stay within


# ------------------------------------------------------------------------------ simulation

class _Sim(BaseModel):
    route: list[str] | None = None
    buy_ok: bool = False
    buy_reason: str | None = None
    acquired_via: str | None = None
    buy_tax: float | None = None
    transfer_tax: float | None = None
    sell_ok: bool | None = None
    sell_reason: str | None = None
    sell_via: str | None = None
    sell_tax: float | None = None
    cannot_sell_all: bool | None = None
    honeypot: bool | None = None
    cooldown: bool | None = None
    cooldown_detail: str | None = None
    sell_part: str | None = None
    anti_whale: bool | None = None
    anti_whale_detail: str | None = None
    inconsistent: list[str] = []
    external_logs: list[str] = []


def _tax(received: int, fair: int) -> float | None:
    if fair <= 0:
        return None
    return max(0.0, min(1.0, 1 - received / fair))


def _best_buy_route(lab: _Lab, wei: int) -> list[str] | None:
    """The direct or one-hop WETH → token path giving the most tokens (reserves read on the
    throwaway state; pool addresses are cached by `amm.pool`)."""
    if not (lab.router and lab.factory and lab.weth):
        return None
    hubs = [a for a in _quote_tokens(lab.chain).values()
            if a.lower() not in (lab.token.lower(), lab.weth.lower())]
    best, best_out = None, 0
    for path in amm.candidate_paths(lab.weth, lab.token, hubs):
        out = lab.quote(wei, path)
        if out > best_out:
            best, best_out = path, out
    return best


def _buy_size(lab: _Lab, path: list[str]) -> int:
    info = amm.pool(lab.w3, lab.factory, path[0], path[1])
    reserves = lab.pair_reserves(info.address, path[0]) if info else None
    if not reserves:
        return ETH // 10
    return max(min(ETH // 10, reserves[0] // 1000), 10**12)  # ≤ 0.1% of the first pool


def _acquire(lab: _Lab, sim: _Sim, who: str, holders: list[Holder]) -> int:
    """Give `who` tokens: by buying (measuring the buy tax), else from the largest holder."""
    wei = _buy_size(lab, sim.route) if sim.route else 0
    lab.fund(who, 2 * ETH + wei)
    if lab.weth and lab.token.lower() == lab.weth.lower():  # "buying" WETH is wrapping ETH
        outcome = lab.send(who, lab.token, _calldata("deposit()", ()), value=ETH // 10)
        got = lab.balance(who)
        if outcome.success and got:
            sim.buy_ok, sim.acquired_via, sim.buy_tax = True, "wrapped ETH", _tax(got, ETH // 10)
            return got
    if sim.route:
        quoted = lab.quote(wei, sim.route)
        before = lab.balance(who)
        outcome = lab.buy(who, wei, sim.route)
        if outcome.success:
            got = lab.balance(who) - before
            sim.buy_ok, sim.acquired_via = True, "bought through the router"
            sim.buy_tax = _tax(got, quoted)
            if _mismatch(got, _event_net(outcome, lab.token, who)):
                sim.inconsistent.append(
                    f"a buy moved the buyer's balanceOf by {got} while Transfer events claim "
                    f"{_event_net(outcome, lab.token, who)}")
            if got > 0:
                return got
        else:
            sim.buy_reason = outcome.revert_reason
    for holder in holders:  # spoof a transfer from an existing holder instead
        if holder.kind in ("burn",):
            continue
        amount = holder.balance // 100
        if amount and lab.transfer(holder.address, who, amount).success:
            sim.acquired_via = f"transferred from holder {holder.address}"
            return lab.balance(who)
    return 0


def _sell_down(lab: _Lab, sim: _Sim, seller: str, path: list[str]) -> None:
    """Sell the whole balance; if that reverts, half, then 1%: cannot_sell_all vs honeypot."""
    balance = lab.balance(seller)
    ok, spent, out, fair, via = lab.sell(seller, balance, path)
    if ok:
        sim.sell_ok, sim.cannot_sell_all, sim.sell_via = True, False, via
        sim.sell_tax = _tax(out, fair)
        sim.honeypot = False
        return
    sim.sell_reason = via
    for fraction in (2, 100):
        part = balance // fraction
        if not part:
            continue
        ok, spent, out, fair, via2 = lab.sell(seller, part, path)
        if ok:
            sim.sell_ok, sim.cannot_sell_all, sim.sell_via = True, True, via2
            sim.sell_tax = _tax(out, fair)
            sim.honeypot = False
            sim.sell_part = f"1/{fraction}"
            return
    sim.sell_ok, sim.honeypot = False, True


def _simulate(lab: _Lab, holders: list[Holder], full: bool = True) -> _Sim:
    """buyer: buys (buy tax), sells everything back (sell tax, cannot_sell_all, honeypot).
    buyer2: buys, sends a quarter to `receiver` (transfer tax), then sells a quarter at once
    (a second send right after the first: cooldown). receiver: sells a quarter twice in a row
    (cooldown on sells). whale: buys ~3% of the supply and sells it back (anti-whale)."""
    sim = _Sim()
    buyer, buyer2, receiver, whale = (_fresh("buyer"), _fresh("buyer2"), _fresh("receiver"),
                                      _fresh("whale"))
    is_weth = bool(lab.weth) and lab.token.lower() == lab.weth.lower()
    sim.route = None if is_weth else _best_buy_route(lab, ETH // 10)
    got = _acquire(lab, sim, buyer, holders)
    if got <= 0:
        return sim
    if is_weth:  # "selling" WETH is unwrapping it
        eth_before = lab.backend.native_balance(buyer)
        outcome = lab.send(buyer, lab.token, _calldata("withdraw(uint256)", (got,)))
        received = lab.backend.native_balance(buyer) - eth_before + _fee_paid(outcome)
        sim.sell_ok = sim.honeypot is None and outcome.success
        sim.honeypot, sim.cannot_sell_all = not outcome.success, False if outcome.success else None
        sim.sell_via, sim.sell_reason = "unwrapped", outcome.revert_reason
        sim.sell_tax = _tax(received, got) if outcome.success else None
    elif sim.route:
        _sell_down(lab, sim, buyer, list(reversed(sim.route)))
    if not full:
        return sim
    # transfer tax (and cooldown on a second send) by a second buyer
    sub = _Sim(route=sim.route)
    got2 = _acquire(lab, sub, buyer2, holders) if not is_weth else 0
    if is_weth:
        lab.fund(buyer2, ETH)
        lab.send(buyer2, lab.token, _calldata("deposit()", ()), value=ETH // 10)
        got2 = lab.balance(buyer2)
    if got2 <= 0:
        return sim
    lab.fund(receiver, ETH)
    quarter = got2 // 4
    before, sender_before = lab.balance(receiver), lab.balance(buyer2)
    outcome = lab.transfer(buyer2, receiver, quarter)
    if not outcome.success:
        sim.sell_reason = f"a plain transfer reverted: {outcome.revert_reason}"
        if sim.honeypot is None:
            sim.honeypot, sim.sell_ok = True, False
        return sim
    received = lab.balance(receiver) - before
    left = sender_before - lab.balance(buyer2)
    sim.transfer_tax = _tax(received, max(left, quarter))
    claimed = _event_net(outcome, lab.token, receiver)
    if _mismatch(received, claimed):
        sim.inconsistent.append(f"a transfer of {quarter} moved the recipient's balanceOf by "
                                f"{received} while Transfer events claim {claimed}")
    sim.external_logs = sorted({log.address for log in outcome.logs
                                if log.address.lower() != lab.token.lower()})
    if not full or not sim.route or not sim.sell_ok:
        return sim
    path = list(reversed(sim.route))
    divisor = {"1/100": 50, "1/2": 2}.get(sim.sell_part or "", 1)
    small = max(quarter // 4 // divisor, 1)  # no larger than what the buyer could sell at once
    second_send = lab.sell(buyer2, small, path)[0]
    first_sell = lab.sell(receiver, small, path)[0]
    second_sell = lab.sell(receiver, small, path)[0] if first_sell else None
    if not second_send or second_sell is False:
        sim.cooldown = True
        sim.cooldown_detail = ("a sell right after a transfer reverted" if not second_send else
                               "a second sell right after the first reverted")
    else:
        sim.cooldown = False
    # anti-whale: a buy of ~3% of the supply (capped by the pool and the operator's purse)
    supply = lab.supply()
    info = amm.pool(lab.w3, lab.factory, sim.route[-2], sim.route[-1])
    reserves = lab.pair_reserves(info.address, lab.token) if info else None
    if supply and reserves and len(sim.route) == 2:
        target = min(supply * 3 // 100, reserves[0] * 4 // 10)
        need = reserves[1] * target * 1000 // ((reserves[0] - target) * 997) + 1
        budget = min(need, lab.backend.native_balance(lab.operator) // 4)
        if target > 0 and lab.fund(whale, budget + ETH):
            big = lab.buy(whale, budget, sim.route)
            if not big.success:
                sim.anti_whale = True
                sim.anti_whale_detail = (f"a buy of about {_pct(target / supply)} of the supply "
                                         f"reverted ({big.revert_reason}) while a small one "
                                         "went through")
            else:
                amount = lab.balance(whale) * 99 // 100
                sold = lab.sell(whale, amount, path)[0]
                sim.anti_whale = not sold
                if not sold:
                    sim.anti_whale_detail = (f"selling {_pct(amount / supply)} of the supply at "
                                             "once reverted while small sells went through")
    return sim


# ---------------------------------------------------------------------------- privilege probe

class _Power(BaseModel):
    category: str
    signature: str
    entry: tuple = ()
    address: str
    confirmed: bool
    detail: str


class _Probe(BaseModel):
    owner: str | None = None
    owner_source: str | None = None
    candidates: list[str] = []
    powers: list[_Power] = []
    renounce_tested: bool = False
    survives_renounce: list[_Power] = []
    takeback: str | None = None
    upgrade_admin: str | None = None


def _read_owner(lab: _Lab) -> tuple[str | None, str | None]:
    for getter in OWNER_GETTERS:
        address = _as_address(lab.call(lab.token, _calldata(getter, ())))
        if address is not None:
            return address, getter
    return None, None


def _resolve(template: tuple, roles: dict) -> tuple:
    out = []
    for item in template:
        if isinstance(item, list):
            out.append([roles.get(i, i) if isinstance(i, str) else i for i in item])
        elif isinstance(item, str):
            out.append(roles[item])
        else:
            out.append(item)
    return tuple(out)


def _victim_blocked(lab: _Lab, victim: str, sell_path: list[str] | None) -> str | None:
    """Why an ordinary holder can no longer move or sell, or None."""
    balance = lab.balance(victim)
    if balance <= 0:
        return "its balance is gone"
    outcome = lab.transfer(victim, _fresh("bystander"), max(balance // 10, 1))
    if not outcome.success:
        return f"a plain transfer now reverts ({outcome.revert_reason})"
    if sell_path:
        ok, *_rest, via = lab.sell(victim, lab.balance(victim) // 2, sell_path)
        if not ok:
            return f"selling now reverts ({via})"
    return None


def _effect(lab: _Lab, category: str, roles: dict, before: dict, sell_path,
            outcome: Outcome | None = None, shape: tuple = ()) -> tuple[bool, str, str]:
    """(confirmed, what happened, category): the effect of a privileged call just accepted."""
    confirmed, detail = _effect_of(lab, category, roles, before, sell_path, outcome, shape)
    if category == "unknown":
        return confirmed[0], detail, confirmed[1]
    return confirmed, detail, category


def _effect_of(lab: _Lab, category: str, roles: dict, before: dict, sell_path, outcome, shape):
    victim, attacker = roles["victim"], roles["attacker"]
    if category == "unknown":
        if lab.supply() > before["supply"] or lab.balance(attacker) > before["attacker"]:
            return (True, "mint"), "it created tokens from nothing"
        after = lab.balance(victim)
        if after < before["victim"]:
            return (True, "balance"), f"a holder's balance went from {before['victim']} to {after}"
        if outcome is not None and outcome.gas_used >= WRITE_GAS:
            blocked = _victim_blocked(lab, victim, sell_path)
            if blocked:
                kind = "blacklist" if shape and shape[0] == "victim" else "pause"
                return (True, kind), f"an ordinary holder is stuck: {blocked}"
        return (False, "unknown"), "accepted, no effect on holders seen"
    if category == "mint":
        grew = lab.supply() > before["supply"] or lab.balance(attacker) > before["attacker"]
        return grew, "total supply grew" if grew else "accepted, supply unchanged"
    if category == "balance":
        after = lab.balance(victim)
        return after < before["victim"], (f"a holder's balance went from {before['victim']} to "
                                           f"{after}")
    if category in ("blacklist", "pause", "maxtx"):
        blocked = _victim_blocked(lab, victim, sell_path)
        return blocked is not None, (f"an ordinary holder is stuck: {blocked}" if blocked
                                     else "accepted, but holders could still transfer and sell")
    if category == "fee":
        amount = lab.balance(victim) // 2
        to = _fresh("fee-probe")
        before_to = lab.balance(to)
        outcome = lab.transfer(victim, to, amount)
        if not outcome.success:
            return True, f"after it transfers revert ({outcome.revert_reason})"
        received = lab.balance(to) - before_to
        tax = _tax(received, amount) or 0.0
        if sell_path and tax < DANGER_TAX:
            ok, spent, out, fair, via = lab.sell(victim, lab.balance(victim), sell_path)
            sell_tax = _tax(out, fair) if ok else 1.0
            tax = max(tax, sell_tax or 0.0)
        return tax >= DANGER_TAX, f"afterwards the measured tax was {_pct(tax)}"
    if category == "minter":
        outcome = lab.send(attacker, lab.token, _calldata("mint(address,uint256)",
                                                          (attacker, roles["big"])))
        return outcome.success, ("the new minter could mint" if outcome.success
                                 else "accepted; the new minter could not mint")
    if category == "ownership":
        owner, _ = _read_owner(lab)
        moved = owner is not None and owner.lower() == attacker.lower()
        return moved, "ownership moved" if moved else "accepted"
    if category == "takeback":
        owner, _ = _read_owner(lab)
        return owner is not None and owner.lower() not in BURN_ADDRESSES, f"owner() is now {owner}"
    return True, "accepted"


def _probe(lab: _Lab, code: Bytecode, impl_code: Bytecode | None, sim: _Sim, holders: list[Holder],
           creator: str | None) -> _Probe:
    probe = _Probe()
    probe.owner, probe.owner_source = _read_owner(lab)
    selectors = set(code.selectors) | (impl_code.selectors if impl_code else set())
    scan_failed = _sel("transfer(address,uint256)") not in selectors
    # candidate privileged addresses
    slots: list[str] = []
    for slot in [*range(STORAGE_SLOTS_SCANNED), EIP1967_ADMIN]:
        try:
            word = int.from_bytes(lab.w3.eth.get_storage_at(lab.token, slot), "big")
        except Exception:
            continue
        if _looks_like_address(word):
            slots.append(to_checksum_address(word.to_bytes(20, "big")))
    skip = {lab.token.lower(), ZERO.lower(), DEAD.lower()}
    ordered: list[str] = []
    for address in [probe.owner, creator, *slots]:
        if address and address.lower() not in skip and address.lower() not in map(str.lower, ordered):
            ordered.append(address)
    probe.candidates = ordered[:MAX_PRIVILEGED_ADDRESSES]
    attacker, victim = _fresh("attacker"), _fresh("victim")
    impl = _as_address(lab.w3.eth.get_storage_at(lab.token, EIP1967_IMPLEMENTATION)) or lab.token
    sell_path = list(reversed(sim.route)) if sim.route and sim.sell_ok else None
    if _acquire(lab, _Sim(route=sim.route), victim, holders) <= 0:
        return probe
    roles = {"victim": victim, "attacker": attacker, "big": 1000 * 10**lab.decimals,
             "impl": impl}
    lab.mark()
    entries = [e for e in PRIVILEGED if scan_failed or _sel(e[0]) in selectors]
    known = {_sel(e[0]) for e in PRIVILEGED} | {_sel(r) for r in RENOUNCE} | ORDINARY
    entries += [("0x" + selector, "unknown", ()) for selector in sorted(selectors - known)]
    callers = [*probe.candidates, attacker]

    def variants(signature: str, category: str, template: tuple):
        if category == "unknown":
            for shape in GENERIC_SHAPES:
                yield shape, "0x" + signature[2:] + abi_encode(
                    ["address", "uint256"], list(_resolve(shape, roles))).hex()
        elif category == "fee":
            for value in FEE_VALUES:
                roles["fee"] = value
                yield (), _calldata(signature, _resolve(template, roles))
        else:
            yield (), _calldata(signature, _resolve(template, roles))

    ordinary_owner = probe.owner

    def try_entries(entries, callers) -> list[_Power]:
        found = []
        for signature, category, template in entries:
            roles["victim_balance"] = lab.balance(victim)
            for caller in callers:
                if category == "unknown" and caller == attacker:
                    continue
                accepted: _Power | None = None
                for shape, data in variants(signature, category, template):
                    before = {"supply": lab.supply(), "attacker": lab.balance(attacker),
                              "victim": lab.balance(victim)}
                    outcome = lab.send(caller, lab.token, data)
                    if not outcome.success:
                        continue
                    if (category == "ownership" and ordinary_owner
                            and caller.lower() == ordinary_owner.lower()):
                        lab.restore()
                        break  # the visible owner handing over ownership is ordinary
                    confirmed, detail, kind = _effect(lab, category, roles, before, sell_path,
                                                      outcome, shape)
                    lab.restore()
                    power = _Power(category=kind, signature=signature, address=caller,
                                   confirmed=confirmed, detail=detail,
                                   entry=(signature, category, template))
                    if confirmed:
                        accepted = power
                        break
                    if accepted is None and kind != "unknown":
                        accepted = power
                if accepted is not None:
                    found.append(accepted)
                    break
        return found

    probe.powers = try_entries(entries, callers)
    for power in probe.powers:
        if power.category == "upgrade":
            probe.upgrade_admin = power.address
    # renounce: do powers survive, and can someone take ownership back?
    owner = probe.owner
    renounce = next((s for s in RENOUNCE if scan_failed or _sel(s) in selectors), None)
    live_owner = owner is not None and owner.lower() not in BURN_ADDRESSES
    if live_owner and renounce and lab.send(owner, lab.token, _calldata(renounce, ())).success:
        now, _ = _read_owner(lab)
        if now is None or now.lower() in BURN_ADDRESSES:
            probe.renounce_tested = True
            lab.mark()
            again = [p.entry for p in probe.powers
                     if p.category not in ("ownership", "takeback")]
            ordinary_owner = None  # after renouncing, even the old owner may not hand it over
            takeback = [e for e in PRIVILEGED if e[1] in ("takeback", "ownership")
                        and (scan_failed or _sel(e[0]) in selectors)]
            probe.survives_renounce = [p for p in try_entries(again, callers) if p.confirmed]
            for power in try_entries(takeback, callers):
                if power.confirmed:
                    probe.takeback = f"{power.address} via {power.signature}"
                    break
    elif not live_owner:
        takeback = [e for e in PRIVILEGED if e[1] in ("takeback", "ownership")
                    and (scan_failed or _sel(e[0]) in selectors)]
        for power in try_entries(takeback, callers):
            if power.confirmed:
                probe.takeback = f"{power.address} via {power.signature}"
    lab.restore()
    return probe


# ------------------------------------------------------------------------------- chain data

_TransferIndex = dict[str, list[tuple[str, str, int]]]
_indexes: dict[tuple[int, str], tuple[_TransferIndex, int]] = {}


def _transfer_index(w3: Web3) -> tuple[_TransferIndex, int]:
    """Every Transfer(from, to, value) log of the latest HOLDER_LOG_BLOCKS blocks, by emitting
    contract (lower-case), and the first block read. One pass serves the token and its pools;
    it is kept per chain head, so repeated reports on an unchanged chain do not re-read it."""
    latest = w3.eth.get_block("latest")
    key = (w3.eth.chain_id, bytes(latest["hash"]).hex())
    if key in _indexes:
        return _indexes[key]
    start = max(0, latest["number"] - HOLDER_LOG_BLOCKS)
    index: _TransferIndex = {}
    topic = int(TRANSFER_TOPIC, 16)
    embedded = getattr(w3.provider, "embedded_chain", None)
    if embedded is not None:  # straight from py-evm's receipts: eth-tester's get_logs is O(txs²)
        chain = embedded.backend.chain
        for number in range(start, latest["number"] + 1):
            header = chain.get_canonical_block_header_by_number(number)
            builder = chain.get_vm_class(header).get_receipt_builder()
            for receipt in chain.chaindb.get_receipts(header, builder):
                for log in receipt.logs:
                    if len(log.topics) == 3 and log.topics[0] == topic:
                        index.setdefault("0x" + log.address.hex(), []).append((
                            "0x" + log.topics[1].to_bytes(32, "big")[-20:].hex(),
                            "0x" + log.topics[2].to_bytes(32, "big")[-20:].hex(),
                            int.from_bytes(log.data[:32], "big")))
    else:
        for log in w3.eth.get_logs({"fromBlock": start, "toBlock": latest["number"],
                                    "topics": [TRANSFER_TOPIC]}):
            if len(log["topics"]) != 3:
                continue
            index.setdefault(log["address"].lower(), []).append((
                "0x" + bytes(log["topics"][1])[-20:].hex(), "0x" + bytes(log["topics"][2])[-20:].hex(),
                int.from_bytes(bytes(log["data"])[:32], "big")))
    if len(_indexes) > 8:
        _indexes.clear()
    _indexes[key] = (index, start)
    return index, start


def _holders(lab: _Lab, token: str, supply: int, notes: list[str]) -> tuple[list[Holder], int]:
    index, start = _transfer_index(lab.w3)
    if start:
        notes.append(f"holders of {token} from Transfer logs of the last {HOLDER_LOG_BLOCKS} "
                     "blocks only")
    logs = index.get(token.lower(), [])
    net: dict[str, int] = {}
    for sender, receiver, value in logs:
        net[sender] = net.get(sender, 0) - value
        net[receiver] = net.get(receiver, 0) + value
    seen = sorted(net, key=lambda a: -net[a])
    if len(seen) > MAX_HOLDERS_READ:
        notes.append(f"balances read for the {MAX_HOLDERS_READ} largest of {len(seen)} addresses "
                     "seen in the logs")
    holders = []
    for address in seen[:MAX_HOLDERS_READ]:
        if address == ZERO:
            continue
        balance = lab.balance(to_checksum_address(address), token)
        if balance > 0:
            holders.append(Holder(address=to_checksum_address(address), balance=balance,
                                  share=balance / supply if supply else 0.0, kind="eoa"))
    holders.sort(key=lambda h: -h.balance)
    count = len(holders)
    for holder in holders[:20]:
        if holder.address.lower() in BURN_ADDRESSES:
            holder.kind = "burn"
        elif lab.w3.eth.get_code(holder.address):
            holder.kind = "contract"
    return holders, count


def _creator(w3: Web3, token: str, notes: list[str]) -> tuple[str | None, str]:
    """(creator, how): binary search for the first block holding the token's code, then the
    transaction in that block that created it. A creator that cannot be established is None
    with the reason ("unknown: ..."), never a guess: code placed by the node (a genesis
    allocation, a development node's setCode) has no creating transaction at all."""
    latest = w3.eth.block_number
    try:
        if not w3.eth.get_code(token, block_identifier=latest):
            return None, "unknown: no code at the latest block"
        low = first_block(latest,
                          lambda number: bool(w3.eth.get_code(token, block_identifier=number)))
    except Exception:
        notes.append("the node keeps no historical state: the creator was not looked up")
        return None, "unknown: the node keeps no historical state to find it"
    block = w3.eth.get_block(low, full_transactions=True)
    txs = list(block["transactions"])[:CREATION_SEARCH_TXS]
    for tx in txs:
        if not tx.get("to") and _create_address(tx["from"], tx["nonce"]).lower() == token.lower():
            return tx["from"], f"deployed it directly in block {low}"
    calls = [tx for tx in txs if tx.get("to")]
    return _creating_call(w3, token, low, calls)


def _traced_creation(w3: Web3, tx_hash, token: str) -> bool | None:
    """Whether the transaction's call trace creates `token` (CREATE/CREATE2 anywhere in it);
    None when the node gives no call traces."""
    try:
        answer = w3.provider.make_request(
            "debug_traceTransaction", ["0x" + bytes(tx_hash).hex(), {"tracer": "callTracer"}])
    except Exception:
        return None
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, dict):
        return None
    frames = [result]
    while frames:
        frame = frames.pop()
        if (str(frame.get("type", "")).upper().startswith("CREATE")
                and str(frame.get("to", "")).lower() == token.lower()):
            return True
        frames.extend(f for f in frame.get("calls") or [] if isinstance(f, dict))
    return False


def _creating_call(w3: Web3, token: str, block: int, calls: list) -> tuple[str | None, str]:
    """The sender of the call in `block` through which a contract created `token`: the one
    whose call trace shows the creation, or the block's only call when the node gives no
    traces; otherwise the creator is unknown."""
    placed = (f"unknown: its code appeared in block {block} without any transaction creating "
              "it (placed by the node itself, as at genesis or on a development node)")
    if not calls:
        return None, placed
    for tx in calls:
        created = _traced_creation(w3, tx["hash"], token)
        if created is None:
            break  # the node gives no call traces
        if created:
            return tx["from"], (f"sent the transaction in block {block} through which "
                                f"contract {tx['to']} created it (call trace)")
    else:
        return None, placed  # every call was traced and none created it
    if len(calls) == 1:
        tx = calls[0]
        return tx["from"], (f"sent the only contract call in block {block} (to {tx['to']}); "
                            "the node gives no call traces to confirm it created the token")
    return None, (f"unknown: its code appeared in block {block} among {len(calls)} "
                  "transactions, and the node gives no call traces to tell which created it")


def _pools(lab: _Lab, prices: PriceSource, token: str, owner: str | None,
           creator: str | None) -> list[PoolReport]:
    w3, factory = lab.w3, lab.factory
    reports = []
    if not factory:
        return reports
    interested = {a.lower() for a in (owner, creator) if a}
    for symbol, quote in _quote_tokens(lab.chain).items():
        if quote.lower() == token.lower():
            continue
        info = amm.pool(w3, factory, token, quote)
        if info is None:
            continue
        reserves = lab.pair_reserves(info.address, token) or (0, 0)
        usd = prices.usdc_value(quote, reserves[1])
        lp_supply = lab.uint(info.address, _calldata("totalSupply()", ())) or 0
        lp_holders, _ = _holders(lab, info.address, lp_supply, [])
        for holder in lp_holders:
            if holder.address.lower() in interested:
                holder.kind = "owner" if owner and holder.address.lower() == owner.lower() else "creator"
        burned = sum(h.share for h in lp_holders if h.kind == "burn")
        owned = sum(h.share for h in lp_holders if h.address.lower() in interested)
        reports.append(PoolReport(
            pair=info.address, quote_symbol=symbol, quote_token=quote, token_reserve=reserves[0],
            quote_reserve=reserves[1], liquidity_usd=None if usd is None else 2 * usd / 10**6,
            lp_total_supply=lp_supply, lp_holders=lp_holders[:10], lp_burned_share=burned,
            lp_owner_share=owned))
    return reports


def _created_by(w3: Web3, creator: str, exclude: str) -> list[str]:
    if w3.eth.get_code(creator):
        return []
    nonce = w3.eth.get_transaction_count(creator)
    found = []
    for n in range(max(0, nonce - CREATOR_NONCES), nonce):
        address = _create_address(creator, n)
        if address.lower() != exclude.lower() and w3.eth.get_code(address):
            found.append(address)
    return found


_quick_cache: dict[tuple[int, str, str], tuple[str, str]] = {}


def _quick_verdict(lab: _Lab) -> tuple[Verdict | Literal["unrated"], str]:
    sim = _simulate(lab, [], full=False)
    if not sim.route and not sim.buy_ok:
        return "unrated", "no pool to trade it in"
    if not sim.buy_ok:
        return "danger", f"cannot be bought ({sim.buy_reason})"
    if sim.honeypot:
        return "danger", f"honeypot: cannot be sold ({sim.sell_reason})"
    taxes = [t for t in (sim.buy_tax, sim.sell_tax, sim.transfer_tax) if t is not None]
    worst = max(taxes, default=0.0)
    if worst >= DANGER_TAX or sim.inconsistent:
        return "danger", f"tax {_pct(worst)}" if worst >= DANGER_TAX else "lying balanceOf"
    if worst >= CAUTION_TAX or sim.cannot_sell_all:
        return "caution", f"tax {_pct(worst)}" + (", cannot sell all" if sim.cannot_sell_all else "")
    return "safe", "bought, transferred and sold back with no tax"


# ------------------------------------------------------------------------------------ report

def token_report(w3: Web3, chain: ChainConfig, token: str, *,
                 creator_tokens: bool = True) -> TokenReport:
    """A GoPlus-style security report for `token` on `chain`, established locally."""
    started = time.perf_counter()
    token = to_checksum_address(token)
    code_bytes = bytes(w3.eth.get_code(token))
    if not code_bytes:
        raise StewardError(f"{token} has no code on {chain.name}: it is not a token contract")
    try:
        info = erc20.token_info(w3, token)
        symbol, name, decimals = info.symbol, info.name, info.decimals
    except StewardError:
        symbol, name, decimals = "?", "?", 18
    fields: dict[str, Field] = {name_: Field() for name_ in FIELD_NAMES}
    findings: list[Finding] = []
    notes: list[str] = []

    def flag(field: str, severity: Severity, reason: str, method: str | None = None):
        method = method or fields[field].method
        fields[field].flagged = fields[field].flagged or severity != "info"
        findings.append(Finding(field=field, severity=severity, reason=reason, method=method))

    def put(field: str, value, method: str, detail: str | None = None):
        fields[field].value, fields[field].method = value, method
        if detail:
            fields[field].detail = detail

    # ---- bytecode
    code = analyse_bytecode(code_bytes)
    impl_address = _as_address(w3.eth.get_storage_at(token, EIP1967_IMPLEMENTATION))
    admin_slot = _as_address(w3.eth.get_storage_at(token, EIP1967_ADMIN))
    beacon = _as_address(w3.eth.get_storage_at(token, EIP1967_BEACON))
    impl_address = None if impl_address == ZERO else impl_address
    admin_slot = None if admin_slot == ZERO else admin_slot
    beacon = None if beacon == ZERO else beacon
    impl_code = None
    target = impl_address or code.minimal_proxy_target
    if target:
        impl_code = analyse_bytecode(bytes(w3.eth.get_code(target)))
    bytecode_method = "bytecode: opcode sweep"
    ops = code.opcodes | (impl_code.opcodes if impl_code else set())
    put("selfdestruct", 0xFF in ops, bytecode_method + " (SELFDESTRUCT 0xff)")
    if 0xFF in ops:
        flag("selfdestruct", "caution", "the code contains SELFDESTRUCT")
    calls = sorted({"CALL": 0xF1 in ops, "DELEGATECALL": 0xF4 in ops,
                    "CALLCODE": 0xF2 in ops}.items())
    put("external_call", 0xF1 in ops or 0xF4 in ops or 0xF2 in ops,
        bytecode_method + " (CALL/DELEGATECALL/CALLCODE)",
        ", ".join(k for k, v in calls if v) or None)
    is_proxy = bool(impl_address or beacon or code.minimal_proxy_target)
    proxy_detail = ("EIP-1967 implementation " + impl_address if impl_address else
                    "EIP-1967 beacon " + beacon if beacon else
                    "EIP-1167 minimal proxy to " + code.minimal_proxy_target
                    if code.minimal_proxy_target else None)
    put("is_proxy", is_proxy, "bytecode: EIP-1967 slots and EIP-1167 pattern", proxy_detail)

    with throwaway(w3, chain) as backend:
        lab = _Lab(w3, chain, backend, token, decimals)
        supply = lab.supply()
        # ---- chain data: holders and creator
        holders, holder_count = _holders(lab, token, supply, notes)
        creator, creator_how = _creator(w3, token, notes)
        # ---- simulation
        sim = _simulate(lab, holders)
        lab.rewind()
        # ---- privilege probe
        probe = _probe(lab, code, impl_code, sim, holders, creator)
        lab.rewind()
        # ---- pools and liquidity
        prices = PriceSource(w3, chain)
        pools = _pools(lab, prices, token, probe.owner, creator)
        # ---- the creator's other tokens
        rated: list[CreatorToken] = []
        if creator and creator_tokens:
            others = _created_by(w3, creator, token)
            erc20s = []
            for address in others:
                try:
                    other = erc20.token_info(w3, address)
                except StewardError:
                    continue
                erc20s.append(other)
            if len(erc20s) > CREATOR_TOKENS_RATED:
                notes.append(f"only the latest {CREATOR_TOKENS_RATED} of the creator's "
                             f"{len(erc20s)} other tokens were rated")
            head = bytes(w3.eth.get_block("latest")["hash"]).hex()
            for position, other in enumerate(reversed(erc20s)):
                key = (chain.chain_id, head, other.address)
                if position >= CREATOR_TOKENS_RATED:
                    verdict, why = "unrated", "beyond the number of tokens rated per report"
                elif key in _quick_cache:
                    verdict, why = _quick_cache[key]
                else:
                    lab.rewind()
                    other_lab = _Lab(w3, chain, backend, other.address, other.decimals,
                                     lab.deadline)
                    verdict, why = _quick_cache[key] = _quick_verdict(other_lab)
                rated.append(CreatorToken(address=other.address, symbol=other.symbol,
                                          verdict=verdict, reason=why))
            if w3.eth.get_transaction_count(creator) > CREATOR_NONCES:
                notes.append(f"only the creator's last {CREATOR_NONCES} deployments were looked at")
        method = backend.method

    # ---- simulation fields
    sim_method = f"simulation on a throwaway {method}"
    if sim.route:
        route = " → ".join(chain.token_symbol(a) or (symbol if a == token else a) for a in sim.route)
        sim_method += f" (route {route})"
    if not pools:
        put("is_in_dex", False, "chain data: factory pools")
        flag("is_in_dex", "caution", "no pool with liquidity: it cannot be bought or sold here")
    else:
        put("is_in_dex", True, "chain data: factory pools")
    put("cannot_buy", bool(sim.route) and not sim.buy_ok, sim_method, sim.buy_reason)
    if sim.route and not sim.buy_ok:
        flag("cannot_buy", "danger", f"buying reverts ({sim.buy_reason})")
    put("buy_tax", sim.buy_tax, sim_method + ": received vs the router's quote")
    put("transfer_tax", sim.transfer_tax, sim_method + ": recipient's balanceOf vs amount sent")
    put("sell_tax", sim.sell_tax, sim_method + f": proceeds vs quote, sold via {sim.sell_via}")
    for field, label in (("buy_tax", "buy"), ("sell_tax", "sell"), ("transfer_tax", "transfer")):
        tax = fields[field].value
        if tax is None:
            continue
        if tax >= DANGER_TAX:
            flag(field, "danger", f"{label} tax is {_pct(tax)}")
        elif tax >= CAUTION_TAX:
            flag(field, "caution", f"{label} tax is {_pct(tax)}")
        elif tax > 0.001:
            flag(field, "info", f"small {label} tax of {_pct(tax)}")
    put("is_honeypot", sim.honeypot, sim_method + ": the buyer's tokens sold back", sim.sell_reason)
    if sim.honeypot:
        flag("is_honeypot", "danger", f"honeypot: holders cannot sell ({sim.sell_reason})")
    put("cannot_sell_all", sim.cannot_sell_all, sim_method + ": full balance, then half, then 1%")
    if sim.cannot_sell_all:
        flag("cannot_sell_all", "danger", "selling the whole balance reverts: only "
             f"{sim.sell_part or 'part'} of it would sell, so holders cannot fully exit")
    put("balance_inconsistent", bool(sim.inconsistent),
        sim_method + ": balanceOf deltas vs Transfer events", "; ".join(sim.inconsistent) or None)
    if sim.inconsistent:
        flag("balance_inconsistent", "danger", "balanceOf lies: " + sim.inconsistent[0])
    put("trading_cooldown", sim.cooldown, sim_method + ": two sells in a row")
    if sim.cooldown:
        fields["trading_cooldown"].detail = sim.cooldown_detail
        flag("trading_cooldown", "danger", f"{sim.cooldown_detail}: holders are rate-limited and "
             "cannot exit in a hurry (trading cooldown)")
    put("is_anti_whale", sim.anti_whale, sim_method + ": a whale-sized buy and sell",
        sim.anti_whale_detail)
    if sim.anti_whale:
        if sim.cannot_sell_all:  # the cap bites even an ordinary 0.1-ETH purchase
            flag("is_anti_whale", "danger", "sells are capped below an ordinary purchase: "
                 f"{sim.anti_whale_detail or 'large trades revert'}, and even a 0.1 ETH buy "
                 f"sells only {sim.sell_part or 'in part'} at once")
        else:
            flag("is_anti_whale", "caution", sim.anti_whale_detail or "large trades revert")
    if sim.external_logs:
        fields["external_call"].value = True
        fields["external_call"].detail = ((fields["external_call"].detail or "") +
                                          f"; a plain transfer made contracts {', '.join(sim.external_logs)} emit events").lstrip("; ")
    if fields["external_call"].value:
        flag("external_call", "info", "the token calls other contracts"
             + (f" ({fields['external_call'].detail})" if fields["external_call"].detail else ""))

    # ---- privilege fields
    probe_method = (f"privilege probe on a throwaway {method}: the owner and "
                    f"{len(probe.candidates)} stored addresses tried the privileged selectors "
                    "found in the bytecode")
    owner = probe.owner
    renounced = owner is None or owner.lower() in BURN_ADDRESSES
    put("owner_address", owner, f"read {probe.owner_source}" if probe.owner_source
        else "no owner()/getOwner()/admin() getter")
    by_cat: dict[str, list[_Power]] = {}
    for power in probe.powers:
        by_cat.setdefault(power.category, []).append(power)

    def visible(address: str) -> bool:
        return bool(owner) and not renounced and address.lower() == owner.lower()

    anyone = _fresh("attacker").lower()
    hidden = [p for p in probe.powers if p.category not in ("ownership", "takeback", "unknown")
              and not visible(p.address) and p.address.lower() != anyone
              and (p.confirmed or renounced)]
    hidden_owner = bool(hidden or probe.survives_renounce
                        or (by_cat.get("ownership") and not renounced))
    owner_is_contract = bool(owner and not renounced and w3.eth.get_code(owner))

    mints = [p for p in by_cat.get("mint", []) + by_cat.get("minter", []) if p.confirmed]
    mint_present = any(_sel(s) in code.selectors for s, c, _ in PRIVILEGED if c == "mint")
    put("is_mintable", bool(mints) or (mint_present and None), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in mints) or None)
    if mints:
        hidden_mint = [p for p in mints if not visible(p.address)]
        survive = [p for p in probe.survives_renounce if p.category in ("mint", "minter")]
        if hidden_mint or survive:
            who = (hidden_mint or survive)[0]
            flag("is_mintable", "danger", f"{who.address}, which is not the visible owner, can "
                 f"mint new tokens ({who.signature})" if hidden_mint else
                 f"the owner can still mint after renouncing ({who.signature})")
        else:
            kind = "a contract" if owner_is_contract else "an externally owned account"
            flag("is_mintable", "caution", f"the owner ({kind}, {owner}) can mint new tokens at "
                 "will; the supply is only as fixed as that key is trusted")
    elif mint_present:
        fields["is_mintable"].value = None
        fields["is_mintable"].detail = "a mint selector is dispatched but no probed address could use it"
        flag("is_mintable", "info", "a mint function exists but none of the probed addresses "
             "could use it")
    else:
        fields["is_mintable"].value = False

    changes = by_cat.get("balance", [])
    put("owner_change_balance", any(p.confirmed for p in changes), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in changes) or None)
    if any(p.confirmed for p in changes):
        p = next(p for p in changes if p.confirmed)
        flag("owner_change_balance", "danger", f"{p.address} can rewrite holders' balances "
             f"({p.signature}: {p.detail})")

    blacklist = by_cat.get("blacklist", [])
    put("is_blacklisted", bool(blacklist), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in blacklist) or None)
    if blacklist:
        p = blacklist[0]
        if p.confirmed:
            flag("is_blacklisted", "danger", f"{p.address} can blacklist holders so they cannot "
                 f"sell ({p.signature}: {p.detail})")
        else:
            flag("is_blacklisted", "caution", f"{p.address} can blacklist addresses "
                 f"({p.signature}); {p.detail}")

    whitelist = by_cat.get("whitelist", [])
    put("is_whitelisted", bool(whitelist), probe_method,
        "; ".join(f"{p.signature} by {p.address}" for p in whitelist) or None)
    if whitelist:
        flag("is_whitelisted", "caution", f"{whitelist[0].address} keeps a whitelist "
             f"({whitelist[0].signature}): some addresses are treated differently")

    pause = by_cat.get("pause", [])
    put("transfer_pausable", bool(pause), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in pause) or None)
    if pause:
        p = next((p for p in pause if p.confirmed), pause[0])
        if p.confirmed:
            flag("transfer_pausable", "danger", f"{p.address} can freeze every holder's tokens "
                 f"({p.signature}: {p.detail})")
        else:
            flag("transfer_pausable", "caution", f"{p.address} can pause trading "
                 f"({p.signature}: {p.detail})")

    cooldown_setters = by_cat.get("cooldown", [])
    if cooldown_setters:
        fields["trading_cooldown"].value = True
        fields["trading_cooldown"].detail = (f"{cooldown_setters[0].address} can set a cooldown "
                                             f"({cooldown_setters[0].signature})")
        if not sim.cooldown:
            flag("trading_cooldown", "caution", fields["trading_cooldown"].detail, probe_method)

    fee = by_cat.get("fee", [])
    put("slippage_modifiable", bool(fee), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in fee) or None)
    if fee:
        p = next((p for p in fee if p.confirmed), fee[0])
        if p.confirmed:
            flag("slippage_modifiable", "danger", f"{p.address} can raise the tax to a level that "
                 f"traps holders ({p.signature}: {p.detail})")
        else:
            flag("slippage_modifiable", "caution", f"{p.address} can change the tax "
                 f"({p.signature}: {p.detail})")

    maxtx = by_cat.get("maxtx", [])
    put("anti_whale_modifiable", bool(maxtx), probe_method,
        "; ".join(f"{p.signature} by {p.address}: {p.detail}" for p in maxtx) or None)
    if maxtx:
        p = maxtx[0]
        flag("anti_whale_modifiable", "caution", f"{p.address} can change the transaction or "
             f"wallet limit ({p.signature}: {p.detail})")

    upgraders = by_cat.get("upgrade", [])
    if is_proxy:
        admin = probe.upgrade_admin or admin_slot
        if admin and admin.lower() not in BURN_ADDRESSES:
            fields["is_proxy"].detail = f"{proxy_detail}; upgradeable by {admin}"
            flag("is_proxy", "danger", f"it is an upgradeable proxy ({proxy_detail}) and {admin} "
                 "can replace its code at any time", probe_method if upgraders else None)
        else:
            flag("is_proxy", "caution", f"it is a proxy ({proxy_detail}); its code lives elsewhere")
    elif upgraders:
        fields["is_proxy"].value = True
        fields["is_proxy"].detail = f"{upgraders[0].address} can call {upgraders[0].signature}"
        flag("is_proxy", "danger", f"{upgraders[0].address} can upgrade its code "
             f"({upgraders[0].signature})", probe_method)

    put("hidden_owner", hidden_owner, probe_method + (
        "; then the owner renounced and the powers were tried again" if probe.renounce_tested else ""))
    if hidden_owner:
        who = (hidden or probe.survives_renounce or by_cat.get("ownership", []))[0]
        fields["hidden_owner"].detail = f"{who.address}: {who.signature}"
        if renounced:
            reason = f"ownership looks renounced but {who.address} still holds powers ({who.signature})"
        elif who in probe.survives_renounce:
            reason = f"powers survive renouncing ownership ({who.signature} by {who.address})"
        elif who.category == "ownership":
            reason = f"{who.address}, not the owner, can seize ownership ({who.signature})"
        else:
            reason = (f"{who.address}, which is not the visible owner {owner}, holds powers "
                      f"({who.signature}: {who.detail})")
        flag("hidden_owner", "danger", reason)

    put("can_take_back_ownership", bool(probe.takeback), probe_method + ": renounce, then retake",
        probe.takeback)
    if probe.takeback:
        flag("can_take_back_ownership", "danger", f"ownership can be taken back after renouncing "
             f"({probe.takeback})")

    really = renounced and not hidden_owner and not probe.takeback
    put("owner_renounced", really if renounced else False,
        "owner() read, then checked by the privilege probe", None if not renounced else
        ("really renounced: no probed address kept any power" if really
         else "renounced in name only"))

    # ---- holders
    chain_method = "chain data: Transfer logs, then balanceOf"
    pool_addresses = {p.pair.lower() for p in pools}
    for holder in holders:
        if holder.address.lower() in pool_addresses:
            holder.kind = "pool"
        elif owner and holder.address.lower() == owner.lower():
            holder.kind = "owner"
        elif creator and holder.address.lower() == creator.lower():
            holder.kind = "creator"
    top10 = sum(h.share for h in holders[:10])
    put("top10_holder_percent", top10 if supply else None, chain_method)
    owner_share = sum(h.share for h in holders if owner and h.address.lower() == owner.lower())
    creator_share = sum(h.share for h in holders
                        if creator and h.address.lower() == creator.lower())
    put("owner_percent", owner_share if owner and not renounced else 0.0, chain_method)
    put("creator_address", creator, "chain data: first block with code (binary search), then "
        f"its transactions: the creator {creator_how if creator else 'is ' + creator_how}",
        None if creator else creator_how)
    put("creator_percent", creator_share, chain_method)
    for share, who, field in ((owner_share, "the owner", "owner_percent"),
                              (creator_share, "the creator", "creator_percent")):
        if share > 0.5:
            flag(field, "caution", f"{who} holds {_pct(share)} of the supply")
    outside = [h for h in holders if h.kind not in ("pool", "burn")]
    if outside and outside[0].share > 0.5 and outside[0].kind not in ("owner", "creator"):
        findings.append(Finding(field="top10_holder_percent", severity="info",
                                reason=f"one address ({outside[0].address}) holds "
                                       f"{_pct(outside[0].share)} of the supply",
                                method=chain_method))

    # ---- liquidity
    total_usd = sum(p.liquidity_usd or 0.0 for p in pools)
    put("liquidity_usd", total_usd if pools else 0.0,
        "chain data: factory pools against the chain's tokens, valued with PriceSource")
    if pools and total_usd < 1_000:
        flag("liquidity_usd", "caution", f"thin liquidity: ${total_usd:,.0f} in all pools")
    for pool in pools:
        if pool.lp_owner_share > 0.5 and pool.lp_burned_share < 0.5:
            findings.append(Finding(
                field="liquidity_usd", severity="info", method="chain data: LP Transfer logs",
                reason=f"{_pct(pool.lp_owner_share)} of the {symbol}/{pool.quote_symbol} LP "
                       "tokens sit with the owner or creator, unlocked: they can withdraw the "
                       "liquidity"))

    # ---- score and verdict
    score = 100
    for finding in findings:
        score -= PENALTY[finding.severity]
        if finding.severity == "info" and finding.field in ("buy_tax", "sell_tax",
                                                            "transfer_tax", "external_call"):
            score -= 2
    score = max(0, score)
    severities = {f.severity for f in findings}
    verdict: Verdict = ("danger" if "danger" in severities else
                        "caution" if "caution" in severities else "safe")
    order = {"danger": 0, "caution": 1, "info": 2}
    reasons = [f.reason for f in sorted(findings, key=lambda f: order[f.severity])]
    if not reasons:
        reasons = ["bought, transferred and sold back with no tax, and no privileged power "
                   "over holders was found"]
    return TokenReport(
        chain=chain.name, token=token, symbol=symbol, name=name, decimals=decimals,
        total_supply=supply, fields=fields, holders=holders[:10], holder_count=holder_count,
        pools=pools, creator_tokens=rated, findings=findings, score=score, verdict=verdict,
        reasons=reasons, notes=notes, method=method,
        elapsed_s=round(time.perf_counter() - started, 3))


__all__ = ["Bytecode", "CreatorToken", "Field", "Finding", "Holder", "PoolReport",
           "TokenReport", "analyse_bytecode", "token_report"]
