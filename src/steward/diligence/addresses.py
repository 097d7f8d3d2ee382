"""Address due diligence: what is at this address, and is someone poisoning the owner's history?

`check_address(w3, chain, address, owner, known)` establishes, from the chain itself:

* whether the address is an account (EOA) or a contract (`eth_getCode`), and for an EOA
  with an EIP-7702 delegation, to what;
* whether a contract answers like an ERC-20 token (`decimals`, `totalSupply`, `symbol`);
* first activity: for a contract, the block that created it — a binary search over historical
  `eth_getCode` where the node keeps old state, otherwise a scan back over at most
  `scan_blocks` blocks for the creating transaction (and it says when it gave up); for an
  EOA, its nonce and so whether it has ever sent a transaction;
* lookalikes: addresses in `known` (contacts, own wallets, past recipients — name → address)
  or in the chain config that share the first 4 and last 4 hex characters but differ, or
  differ in at most two hex digits (address poisoning and near typos; the guard's rule);
* spam aimed at `owner`: ERC-20 `Transfer` logs to the owner (and zero-value ones *from* the
  owner, which `transferFrom(owner, x, 0)` forges without any allowance) over the last
  `log_blocks` blocks that are zero-value, dust, or come from a lookalike of a known address.

Every fact carries a `how` sentence. The verdict is the worst finding: info → safe,
warning → caution, danger → danger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from eth_utils import is_address, to_checksum_address
from pydantic import BaseModel
from web3 import Web3

from steward.chains.config import ChainConfig
from steward.contacts import checked_address, load_contacts, short
from steward.diligence.links import Finding, Severity, VerdictWord, verdict_of
from steward.errors import StewardError
from steward.protocols import registry

TRANSFER_TOPIC = "0x" + Web3.keccak(text="Transfer(address,address,uint256)").hex().removeprefix(
    "0x")
DEFAULT_SCAN_BLOCKS = 5_000
DEFAULT_LOG_BLOCKS = 5_000
DEFAULT_DUST = Decimal("0.001")  # in whole tokens: below this a transfer is dust
DELEGATION_PREFIX = bytes.fromhex("ef0100")  # EIP-7702: an EOA's code pointing at a contract


NEAR_TYPO_DIGITS = 2  # two random addresses differ in ~37.5 of 40 digits: 1-2 is no accident


def lookalike(a: str, b: str) -> bool:
    """The guard's address-poisoning rule: a different address that shares the first 4 and
    last 4 hex digits (a vanity-mined imitation), or differs in at most two of its 40 digits
    (a near typo of a known address, which an unchecksummed address cannot reveal)."""
    a, b = a.lower()[2:], b.lower()[2:]
    if a == b:
        return False
    if a[:4] == b[:4] and a[-4:] == b[-4:]:
        return True
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= NEAR_TYPO_DIGITS


def lookalike_how(a: str, b: str) -> str:
    """How two look-alike addresses resemble each other, in words."""
    x, y = a.lower()[2:], b.lower()[2:]
    differ = sum(p != q for p, q in zip(x, y))
    if differ <= NEAR_TYPO_DIGITS:
        return (f"differs from this known address in only {differ} of its 40 hex digits "
                "(a typo, or an imitation)")
    return ("has the same first 4 and last 4 hex digits as this known address but is another "
            "address (a poisoning attack copies the first and last characters)")


class TokenFacts(BaseModel):
    symbol: str | None  # as the token reports it, made safe to show (attacker-controlled)
    decimals: int
    total_supply: int
    configured_as: str | None  # the symbol this chain's config gives the address, if any
    how: str


class FirstActivity(BaseModel):
    kind: Literal["created", "nonce", "unknown"]
    block: int | None = None  # creation block (contracts)
    tx_hash: str | None = None  # the creating transaction, when it was a top-level creation
    creator: str | None = None
    nonce: int | None = None  # transactions sent (EOAs)
    has_sent: bool | None = None
    scanned_from: int | None = None  # the block range searched, when it was scanned
    scanned_to: int | None = None
    gave_up: bool = False
    how: str


class Lookalike(BaseModel):
    name: str
    address: str
    how: str


class SpamTransfer(BaseModel):
    block: int
    tx_hash: str
    token: str
    token_symbol: str | None
    direction: Literal["in", "out"]  # to the owner, or (forged) from the owner
    counterparty: str
    value: int
    reasons: list[str]
    lookalike_of: str | None = None  # the known name the counterparty imitates


class AddressReport(BaseModel):
    address: str
    chain: str
    owner: str | None
    is_contract: bool
    code_size: int
    delegated_to: str | None = None  # EIP-7702 delegation target of an EOA
    kind_how: str
    balance_wei: int
    known_as: str | None  # the name in `known` or the chain config role
    token: TokenFacts | None
    token_how: str
    first_activity: FirstActivity
    lookalikes: list[Lookalike]
    spam: list[SpamTransfer]
    spam_how: str
    findings: list[Finding]
    verdict: VerdictWord
    reasons: list[str]


def _known_names(chain: ChainConfig, known: dict[str, str]) -> dict[str, str]:
    """lower-case address → name, from `known` and the chain's configured tokens and contracts."""
    names = {address.lower(): f"the {symbol} token" for symbol, address in chain.tokens.items()}
    names |= {address.lower(): f"the {registry.config_key_label(role)} contract"
              for role, address in chain.contracts.items()}
    for name, address in known.items():
        if is_address(address):
            names[address.lower()] = name
    return names


