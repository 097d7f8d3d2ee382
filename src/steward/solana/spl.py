"""SPL tokens: mints, token accounts and associated token accounts, under both token programs.

Amounts are integers in base units; a mint's decimals are read from the mint account on the
chain (never from a name or symbol). Token-2022 mints and accounts carry extensions after the
base layout; the base fields are read the same way for both programs.
"""

from __future__ import annotations

from dataclasses import dataclass

import spl.token.instructions as spl_ix
from solders.instruction import Instruction
from solders.pubkey import Pubkey
from solders.token.state import Mint, TokenAccount
from spl.token.constants import ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID
from spl.token.models import BurnCheckedParams, MintToCheckedParams, TransferCheckedParams

from steward.errors import InsufficientFundsError, StewardError
from steward.solana.chain import SolanaChain
from steward.units import format_units

TOKEN_PROGRAMS = (TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID)
MINT_SIZE = 82
TOKEN_ACCOUNT_SIZE = 165


@dataclass(frozen=True)
class MintInfo:
    address: Pubkey
    program: Pubkey  # TOKEN_PROGRAM_ID or TOKEN_2022_PROGRAM_ID
    decimals: int
    supply: int
    mint_authority: Pubkey | None
    freeze_authority: Pubkey | None
    data: bytes  # the whole account (Token-2022 extensions follow the base layout)


@dataclass(frozen=True)
class TokenAccountInfo:
    address: Pubkey
    program: Pubkey
    mint: Pubkey
    owner: Pubkey
    amount: int
    delegate: Pubkey | None
    delegated_amount: int
    frozen: bool


def mint_info(chain: SolanaChain, mint: Pubkey) -> MintInfo:
    """The mint at `mint`, read from the chain; an error when it is not an SPL mint."""
    account = chain.get_account(mint)
    if account is None or account.owner not in TOKEN_PROGRAMS:
        raise StewardError(f"{mint} is not an SPL token mint on {chain.name}")
    return decode_mint(mint, account.owner, bytes(account.data))


def decode_mint(address: Pubkey, program: Pubkey, data: bytes) -> MintInfo:
    try:
        state = Mint.from_bytes(data[:MINT_SIZE])
    except Exception:  # solders raises its own error types for malformed bytes
        raise StewardError(f"{address} does not hold a valid SPL mint") from None
    if not state.is_initialized:
        raise StewardError(f"the mint {address} is not initialized")
    return MintInfo(address=address, program=program, decimals=state.decimals,
                    supply=state.supply, mint_authority=state.mint_authority,
                    freeze_authority=state.freeze_authority, data=data)


def decode_token_account(address: Pubkey, program: Pubkey, data: bytes) -> TokenAccountInfo | None:
    """A token account's fields, or None when the bytes are not one."""
    if program not in TOKEN_PROGRAMS or len(data) < TOKEN_ACCOUNT_SIZE:
        return None
    try:
        state = TokenAccount.from_bytes(data[:TOKEN_ACCOUNT_SIZE])
    except Exception:
        return None
    return TokenAccountInfo(address=address, program=program, mint=state.mint, owner=state.owner,
                            amount=state.amount, delegate=state.delegate,
                            delegated_amount=state.delegated_amount,
                            frozen=str(state.state).endswith("Frozen"))


def associated_address(owner: Pubkey, mint: Pubkey, program: Pubkey = TOKEN_PROGRAM_ID) -> Pubkey:
    """The associated token account of `owner` for `mint` (the program-derived address)."""
    seeds = [bytes(owner), bytes(program), bytes(mint)]
    return Pubkey.find_program_address(seeds, ASSOCIATED_TOKEN_PROGRAM_ID)[0]


def token_balance(chain: SolanaChain, owner: Pubkey, mint: MintInfo) -> int:
    """`owner`'s balance of `mint` in its associated token account (0 when it has none)."""
    address = associated_address(owner, mint.address, mint.program)
    account = chain.get_account(address)
    if account is None:
        return 0
    info = decode_token_account(address, account.owner, bytes(account.data))
    if info is None or info.mint != mint.address or info.owner != owner:
        return 0
    return info.amount


def require_token_balance(chain: SolanaChain, owner: Pubkey, mint: MintInfo, amount: int,
                          symbol: str) -> None:
    """InsufficientFundsError unless `owner` holds `amount` of `mint` (nothing is signed)."""
    held = token_balance(chain, owner, mint)
    if held < amount:
        raise InsufficientFundsError(
            f"{format_units(amount, mint.decimals)} {symbol} needed on {chain.name}, "
            f"{format_units(held, mint.decimals)} held; nothing was signed")


def create_associated_idempotent(payer: Pubkey, owner: Pubkey, mint: MintInfo) -> Instruction:
    """Create `owner`'s associated account for `mint` unless it exists (the payer pays rent)."""
    return spl_ix.create_idempotent_associated_token_account(payer, owner, mint.address,
                                                             token_program_id=mint.program)


def transfer_checked(mint: MintInfo, source: Pubkey, dest: Pubkey, owner: Pubkey,
                     amount: int) -> Instruction:
    """Move `amount` base units; the program checks the mint and its decimals too."""
    return spl_ix.transfer_checked(TransferCheckedParams(
        program_id=mint.program, source=source, mint=mint.address, dest=dest, owner=owner,
        amount=amount, decimals=mint.decimals))


def mint_to_checked(mint: MintInfo, dest: Pubkey, authority: Pubkey, amount: int) -> Instruction:
    return spl_ix.mint_to_checked(MintToCheckedParams(
        program_id=mint.program, mint=mint.address, dest=dest, mint_authority=authority,
        amount=amount, decimals=mint.decimals))


def burn_checked(mint: MintInfo, account: Pubkey, owner: Pubkey, amount: int) -> Instruction:
    return spl_ix.burn_checked(BurnCheckedParams(
        program_id=mint.program, mint=mint.address, account=account, owner=owner, amount=amount,
        decimals=mint.decimals))


__all__ = ["MINT_SIZE", "MintInfo", "TOKEN_2022_PROGRAM_ID", "TOKEN_ACCOUNT_SIZE",
           "TOKEN_PROGRAMS", "TOKEN_PROGRAM_ID", "TokenAccountInfo", "associated_address",
           "burn_checked", "create_associated_idempotent", "decode_mint", "decode_token_account",
           "mint_info", "mint_to_checked", "require_token_balance", "token_balance",
           "transfer_checked"]
