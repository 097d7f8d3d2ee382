"""The Solana scam zoo: SPL / Token-2022 mints with risky powers, made for real.

Every mint here is created on an embedded chain (`EmbeddedSolana`, LiteSVM) by the real SPL
Token and Token-2022 programs, so its powers are the programs' own: a permanent delegate really
can move a holder's tokens, a transfer fee really is withheld, a non-transferable token really
cannot move. A Token-2022 mint is made in one transaction: the System program creates the
account with exactly the space its fixed-size extensions need (165 bytes of padded base, one
account-type byte, then 2 + 2 + size per extension) and, when the mint carries TokenMetadata,
rent for the metadata too (the program grows the account itself); then each extension's
initialize instruction, then InitializeMint2, then TokenMetadata's Initialize, then — when the
caller asked for no mint authority — SetAuthority revoking it. Instruction data follows
spl-token-2022's `TokenInstruction` enum (the transfer-fee one comes from `spl.token`).

`ZOO` lists (label, factory, expected verdict): each factory takes (chain, payer) and makes its
mint with the payer as every authority it needs; `steward.diligence.spl_mint.mint_report` must
reach the expected verdict on it. `mint_tokens` gives an owner some of a token in its
associated token account, for demos and tests.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import Transaction
from spl.token.instructions import initialize_transfer_fee_config
from spl.token.models import InitializeTransferFeeConfigParams

from steward.errors import StewardError
from steward.solana.chain import EmbeddedSolana, TxRecord
from steward.solana.spl import (MINT_SIZE, TOKEN_2022_PROGRAM_ID, TOKEN_ACCOUNT_SIZE,
                                TOKEN_PROGRAM_ID, associated_address,
                                create_associated_idempotent, mint_info, mint_to_checked)

# spl-token-2022 TokenInstruction discriminators (first byte of the instruction data).
INITIALIZE_MINT2 = 20
SET_AUTHORITY = 6
INITIALIZE_MINT_CLOSE_AUTHORITY = 25
DEFAULT_ACCOUNT_STATE_EXTENSION = 28
INITIALIZE_NON_TRANSFERABLE_MINT = 32
INITIALIZE_PERMANENT_DELEGATE = 35
TRANSFER_HOOK_EXTENSION = 36
METADATA_POINTER_EXTENSION = 39
PAUSABLE_EXTENSION = 44
EXTENSION_INITIALIZE = 0  # each extension's own sub-instruction 0 is Initialize
AUTHORITY_MINT_TOKENS = 0
ACCOUNT_STATE_FROZEN = 2
# spl-token-metadata-interface: sha256("spl_token_metadata_interface:initialize_account")[:8]
TOKEN_METADATA_INITIALIZE = bytes([210, 225, 30, 162, 88, 184, 77, 141])
MULTISIG_SIZE = 355

# A program id for the zoo's transfer hook: no program lives there (initialising the extension
# does not need one; a transfer through it fails, which is the risk the report names).
ZOO_HOOK_PROGRAM = Pubkey.from_bytes(hashlib.sha256(b"steward zoo transfer hook").digest())


@dataclass(frozen=True)
class MintExtension:
    """A fixed-size Token-2022 mint extension and the instruction that initialises it."""

    kind: int  # spl-token-2022 ExtensionType
    size: int  # bytes of its Pod value
    initialize: Callable[[Pubkey], Instruction]  # mint -> instruction (before InitializeMint)


@dataclass(frozen=True)
class TokenMetadataText:
    """Name, symbol and URI the TokenMetadata extension stores in the mint (outside text)."""

    name: str
    symbol: str
    uri: str = ""
    update_authority: Pubkey | None = None  # None: the payer


def _ix(mint: Pubkey, data: bytes) -> Instruction:
    return Instruction(TOKEN_2022_PROGRAM_ID, data, [AccountMeta(mint, False, True)])


def _optional_key(key: Pubkey | None) -> bytes:
    """OptionalNonZeroPubkey: all zeros means none."""
    return bytes(32) if key is None else bytes(key)


def _borsh_text(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<I", len(raw)) + raw


# ------------------------------------------------------------------------ extension builders

def transfer_fee_extension(basis_points: int, maximum_fee: int, fee_authority: Pubkey | None,
                           withdraw_authority: Pubkey | None = None) -> MintExtension:
    return MintExtension(1, 108, lambda mint: initialize_transfer_fee_config(
        InitializeTransferFeeConfigParams(
            program_id=TOKEN_2022_PROGRAM_ID, mint=mint,
            transfer_fee_config_authority=fee_authority,
            withdraw_withheld_authority=withdraw_authority,
            transfer_fee_basis_points=basis_points, maximum_fee=maximum_fee)))


def close_authority_extension(close_authority: Pubkey) -> MintExtension:
    return MintExtension(3, 32, lambda mint: _ix(
        mint, bytes([INITIALIZE_MINT_CLOSE_AUTHORITY, 1]) + bytes(close_authority)))


def default_frozen_extension() -> MintExtension:
    return MintExtension(6, 1, lambda mint: _ix(
        mint, bytes([DEFAULT_ACCOUNT_STATE_EXTENSION, EXTENSION_INITIALIZE, ACCOUNT_STATE_FROZEN])))


def non_transferable_extension() -> MintExtension:
    return MintExtension(9, 0, lambda mint: _ix(mint, bytes([INITIALIZE_NON_TRANSFERABLE_MINT])))


def permanent_delegate_extension(delegate: Pubkey) -> MintExtension:
    return MintExtension(12, 32, lambda mint: _ix(
        mint, bytes([INITIALIZE_PERMANENT_DELEGATE]) + bytes(delegate)))


def transfer_hook_extension(hook_program: Pubkey, hook_authority: Pubkey | None) -> MintExtension:
    return MintExtension(14, 64, lambda mint: _ix(
        mint, bytes([TRANSFER_HOOK_EXTENSION, EXTENSION_INITIALIZE])
        + _optional_key(hook_authority) + _optional_key(hook_program)))


def metadata_pointer_extension(authority: Pubkey | None, metadata: Pubkey) -> MintExtension:
    return MintExtension(18, 64, lambda mint: _ix(
        mint, bytes([METADATA_POINTER_EXTENSION, EXTENSION_INITIALIZE])
        + _optional_key(authority) + bytes(metadata)))


def pausable_extension(pause_authority: Pubkey) -> MintExtension:
    return MintExtension(26, 33, lambda mint: _ix(
        mint, bytes([PAUSABLE_EXTENSION, EXTENSION_INITIALIZE]) + bytes(pause_authority)))


def mint_space(extensions: Sequence[MintExtension]) -> int:
    """Bytes a mint with `extensions` needs, as spl-token-2022 computes it."""
    if not extensions:
        return MINT_SIZE
    space = TOKEN_ACCOUNT_SIZE + 1 + sum(4 + extension.size for extension in extensions)
    return space + 2 if space == MULTISIG_SIZE else space  # never the size of a multisig


def _metadata_space(text: TokenMetadataText) -> int:
    """TLV bytes of a TokenMetadata entry: type, length, update authority, mint, three
    strings and an empty additional-metadata list."""
    strings = sum(4 + len(s.encode("utf-8")) for s in (text.name, text.symbol, text.uri))
    return 4 + 32 + 32 + strings + 4


# ------------------------------------------------------------------------------ transactions

def send_instructions(chain: EmbeddedSolana, payer: Keypair, instructions: list[Instruction],
                      signers: Sequence[Keypair] = ()) -> TxRecord:
    """Sign (payer first) and send; a failed transaction raises with the program's error."""
    unique = {signer.pubkey(): signer for signer in (payer, *signers)}
    blockhash = chain.latest_blockhash()
    message = Message.new_with_blockhash(instructions, payer.pubkey(), blockhash)
    record = chain.send(Transaction(list(unique.values()), message, blockhash))
    if not record.success:
        logs = [line for line in record.logs if "rror" in line][-2:]
        raise StewardError(f"the transaction failed on {chain.name}: {record.error} "
                           f"{' '.join(logs)}".strip())
    return record