def _token_facts(w3: Web3, chain: ChainConfig, address: str) -> tuple[TokenFacts | None, str]:
    from steward.contracts import abi
    from steward.protocols.erc20 import display_text

    token = w3.eth.contract(address=address, abi=abi("ERC20"))
    try:
        decimals = token.functions.decimals().call()
        supply = token.functions.totalSupply().call()
    except Exception:
        return None, "it does not answer decimals() and totalSupply() like an ERC-20 token"
    try:
        symbol = display_text(token.functions.symbol().call())
    except Exception:
        symbol = None
    configured = chain.token_symbol(address)
    how = ("eth_call of decimals(), totalSupply() and symbol() answered"
           if symbol is not None else "eth_call of decimals() and totalSupply() answered; "
           "symbol() did not")
    return TokenFacts(symbol=symbol, decimals=decimals, total_supply=supply,
                      configured_as=configured, how=how), how


def _creation(w3: Web3, address: str, latest: int, scan_blocks: int) -> FirstActivity:
    """The block that created the contract at `address`."""
    try:
        block = _bisect_creation(w3, address, latest)
    except Exception:
        block = None  # the node keeps no old state: scan for the creating transaction instead
    if block is not None:
        if block == 0:
            return FirstActivity(kind="created", block=0, how="historical eth_getCode: the code "
                                 "is present at the genesis block")
        found = _creating_tx(w3, address, block)
        if found:
            tx_hash, creator = found
            return FirstActivity(kind="created", block=block, tx_hash=tx_hash, creator=creator,
                                 how=f"binary search over historical eth_getCode put the code's "
                                 f"first appearance in block {block}; the creating transaction "
                                 "is the contract creation in that block whose receipt names it")
        if not w3.eth.get_block(block)["transactions"]:
            return FirstActivity(kind="created", block=block,
                                 how=f"binary search over historical eth_getCode put the code's "
                                 f"first appearance in block {block}, which has no transactions: "
                                 "the node itself placed it (a dev node's setCode or a state "
                                 "edit), so no creator can be named")
        return FirstActivity(kind="created", block=block,
                             how=f"binary search over historical eth_getCode put the code's "
                             f"first appearance in block {block}; no top-level creation there "
                             "names it, so another contract created it (CREATE/CREATE2)")
    start = max(0, latest - scan_blocks + 1)
    for number in range(latest, start - 1, -1):
        found = _creating_tx(w3, address, number)
        if found:
            tx_hash, creator = found
            return FirstActivity(kind="created", block=number, tx_hash=tx_hash, creator=creator,
                                 scanned_from=start, scanned_to=latest,
                                 how=f"scanned blocks {latest} back to {number} for contract-"
                                 "creation transactions; this one's receipt names the address")
    return FirstActivity(kind="unknown", scanned_from=start, scanned_to=latest, gave_up=True,
                         how=f"the node keeps no historical state, and no top-level creation "
                         f"in blocks {start}–{latest} (the last {latest - start + 1}) created "
                         "it: it is older, or a contract created it; gave up there")


