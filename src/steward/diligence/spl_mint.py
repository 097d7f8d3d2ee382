"""Due diligence on an SPL / Token-2022 mint: the issuer's powers, read from the mint account.

`mint_report(chain, mint)` reads the account at `mint` and nothing else (plus the Clock sysvar,
to know which of two scheduled transfer fees applies). Every field says how it was established.
The account must be owned by the SPL Token or the Token-2022 program and have a mint's shape
(82 bytes, or for Token-2022 more than 165 bytes with the account-type byte at offset 165 equal
to 1, zero padding in between); anything else is reported as "not a token mint" (danger). The
base fields come from `steward.solana.spl.decode_mint`; Token-2022 extensions are walked as the
program walks them (u16 type, u16 length, value; a type 0 ends the list) and each one is decoded
with the Pod layout of `spl-token-2022`'s interface crate. A malformed extension area, a known
extension of the wrong size, an account extension inside a mint or a repeated type make the
extensions "unreadable" (danger): the program itself would refuse such a mint, and a report
must never guess. Extension types this module does not know are listed as unknown (danger:
their powers cannot be assessed), never skipped.

Field names follow GoPlus's Solana token-security fields where one exists (`mintable`,
`freezable`, `closable`, `transfer_fee`, `transfer_fee_upgradable`, `transfer_hook`,
`transfer_hook_upgradable`, `non_transferable`, `default_account_state`,
`default_account_state_upgradable`, `metadata_mutable`); GoPlus's `balance_mutable_authority`
is `permanent_delegate` here. The token's self-declared name, symbol and URI (TokenMetadata)
are outside text: they are returned as escaped, truncated data in `metadata` and are used for
nothing — no finding, verdict or trust depends on them.

Score rule: start at 100, lose 40 per danger finding and 15 per caution finding (floor 0);
the verdict is "danger" if any danger finding counts, "caution" if any caution finding counts,
else "ok". Danger: a permanent delegate (it can move or burn anyone's tokens), non-transferable
tokens, accounts frozen by default, transfers paused now, a transfer hook whose program is not
in `hook_allowlist`, a transfer fee above 10% (current or scheduled) or a fee authority that can
raise it, unreadable or unknown extensions, or an account that is not a token mint. Caution:
any transfer fee, a live mint authority, a freeze authority, a mint close authority, a pause
authority, a hook authority that can install a hook, confidential minting (supply not visible).
`trusted=True` (the caller's registry says so, never the token's name) keeps every finding but
issuer powers stop counting toward the verdict and are listed in `issuer_powers` instead: real
USDC has a live mint and freeze authority and is "ok" when trusted, "caution" when not.
Unreadable data, unknown extensions and not-a-mint count even for a trusted token.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field
from solders.pubkey import Pubkey
from solders.sysvar import CLOCK

from steward.errors import StewardError
from steward.solana.chain import SolanaChain
from steward.solana.spl import (MINT_SIZE, TOKEN_2022_PROGRAM_ID, TOKEN_ACCOUNT_SIZE,
                                TOKEN_PROGRAM_ID, decode_mint)

Severity = Literal["danger", "caution", "info"]
Verdict = Literal["ok", "caution", "danger"]

ACCOUNT_TYPE_OFFSET = TOKEN_ACCOUNT_SIZE  # Token-2022 pads a mint to 165 bytes, then the type
ACCOUNT_TYPE_MINT, ACCOUNT_TYPE_ACCOUNT = 1, 2
MULTISIG_SIZE = 355
DANGER_FEE_BPS = 1_000  # 10%
PENALTY = {"danger": 40, "caution": 15, "info": 0}
MAX_TEXT = 64  # characters of outside text kept in a report

# spl-token-2022 ExtensionType (a u16, numbered in declaration order).
EXTENSION_NAMES = {
    0: "Uninitialized", 1: "TransferFeeConfig", 2: "TransferFeeAmount", 3: "MintCloseAuthority",
    4: "ConfidentialTransferMint", 5: "ConfidentialTransferAccount", 6: "DefaultAccountState",
    7: "ImmutableOwner", 8: "MemoTransfer", 9: "NonTransferable", 10: "InterestBearingConfig",
    11: "CpiGuard", 12: "PermanentDelegate", 13: "NonTransferableAccount", 14: "TransferHook",
    15: "TransferHookAccount", 16: "ConfidentialTransferFeeConfig",
    17: "ConfidentialTransferFeeAmount", 18: "MetadataPointer", 19: "TokenMetadata",
    20: "GroupPointer", 21: "TokenGroup", 22: "GroupMemberPointer", 23: "TokenGroupMember",
    24: "ConfidentialMintBurn", 25: "ScaledUiAmount", 26: "Pausable", 27: "PausableAccount",
    28: "PermissionedBurn",
}
ACCOUNT_EXTENSIONS = {2, 5, 7, 8, 11, 13, 15, 17, 27}  # belong to token accounts, not mints
# Pod sizes of the mint extensions decoded here; the program reads them with pod_from_bytes,
# which requires the exact size.
EXTENSION_SIZES = {1: 108, 3: 32, 4: 65, 6: 1, 9: 0, 10: 52, 12: 32, 14: 64, 18: 64, 20: 64,
                   22: 64, 25: 56, 26: 33, 28: 32}
ACCOUNT_STATES = {0: "uninitialized", 1: "initialized", 2: "frozen"}


class MintField(BaseModel):
    """One power or property: whether it is there, who holds it, and how that was established."""

    status: bool = False
    authority: str | None = None
    value: Any = None
    method: str = "not established"


class Finding(BaseModel):
    code: str
    severity: Severity
    message: str
    issuer_power: bool = True  # a power the issuer holds (a trusted token's verdict ignores it)


class ExtensionEntry(BaseModel):
    type: int
    name: str
    length: int
    known: bool


class MintReport(BaseModel):
    mint: str
    chain: str
    owner: str | None = None  # the program that owns the account
    token_program: Literal["spl-token", "token-2022"] | None = None
    is_mint: bool = False
    decimals: int | None = None
    supply: int | None = None
    extensions: list[ExtensionEntry] = []
    unknown_extensions: list[int] = []
    extensions_readable: bool = True
    mintable: MintField = Field(default_factory=MintField)
    freezable: MintField = Field(default_factory=MintField)
    closable: MintField = Field(default_factory=MintField)
    transfer_fee: MintField = Field(default_factory=MintField)
    transfer_fee_upgradable: MintField = Field(default_factory=MintField)
    permanent_delegate: MintField = Field(default_factory=MintField)
    transfer_hook: MintField = Field(default_factory=MintField)
    transfer_hook_upgradable: MintField = Field(default_factory=MintField)
    non_transferable: MintField = Field(default_factory=MintField)
    default_account_state: MintField = Field(default_factory=MintField)
    default_account_state_upgradable: MintField = Field(default_factory=MintField)
    pausable: MintField = Field(default_factory=MintField)
    confidential_transfer: MintField = Field(default_factory=MintField)
    interest_bearing: MintField = Field(default_factory=MintField)
    scaled_ui_amount: MintField = Field(default_factory=MintField)
    metadata_pointer: MintField = Field(default_factory=MintField)
    metadata_mutable: MintField = Field(default_factory=MintField)
    metadata: dict[str, Any] | None = None  # outside text, escaped: data only, never trusted
    findings: list[Finding] = []
    trusted: bool = False
    issuer_powers: list[str] = []
    score: int = 100
    verdict: Verdict = "ok"


class _Unreadable(Exception):
    """The extension area cannot be read as the Token-2022 program would read it."""


# ---------------------------------------------------------------------------------- helpers

def _key(raw: bytes) -> str | None:
    """An OptionalNonZeroPubkey: all zeros means none."""
    return None if raw == bytes(32) else str(Pubkey.from_bytes(raw))


def _escape(text: str) -> str:
    """Outside text made inert for display: control, format and bidi characters escaped."""
    out = []
    for char in text[:MAX_TEXT]:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0 or 0x200B <= code <= 0x200F \
                or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code == 0xFEFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out) + ("…" if len(text) > MAX_TEXT else "")


def _from_extension(name: str, number: int) -> str:
    return f"read from the mint account's {name} extension (type {number})"


def _current_epoch(chain: SolanaChain) -> int | None:
    """The epoch from the Clock sysvar (slot u64, epoch_start_timestamp i64, epoch u64, ...)."""
    try:
        clock = chain.get_account(CLOCK)
    except StewardError:
        return None
    if clock is None or len(clock.data) < 24:
        return None
    return struct.unpack_from("<Q", bytes(clock.data), 16)[0]


def walk_extensions(tlv: bytes) -> list[tuple[int, bytes]]:
    """The (type, value) entries of a Token-2022 TLV area, as the program reads them."""
    entries: list[tuple[int, bytes]] = []
    start = 0
    while start < len(tlv):
        if len(tlv) - start < 2:
            break  # too short for a type: the program treats the tail as unused
        (kind,) = struct.unpack_from("<H", tlv, start)
        if kind == 0:
            break  # Uninitialized: nothing is written after it
        if len(tlv) - start < 4:
            raise _Unreadable(f"extension type {kind} at byte {start} has no length")
        (length,) = struct.unpack_from("<H", tlv, start + 2)
        end = start + 4 + length
        if end > len(tlv):
            raise _Unreadable(f"extension type {kind} claims {length} bytes past the account end")
        entries.append((kind, tlv[start + 4:end]))
        start = end
    return entries


# ------------------------------------------------------------------------------- assessment

class _Assessment:
    """Collects fields and findings while a mint is read."""

    def __init__(self, report: MintReport, epoch: int | None, hook_allowlist: set[str]):
        self.report = report
        self.epoch = epoch
        self.hook_allowlist = hook_allowlist

    def find(self, code: str, severity: Severity, message: str, issuer_power: bool = True) -> None:
        self.report.findings.append(Finding(code=code, severity=severity, message=message,
                                            issuer_power=issuer_power))

    # --- base mint ----------------------------------------------------------------------
    def base(self, mint_authority: Pubkey | None, freeze_authority: Pubkey | None) -> None:
        method = "read from the mint account's base layout ({})"
        minter = None if mint_authority is None else str(mint_authority)
        freezer = None if freeze_authority is None else str(freeze_authority)
        self.report.mintable = MintField(status=minter is not None, authority=minter,
                                         method=method.format("mint_authority"))
        self.report.freezable = MintField(status=freezer is not None, authority=freezer,
                                          method=method.format("freeze_authority"))
        if minter:
            self.find("mintable", "caution", f"the mint authority {minter} can mint more tokens "
                      "at any time (supply is not fixed)")
        if freezer:
            self.find("freezable", "caution", f"the freeze authority {freezer} can freeze any "
                      "holder's token account")

    # --- extensions ---------------------------------------------------------------------
    def transfer_fee(self, value: bytes) -> None:
        config_authority, withdraw_authority = _key(value[0:32]), _key(value[32:64])
        (withheld,) = struct.unpack_from("<Q", value, 64)
        older = dict(zip(("epoch", "maximum_fee", "basis_points"),
                         struct.unpack_from("<QQH", value, 72)))
        newer = dict(zip(("epoch", "maximum_fee", "basis_points"),
                         struct.unpack_from("<QQH", value, 90)))
        if self.epoch is None:
            current = max(older, newer, key=lambda fee: fee["basis_points"])
        else:
            current = newer if self.epoch >= newer["epoch"] else older
        method = _from_extension("TransferFeeConfig", 1)
        highest = max(older["basis_points"], newer["basis_points"])
        self.report.transfer_fee = MintField(
            status=highest > 0, authority=config_authority, method=method,
            value={"current": current, "older": older, "newer": newer, "epoch": self.epoch,
                   "withheld_amount": withheld, "withdraw_withheld_authority": withdraw_authority})
        self.report.transfer_fee_upgradable = MintField(
            status=config_authority is not None, authority=config_authority, method=method)
        if highest > DANGER_FEE_BPS:
            self.find("transfer_fee_high", "danger", f"transfers pay a fee of up to "
                      f"{highest / 100:g}% (current {current['basis_points'] / 100:g}%, "
                      f"scheduled {newer['basis_points'] / 100:g}% from epoch {newer['epoch']})")
        elif highest > 0:
            self.find("transfer_fee", "caution", f"transfers pay a fee of "
                      f"{current['basis_points'] / 100:g}% (at most {current['maximum_fee']} "
                      f"base units; scheduled {newer['basis_points'] / 100:g}%)")
        if config_authority:
            self.find("transfer_fee_upgradable", "danger", f"the fee authority {config_authority}"
                      " can raise the transfer fee (up to 100%, after an epoch)")

    def close_authority(self, value: bytes) -> None:
        closer = _key(value)
        self.report.closable = MintField(status=closer is not None, authority=closer,
                                         method=_from_extension("MintCloseAuthority", 3))
        if closer:
            self.find("closable", "caution", f"the close authority {closer} can close the mint "
                      "once its supply is zero (a mint re-made at this address may differ)")

    def confidential_transfer(self, value: bytes) -> None:
        authority = _key(value[0:32])
        self.report.confidential_transfer = MintField(
            status=True, authority=authority, value={"auto_approve_new_accounts": value[32] != 0},
            method=_from_extension("ConfidentialTransferMint", 4))
        self.find("confidential_transfer", "info", "balances and amounts can be moved "
                  "confidentially (encrypted); such transfers cannot be seen on chain")

    def default_state(self, value: bytes) -> None:
        state = ACCOUNT_STATES.get(value[0], f"unknown ({value[0]})")
        freezer = self.report.freezable.authority
        self.report.default_account_state = MintField(
            status=state != "initialized", value=state,
            method=_from_extension("DefaultAccountState", 6))
        self.report.default_account_state_upgradable = MintField(
            status=freezer is not None, authority=freezer,
            method="the freeze authority (mint base layout) may change the DefaultAccountState")
        if state != "initialized":
            self.find("default_account_state", "danger", f"new token accounts start {state}: "
                      "a holder cannot move tokens until the freeze authority thaws the account")

    def non_transferable(self, value: bytes) -> None:
        self.report.non_transferable = MintField(
            status=True, method=_from_extension("NonTransferable", 9))
        self.find("non_transferable", "danger", "tokens of this mint can never be transferred "
                  "(they can only be burned)")

    def interest_bearing(self, value: bytes) -> None:
        rate_authority = _key(value[0:32])
        (current_rate,) = struct.unpack_from("<h", value, 50)
        self.report.interest_bearing = MintField(
            status=True, authority=rate_authority, value={"current_rate_bps": current_rate},
            method=_from_extension("InterestBearingConfig", 10))
        self.find("interest_bearing", "info", f"displayed amounts accrue {current_rate / 100:g}% "
                  "a year (display only; balances in base units do not change)")

    def permanent_delegate(self, value: bytes) -> None:
        delegate = _key(value)
        self.report.permanent_delegate = MintField(
            status=delegate is not None, authority=delegate,
            method=_from_extension("PermanentDelegate", 12))
        if delegate:
            self.find("permanent_delegate", "danger", f"the permanent delegate {delegate} can "
                      "transfer or burn tokens from any holder's account without their signature")

    def transfer_hook(self, value: bytes) -> None:
        authority, program = _key(value[0:32]), _key(value[32:64])
        method = _from_extension("TransferHook", 14)
        self.report.transfer_hook = MintField(
            status=program is not None, value=program, authority=authority, method=method)
        self.report.transfer_hook_upgradable = MintField(
            status=authority is not None, authority=authority, method=method)
        if program and program not in self.hook_allowlist:
            self.find("transfer_hook", "danger", f"every transfer calls the program {program}, "
                      "which can refuse it or take extra accounts (not an allowed hook)")
        elif program:
            self.find("transfer_hook", "info", f"every transfer calls the allowed hook {program}")
        if authority:
            self.find("transfer_hook_upgradable", "caution", f"the hook authority {authority} "
                      "can point transfers at another program at any time")

    def metadata_pointer(self, value: bytes) -> None:
        authority, address = _key(value[0:32]), _key(value[32:64])
        self.report.metadata_pointer = MintField(
            status=address is not None, authority=authority, value=address,
            method=_from_extension("MetadataPointer", 18))

    def token_metadata(self, value: bytes) -> None:
        method = _from_extension("TokenMetadata", 19)
        try:
            update_authority, mint, texts = _decode_token_metadata(value)
        except (struct.error, UnicodeDecodeError, ValueError):
            self.report.metadata = {"readable": False}
            self.find("metadata_unreadable", "caution", "the TokenMetadata extension could not be "
                      "decoded", issuer_power=False)
            return
        self.report.metadata = {"readable": True, "mint": mint,
                                **{key: _escape(text) for key, text in texts.items()},
                                "method": method}
        self.report.metadata_mutable = MintField(status=update_authority is not None,
                                                 authority=update_authority, method=method)
        if update_authority:
            self.find("metadata_mutable", "info", f"the update authority {update_authority} can "
                      "change the token's name, symbol and URI (they are never trusted here)")

    def pausable(self, value: bytes) -> None:
        authority, paused = _key(value[0:32]), value[32] != 0
        self.report.pausable = MintField(status=authority is not None or paused,
                                         authority=authority, value={"paused": paused},
                                         method=_from_extension("Pausable", 26))
        if paused:
            self.find("paused", "danger", "minting, burning and transfers are paused now")
        if authority:
            self.find("pausable", "caution", f"the pause authority {authority} can stop every "
                      "transfer, mint and burn of this token")

    def scaled_ui_amount(self, value: bytes) -> None:
        authority = _key(value[0:32])
        (multiplier,) = struct.unpack_from("<d", value, 32)
        self.report.scaled_ui_amount = MintField(
            status=True, authority=authority, value={"multiplier": multiplier},
            method=_from_extension("ScaledUiAmount", 25))
        self.find("scaled_ui_amount", "info", f"displayed amounts are multiplied by {multiplier:g}"
                  " (display only; the authority may change it)")

    def confidential_mint_burn(self, value: bytes) -> None:
        self.find("confidential_mint_burn", "caution", "tokens can be minted and burned "
                  "confidentially: the real supply is not visible on chain")

    def permissioned_burn(self, value: bytes) -> None:
        authority = _key(value)
        self.find("permissioned_burn", "info", f"burning needs the approval of {authority}")

    def informational(self, name: str) -> None:
        self.find(name.lower(), "info", f"the mint carries the {name} extension")


def _decode_token_metadata(value: bytes) -> tuple[str | None, str, dict[str, str]]:
    """spl-token-metadata-interface TokenMetadata (Borsh): update authority, mint, name,
    symbol, uri, additional (key, value) pairs."""
    offset = 64

    def text() -> str:
        nonlocal offset
        (length,) = struct.unpack_from("<I", value, offset)
        raw = value[offset + 4:offset + 4 + length]
        if len(raw) != length:
            raise ValueError("string past the end")
        offset += 4 + length
        return raw.decode("utf-8")

    texts = {"name": text(), "symbol": text(), "uri": text()}
    (count,) = struct.unpack_from("<I", value, offset)
    offset += 4
    for index in range(min(count, 16)):
        texts[f"additional_{index}_key"], texts[f"additional_{index}_value"] = text(), text()
    return _key(value[0:32]), str(Pubkey.from_bytes(value[32:64])), texts


_HANDLERS = {
    1: _Assessment.transfer_fee, 3: _Assessment.close_authority,
    4: _Assessment.confidential_transfer, 6: _Assessment.default_state,
    9: _Assessment.non_transferable, 10: _Assessment.interest_bearing,
    12: _Assessment.permanent_delegate, 14: _Assessment.transfer_hook,
    18: _Assessment.metadata_pointer, 19: _Assessment.token_metadata,
    24: _Assessment.confidential_mint_burn, 25: _Assessment.scaled_ui_amount,
    26: _Assessment.pausable, 28: _Assessment.permissioned_burn,
}


# -------------------------------------------------------------------------------- the report

def _parse_mint_address(mint: Pubkey | str) -> Pubkey:
    if isinstance(mint, Pubkey):
        return mint
    try:
        return Pubkey.from_string(mint.strip())
    except (ValueError, AttributeError):
        raise StewardError(f"{mint!r} is not a Solana address (base58, 32 bytes)") from None


def _mint_shape(program: Pubkey, data: bytes) -> str | None:
    """Why these bytes are not a mint of `program`, or None when they have a mint's shape."""
    if len(data) == MINT_SIZE:
        return None
    if program == TOKEN_PROGRAM_ID or len(data) < ACCOUNT_TYPE_OFFSET:
        kind = {TOKEN_ACCOUNT_SIZE: "a token account", MULTISIG_SIZE: "a multisig"}
        return f"{kind.get(len(data), f'{len(data)} bytes')}, not a token mint"
    if len(data) == TOKEN_ACCOUNT_SIZE:
        return "a token account, not a token mint"
    if len(data) == MULTISIG_SIZE:
        return "a multisig, not a token mint"
    account_type = data[ACCOUNT_TYPE_OFFSET]
    if account_type == ACCOUNT_TYPE_ACCOUNT:
        return "a token account (with extensions), not a token mint"
    if account_type != ACCOUNT_TYPE_MINT:
        return f"an account of unknown type {account_type}, not a token mint"
    if any(data[MINT_SIZE:ACCOUNT_TYPE_OFFSET]):
        return "padding after the base mint is not zero: not a token mint"
    return None