def _initialize_mint2(program: Pubkey, mint: Pubkey, decimals: int, mint_authority: Pubkey,
                      freeze_authority: Pubkey | None) -> Instruction:
    freeze = bytes([0]) if freeze_authority is None else bytes([1]) + bytes(freeze_authority)
    data = bytes([INITIALIZE_MINT2, decimals]) + bytes(mint_authority) + freeze
    return Instruction(program, data, [AccountMeta(mint, False, True)])


def _revoke_mint_authority(program: Pubkey, mint: Pubkey, authority: Pubkey) -> Instruction:
    data = bytes([SET_AUTHORITY, AUTHORITY_MINT_TOKENS, 0])
    return Instruction(program, data, [AccountMeta(mint, False, True),
                                       AccountMeta(authority, True, False)])


def _initialize_metadata(mint: Pubkey, authority: Pubkey, text: TokenMetadataText) -> Instruction:
    data = (TOKEN_METADATA_INITIALIZE + _borsh_text(text.name) + _borsh_text(text.symbol)
            + _borsh_text(text.uri))
    update_authority = text.update_authority or authority
    return Instruction(TOKEN_2022_PROGRAM_ID, data, [
        AccountMeta(mint, False, True), AccountMeta(update_authority, False, False),
        AccountMeta(mint, False, False), AccountMeta(authority, True, False)])