def _bisect_creation(w3: Web3, address: str, latest: int) -> int | None:
    """The first block with code at `address` (assumes it was not destroyed and re-created)."""
    if w3.eth.get_code(address, block_identifier=0):
        return 0
    low, high = 0, latest  # no code at low, code at high
    while high - low > 1:
        middle = (low + high) // 2
        if w3.eth.get_code(address, block_identifier=middle):
            high = middle
        else:
            low = middle
    return high


def _creating_tx(w3: Web3, address: str, number: int) -> tuple[str, str] | None:
    block = w3.eth.get_block(number, full_transactions=True)
    for tx in block["transactions"]:
        if tx.get("to"):  # a creation has no recipient (None, or "" from some nodes)
            continue
        receipt = w3.eth.get_transaction_receipt(tx["hash"])
        created = receipt.get("contractAddress")
        if created and created.lower() == address.lower():
            return "0x" + bytes(tx["hash"]).hex(), to_checksum_address(tx["from"])
    return None


def _topic(address: str) -> str:
    return "0x" + "0" * 24 + address.lower()[2:]


def _spam(w3: Web3, owner: str, names: dict[str, str], latest: int, log_blocks: int,
          dust: Decimal) -> tuple[list[SpamTransfer], str]:
    start = max(0, latest - log_blocks + 1)
    try:
        incoming = w3.eth.get_logs({"fromBlock": start, "toBlock": latest,
                                    "topics": [TRANSFER_TOPIC, None, _topic(owner)]})
        outgoing = w3.eth.get_logs({"fromBlock": start, "toBlock": latest,
                                    "topics": [TRANSFER_TOPIC, _topic(owner)]})
    except Exception as exc:
        return [], (f"eth_getLogs for Transfer events of {short(owner)} over blocks "
                    f"{start}–{latest} failed ({type(exc).__name__}); spam was not checked")
    decimals: dict[str, int | None] = {}
    symbols: dict[str, str | None] = {}
    found = []
    for log, direction in [(log, "in") for log in incoming] + [(log, "out") for log in outgoing]:
        topics = log["topics"]
        data = bytes(log["data"])
        if len(topics) != 3 or len(data) != 32:
            continue  # not an ERC-20 Transfer (ERC-721 puts the id in a fourth topic)
        value = int.from_bytes(data, "big")
        sender = to_checksum_address(bytes(topics[1])[-20:])
        receiver = to_checksum_address(bytes(topics[2])[-20:])
        counterparty = sender if direction == "in" else receiver
        if direction == "out" and (value != 0 or receiver.lower() == owner.lower()):
            continue  # the owner's own payments; only forged zero-value ones are spam
        token = to_checksum_address(log["address"])
        if token not in decimals:
            facts = _quiet_token(w3, token)
            decimals[token], symbols[token] = facts
        reasons = []
        if value == 0:
            reasons.append("zero-value transfer" if direction == "in" else
                           "zero-value transfer from your wallet that anyone can forge with "
                           "transferFrom(you, them, 0)")
        elif decimals[token] is not None and Decimal(value) < dust * 10 ** decimals[token]:
            reasons.append(f"dust: {Decimal(value) / 10 ** decimals[token]} "
                           f"{symbols[token] or 'tokens'}, below {dust}")
        imitated = next((name for addr, name in names.items() if lookalike(counterparty, addr)),
                        None)
        if imitated:
            reasons.append(f"{short(counterparty)} imitates {imitated}")
        if reasons:
            found.append(SpamTransfer(block=log["blockNumber"],
                                      tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                                      token=token, token_symbol=symbols[token],
                                      direction=direction, counterparty=counterparty,
                                      value=value, reasons=reasons, lookalike_of=imitated))
    how = (f"eth_getLogs for ERC-20 Transfer events to {short(owner)} (and zero-value ones "
           f"from it) over blocks {start}–{latest}; flagged when zero-value, below {dust} "
           "tokens, or from a lookalike of a known address")
    return found, how