def _not_a_mint(report: MintReport, reason: str) -> MintReport:
    report.findings.append(Finding(code="not_a_mint", severity="danger", issuer_power=False,
                                   message=f"{report.mint} is {reason}"))
    return _score(report)


def _read_extensions(assessment: _Assessment, tlv: bytes) -> None:
    report = assessment.report
    try:
        entries = walk_extensions(tlv)
        seen: set[int] = set()
        for kind, value in entries:
            if kind in seen:
                raise _Unreadable(f"extension type {kind} appears twice")
            seen.add(kind)
            if kind in ACCOUNT_EXTENSIONS:
                raise _Unreadable(f"the token-account extension {EXTENSION_NAMES[kind]} "
                                  "is inside a mint")
            size = EXTENSION_SIZES.get(kind)
            if size is not None and len(value) != size:
                raise _Unreadable(f"the {EXTENSION_NAMES[kind]} extension has {len(value)} "
                                  f"bytes, its layout has {size}")
    except _Unreadable as exc:
        report.extensions_readable = False
        assessment.find("extensions_unreadable", "danger", f"the Token-2022 extension data is "
                        f"unreadable ({exc}); the mint's powers cannot be established",
                        issuer_power=False)
        return
    for kind, value in entries:
        known = kind in EXTENSION_NAMES
        report.extensions.append(ExtensionEntry(type=kind, name=EXTENSION_NAMES.get(
            kind, "unknown"), length=len(value), known=known))
        if not known:
            report.unknown_extensions.append(kind)
            assessment.find("unknown_extension", "danger", f"extension type {kind} is unknown "
                            "to this version of Steward; its powers cannot be assessed",
                            issuer_power=False)
        elif kind in _HANDLERS:
            _HANDLERS[kind](assessment, value)
        else:
            assessment.informational(EXTENSION_NAMES[kind])