def _create_mint(chain: EmbeddedSolana, payer: Keypair, decimals: int, *, program: Pubkey,
                 mint_authority: Pubkey | None, freeze_authority: Pubkey | None,
                 extensions: Sequence[MintExtension] = (),
                 metadata: TokenMetadataText | None = None) -> Pubkey:
    """One transaction: create the account, extensions, InitializeMint2, metadata, revoke."""
    if (extensions or metadata) and program != TOKEN_2022_PROGRAM_ID:
        raise StewardError("only Token-2022 mints carry extensions")
    if metadata is not None and mint_authority not in (None, payer.pubkey()):
        raise StewardError("a mint with TokenMetadata is created by its mint authority: "
                           "pass the payer's key or None")
    mint = Keypair()
    address = mint.pubkey()
    if metadata is not None:
        extensions = [*extensions, metadata_pointer_extension(payer.pubkey(), address)]
    space = mint_space(extensions)
    rent_space = space + (_metadata_space(metadata) if metadata is not None else 0)
    authority = mint_authority or payer.pubkey()
    instructions = [create_account(CreateAccountParams(
        from_pubkey=payer.pubkey(), to_pubkey=address, lamports=chain.rent_exempt(rent_space),
        space=space, owner=program))]
    instructions += [extension.initialize(address) for extension in extensions]
    instructions.append(_initialize_mint2(program, address, decimals, authority,
                                          freeze_authority))
    if metadata is not None:
        instructions.append(_initialize_metadata(address, authority, metadata))
    if mint_authority is None:
        instructions.append(_revoke_mint_authority(program, address, authority))
    send_instructions(chain, payer, instructions, [mint])
    return address


def create_plain_mint(chain: EmbeddedSolana, payer: Keypair, decimals: int, *,
                      mint_authority: Pubkey | None, freeze_authority: Pubkey | None = None,
                      program: Pubkey = TOKEN_PROGRAM_ID) -> Pubkey:
    """A mint without extensions. `mint_authority=None` creates it with the payer as mint
    authority and revokes that in the same transaction (a fixed supply of zero)."""
    return _create_mint(chain, payer, decimals, program=program, mint_authority=mint_authority,
                        freeze_authority=freeze_authority)