def _quiet_token(w3: Web3, token: str) -> tuple[int | None, str | None]:
    from steward.contracts import abi
    from steward.protocols.erc20 import display_text

    contract = w3.eth.contract(address=token, abi=abi("ERC20"))
    try:
        decimals = contract.functions.decimals().call()
    except Exception:
        decimals = None
    try:
        symbol = display_text(contract.functions.symbol().call())
    except Exception:
        symbol = None
    return (decimals if decimals is None or 0 <= decimals <= 36 else None), symbol


def known_addresses(owner: str | None) -> dict[str, str]:
    """Name → address of everything the owner knows: contacts, own wallets, past recipients.

    A past recipient that already has a name keeps it; only unnamed ones get a number, so a
    report never calls a contact "past recipient #1".
    """
    from steward.journal import Journal
    from steward.wallets import WalletStore

    known = {name: contact.address for name, contact in load_contacts().items()
             if contact.address}
    known |= {f"wallet {w.name}": w.address for w in WalletStore().list() if w.address}
    if owner:
        named = {address.lower() for address in known.values()}
        unnamed = sorted(a for a in Journal().past_recipients(owner) if a.lower() not in named)
        for index, address in enumerate(unnamed):
            known[f"past recipient #{index + 1}"] = checked_address(address)
    return known