def _state_absent_extensions(report: MintReport, token_2022: bool) -> None:
    """Say how each extension field was established when its extension is absent."""
    why = ("no such extension in the mint account's Token-2022 extensions" if token_2022 else
           "SPL Token (original program) mints cannot carry extensions")
    for name in ("closable", "transfer_fee", "transfer_fee_upgradable", "permanent_delegate",
                 "transfer_hook", "transfer_hook_upgradable", "non_transferable",
                 "default_account_state", "default_account_state_upgradable", "pausable",
                 "confidential_transfer", "interest_bearing", "scaled_ui_amount",
                 "metadata_pointer", "metadata_mutable"):
        field: MintField = getattr(report, name)
        if field.method == "not established" and report.extensions_readable:
            field.method = why


def _score(report: MintReport) -> MintReport:
    counted = [f for f in report.findings if not (report.trusted and f.issuer_power)]
    if report.trusted:
        report.issuer_powers = [f.message for f in report.findings
                                if f.issuer_power and f.severity != "info"]
    report.score = max(0, 100 - sum(PENALTY[f.severity] for f in counted))
    severities = {f.severity for f in counted}
    report.verdict = ("danger" if "danger" in severities
                      else "caution" if "caution" in severities else "ok")
    return report


def mint_report(chain: SolanaChain, mint: Pubkey | str, *, trusted: bool = False,
                hook_allowlist: Iterable[Pubkey | str] = ()) -> MintReport:
    """The powers of the mint at `mint` on `chain`, read from its account (see module doc).

    `trusted` comes from the caller's registry (never from the token's name); `hook_allowlist`
    names transfer-hook programs the caller accepts."""
    address = _parse_mint_address(mint)
    report = MintReport(mint=str(address), chain=chain.name, trusted=trusted)
    account = chain.get_account(address)
    if account is None:
        return _not_a_mint(report, "an address with no account (no token mint exists there)")
    report.owner = str(account.owner)
    if account.owner not in (TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID):
        return _not_a_mint(report, f"owned by the program {account.owner}, which is neither "
                           "SPL Token nor Token-2022: not a token mint")
    token_2022 = account.owner == TOKEN_2022_PROGRAM_ID
    report.token_program = "token-2022" if token_2022 else "spl-token"
    data = bytes(account.data)
    problem = _mint_shape(account.owner, data)
    if problem:
        return _not_a_mint(report, problem)
    try:
        info = decode_mint(address, account.owner, data)
    except StewardError:  # uninitialized, or bytes that are no mint's base layout
        return _not_a_mint(report, "not an initialized token mint (its base layout does "
                           "not decode as one)")
    report.is_mint, report.decimals, report.supply = True, info.decimals, info.supply
    assessment = _Assessment(report, _current_epoch(chain) if token_2022 else None,
                             {str(_parse_mint_address(p)) for p in hook_allowlist})
    assessment.base(info.mint_authority, info.freeze_authority)
    if token_2022 and len(data) > MINT_SIZE:
        _read_extensions(assessment, data[ACCOUNT_TYPE_OFFSET + 1:])
    _state_absent_extensions(report, token_2022)
    return _score(report)


__all__ = ["EXTENSION_NAMES", "ExtensionEntry", "Finding", "MintField", "MintReport",
           "mint_report", "walk_extensions"]