def create_token2022_mint(chain: EmbeddedSolana, payer: Keypair, decimals: int, *,
                          extensions: Sequence[MintExtension],
                          mint_authority: Pubkey | None = None,
                          freeze_authority: Pubkey | None = None,
                          metadata: TokenMetadataText | None = None) -> Pubkey:
    """A Token-2022 mint with `extensions` (and TokenMetadata, pointed at the mint itself)."""
    return _create_mint(chain, payer, decimals, program=TOKEN_2022_PROGRAM_ID,
                        mint_authority=mint_authority, freeze_authority=freeze_authority,
                        extensions=extensions, metadata=metadata)


# ----------------------------------------------------------------------------- the specimens

def create_transfer_fee_mint(chain: EmbeddedSolana, payer: Keypair, *, basis_points: int,
                             maximum_fee: int, fee_authority: Pubkey | None,
                             withdraw_authority: Pubkey | None = None, decimals: int = 6,
                             mint_authority: Pubkey | None = None) -> Pubkey:
    extension = transfer_fee_extension(basis_points, maximum_fee, fee_authority,
                                       withdraw_authority)
    return create_token2022_mint(chain, payer, decimals, extensions=[extension],
                                 mint_authority=mint_authority)


def create_permanent_delegate_mint(chain: EmbeddedSolana, payer: Keypair, *, delegate: Pubkey,
                                   decimals: int = 6,
                                   mint_authority: Pubkey | None = None) -> Pubkey:
    return create_token2022_mint(chain, payer, decimals, mint_authority=mint_authority,
                                 extensions=[permanent_delegate_extension(delegate)])


def create_transfer_hook_mint(chain: EmbeddedSolana, payer: Keypair, *, hook_program: Pubkey,
                              hook_authority: Pubkey | None, decimals: int = 6,
                              mint_authority: Pubkey | None = None) -> Pubkey:
    return create_token2022_mint(chain, payer, decimals, mint_authority=mint_authority,
                                 extensions=[transfer_hook_extension(hook_program, hook_authority)])


def create_non_transferable_mint(chain: EmbeddedSolana, payer: Keypair, *, decimals: int = 0,
                                 mint_authority: Pubkey | None = None) -> Pubkey:
    return create_token2022_mint(chain, payer, decimals, mint_authority=mint_authority,
                                 extensions=[non_transferable_extension()])


def create_default_frozen_mint(chain: EmbeddedSolana, payer: Keypair, *,
                               freeze_authority: Pubkey, decimals: int = 6,
                               mint_authority: Pubkey | None = None) -> Pubkey:
    """New token accounts start frozen (the program requires a freeze authority for this)."""
    return create_token2022_mint(chain, payer, decimals, mint_authority=mint_authority,
                                 freeze_authority=freeze_authority,
                                 extensions=[default_frozen_extension()])


def create_closable_mint(chain: EmbeddedSolana, payer: Keypair, *, close_authority: Pubkey,
                         decimals: int = 6, mint_authority: Pubkey | None = None) -> Pubkey:
    return create_token2022_mint(chain, payer, decimals, mint_authority=mint_authority,
                                 extensions=[close_authority_extension(close_authority)])


def create_pausable_mint(chain: EmbeddedSolana, payer: Keypair, *, pause_authority: Pubkey,
                         decimals: int = 6, mint_authority: Pubkey | None = None) -> Pubkey:
    return create_token2022_mint(chain, payer, decimals, mint_authority=mint_authority,
                                 extensions=[pausable_extension(pause_authority)])


def create_metadata_mint(chain: EmbeddedSolana, payer: Keypair, *, name: str, symbol: str,
                         uri: str = "", update_authority: Pubkey | None = None,
                         decimals: int = 6, mint_authority: Pubkey | None = None) -> Pubkey:
    """A mint whose TokenMetadata says whatever the creator chose (e.g. "USD Coin")."""
    text = TokenMetadataText(name=name, symbol=symbol, uri=uri,
                             update_authority=update_authority)
    return create_token2022_mint(chain, payer, decimals, extensions=[],
                                 mint_authority=mint_authority, metadata=text)