def check_address(w3: Web3, chain: ChainConfig, address: str, owner: str | None,
                  known: dict[str, str] | None = None, *, scan_blocks: int = DEFAULT_SCAN_BLOCKS,
                  log_blocks: int = DEFAULT_LOG_BLOCKS, dust: Decimal = DEFAULT_DUST
                  ) -> AddressReport:
    """Establish what `address` is on `chain` and how it relates to `owner` and `known`."""
    address = checked_address(address)
    owner = checked_address(owner) if owner else None
    names = _known_names(chain, known or {})
    findings: list[Finding] = []

    def note(code: str, severity: Severity, message: str, how: str) -> None:
        findings.append(Finding(code=code, severity=severity, message=message, how=how))

    try:
        latest = w3.eth.block_number
        code = bytes(w3.eth.get_code(address))
        balance = w3.eth.get_balance(address)
    except Exception as exc:
        raise StewardError(f"cannot read {address} on {chain.name} ({type(exc).__name__})") \
            from None
    known_as = names.get(address.lower())
    label = f"{known_as} ({short(address)})" if known_as else short(address)
    if known_as:
        source = "the chain config" if known_as.startswith("the ") else "your known addresses"
        note("known", "info", f"{address} is {known_as}", f"exact match in {source}")

    delegated = None
    if code.startswith(DELEGATION_PREFIX) and len(code) == 23:
        delegated = to_checksum_address(code[3:])
        is_contract = False
        kind_how = f"eth_getCode returned an EIP-7702 delegation (0xef0100 + {delegated})"
        note("delegated_eoa", "warning", f"{label} is an account that delegates its code to "
             f"{delegated}: that contract acts for it", kind_how)
    else:
        is_contract = bool(code)
        kind_how = (f"eth_getCode returned {len(code)} bytes" if code
                    else "eth_getCode returned no code, so it is an account (EOA)")

    token, token_how = None, "not a contract, so not a token"
    lookalikes = [Lookalike(name=name, address=to_checksum_address(addr),
                            how=lookalike_how(address, addr))
                  for addr, name in names.items() if lookalike(address, addr)]
    for match in lookalikes:
        note("address_poisoning", "danger",
             f"{address} looks like {match.name} ({match.address}) but is a different address: "
             "a poisoning attack or a typo", match.how)

    if is_contract:
        token, token_how = _token_facts(w3, chain, address)
        first = _creation(w3, address, latest, scan_blocks)
        if token:
            configured = token.configured_as
            if configured:
                note("token_contract", "warning", f"{label} is the {configured} token contract: "
                     "tokens sent to it are usually lost; pay people at their own address",
                     token.how)
            else:
                note("token_contract", "warning",
                     f"{label} is a token contract ({token.symbol or 'no symbol'}): tokens sent "
                     "to it are usually lost", token.how)
                if token.symbol and token.symbol.upper() in {s.upper() for s in chain.tokens}:
                    note("impostor_token", "danger",
                         f"it calls itself {token.symbol}, but {chain.name}'s {token.symbol} is "
                         f"{chain.token_address(token.symbol)}: a fake token",
                         f"symbol() compared with the tokens in the chain config of {chain.name}")
        elif known_as:
            note("contract", "info", f"{label} is a contract known to Steward; interact with it "
                 "through a plan rather than sending it funds directly", kind_how)
        else:
            note("contract", "warning", f"{label} is a contract, not a personal account; "
                 "funds sent to it are governed by its code", kind_how)
        if first.gave_up:
            note("creation_unknown", "info", "its creation block was not found: "
                 f"{first.how}", first.how)
        elif first.block is not None:
            age = latest - first.block
            severity: Severity = "warning" if age < 100 and not known_as and first.block else "info"
            note("created", severity, f"created in block {first.block} ({age} blocks ago)"
                 + (": very new" if severity == "warning" else ""), first.how)
    else:
        nonce = w3.eth.get_transaction_count(address)
        first = FirstActivity(kind="nonce", nonce=nonce, has_sent=nonce > 0,
                              how=f"eth_getTransactionCount returned {nonce}")
        if nonce:
            note("active_account", "info", f"{label} is an account that has sent {nonce} "
                 f"transaction{'s' if nonce != 1 else ''}", first.how)
        elif balance:
            note("never_sent", "info", f"{label} holds a balance but has never sent a "
                 "transaction", f"{first.how}; eth_getBalance returned {balance}")
        else:
            note("fresh_address", "info" if known_as else "warning",
                 f"{label} has never been used: no transactions and no balance; make sure it is "
                 "the right address before the first payment",
                 f"{first.how}; eth_getBalance returned 0; no code")

    spam, spam_how = [], "no owner given, so spam was not checked"
    if owner:
        spam, spam_how = _spam(w3, owner, names, latest, log_blocks, dust)
        from_it = [s for s in spam if s.counterparty.lower() == address.lower()]
        imitating = [s for s in spam if s.lookalike_of]
        emitted = [s for s in spam if s.token.lower() == address.lower()]
        if emitted:
            note("spam_token", "danger",
                 f"{short(address)} is the token contract that logged {len(emitted)} "
                 "zero-value, dust or lookalike transfer(s) to your wallet: a spam or "
                 "poisoning token; do not interact with it", spam_how)
        if from_it:
            note("poisoning_sender", "danger",
                 f"{short(address)} sent {len(from_it)} poisoning-style transfer(s) to your "
                 f"wallet ({'; '.join(from_it[0].reasons)}): never copy it from your history",
                 spam_how)
        if imitating:
            targets = sorted({s.lookalike_of for s in imitating if s.lookalike_of})
            note("poisoning_aimed_at_owner", "warning",
                 f"your wallet received {len(imitating)} transfer(s) from lookalikes of "
                 f"{', '.join(targets)}: someone is poisoning your history; copy recipients "
                 "from your address book, not from past transactions", spam_how)
        elif spam and not from_it:
            note("spam_transfers", "info", f"your wallet has {len(spam)} zero-value or dust "
                 "token transfer(s) in its recent history", spam_how)
        if not spam and not spam_how.endswith("not checked"):
            note("no_spam", "info", "no zero-value, dust or lookalike transfers found in the "
                 "recent history of your wallet", spam_how)

    verdict, reasons = verdict_of(findings)
    return AddressReport(address=address, chain=chain.name, owner=owner, is_contract=is_contract,
                         code_size=len(code), delegated_to=delegated, kind_how=kind_how,
                         balance_wei=balance, known_as=known_as, token=token, token_how=token_how,
                         first_activity=first, lookalikes=lookalikes, spam=spam,
                         spam_how=spam_how, findings=findings, verdict=verdict, reasons=reasons)