def mint_tokens(chain: EmbeddedSolana, payer: Keypair, mint: Pubkey, owner: Pubkey, amount: int,
                *, mint_authority: Keypair) -> Pubkey:
    """Mint `amount` base units to `owner`'s associated token account (created when missing,
    the payer paying its rent); returns that account's address."""
    info = mint_info(chain, mint)
    send_instructions(chain, payer, [
        create_associated_idempotent(payer.pubkey(), owner, info),
        mint_to_checked(info, associated_address(owner, mint, info.program),
                        mint_authority.pubkey(), amount)], [mint_authority])
    return associated_address(owner, mint, info.program)


# ------------------------------------------------------------------------------------ the zoo

class ZooMint(NamedTuple):
    label: str
    factory: Callable[[EmbeddedSolana, Keypair], Pubkey]
    verdict: str  # what steward.diligence.spl_mint.mint_report must conclude (untrusted)


def _me(payer: Keypair) -> Pubkey:
    return payer.pubkey()


ZOO: list[ZooMint] = [
    ZooMint("plain mint, authorities revoked",
            lambda c, p: create_plain_mint(c, p, 6, mint_authority=None), "ok"),
    ZooMint("issuer mint (mint and freeze authority, like USDC)",
            lambda c, p: create_plain_mint(c, p, 6, mint_authority=_me(p),
                                           freeze_authority=_me(p)), "caution"),
    ZooMint("transfer fee 1%, fixed",
            lambda c, p: create_transfer_fee_mint(c, p, basis_points=100, maximum_fee=10**9,
                                                  fee_authority=None), "caution"),
    ZooMint("transfer fee 25%",
            lambda c, p: create_transfer_fee_mint(c, p, basis_points=2_500, maximum_fee=2**64 - 1,
                                                  fee_authority=None), "danger"),
    ZooMint("transfer fee 0.5%, raisable by its authority",
            lambda c, p: create_transfer_fee_mint(c, p, basis_points=50, maximum_fee=10**9,
                                                  fee_authority=_me(p),
                                                  withdraw_authority=_me(p)), "danger"),
    ZooMint("permanent delegate",
            lambda c, p: create_permanent_delegate_mint(c, p, delegate=_me(p)), "danger"),
    ZooMint("transfer hook",
            lambda c, p: create_transfer_hook_mint(c, p, hook_program=ZOO_HOOK_PROGRAM,
                                                   hook_authority=_me(p)), "danger"),
    ZooMint("non-transferable",
            lambda c, p: create_non_transferable_mint(c, p), "danger"),
    ZooMint("accounts frozen by default",
            lambda c, p: create_default_frozen_mint(c, p, freeze_authority=_me(p)), "danger"),
    ZooMint("closable mint",
            lambda c, p: create_closable_mint(c, p, close_authority=_me(p)), "caution"),
    ZooMint("pausable mint",
            lambda c, p: create_pausable_mint(c, p, pause_authority=_me(p)), "caution"),
    ZooMint("metadata posing as USD Coin (no powers)",
            lambda c, p: create_metadata_mint(c, p, name="USD Coin", symbol="USDC"), "ok"),
]


__all__ = ["MintExtension", "TokenMetadataText", "ZOO", "ZOO_HOOK_PROGRAM", "ZooMint",
           "close_authority_extension", "create_closable_mint", "create_default_frozen_mint",
           "create_metadata_mint", "create_non_transferable_mint", "create_pausable_mint",
           "create_permanent_delegate_mint", "create_plain_mint", "create_token2022_mint",
           "create_transfer_fee_mint", "create_transfer_hook_mint", "default_frozen_extension",
           "metadata_pointer_extension", "mint_space", "mint_tokens", "non_transferable_extension",
           "pausable_extension", "permanent_delegate_extension", "send_instructions",
           "transfer_fee_extension", "transfer_hook_extension"]
