"""Solana plans: a person's transfer as instructions of ONE transaction, and back.

A plan's calls on a Solana chain are instructions (`Call.to` the program, `data` hex,
`accounts` the metas); `transaction(plan, blockhash, signers)` is the one way they become a
transaction, so what the guard simulates and what execution signs are the same bytes.
"""

from __future__ import annotations

from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from steward.errors import StewardError
from steward.plans import AccountRef, Call, Plan
from steward.solana.chain import SolanaChain
from steward.solana.spl import (
    TOKEN_ACCOUNT_SIZE,
    MintInfo,
    associated_address,
    create_associated_idempotent,
    require_token_balance,
    transfer_checked,
)
from steward.units import format_units

SOL_DECIMALS = 9
BASE_FEE_LAMPORTS = 5_000  # per signature


def call_from_instruction(instruction: Instruction, description: str) -> Call:
    return Call(to=str(instruction.program_id), data="0x" + bytes(instruction.data).hex(),
                description=description, gas_hint=0,
                accounts=[AccountRef(pubkey=str(meta.pubkey), signer=meta.is_signer,
                                     writable=meta.is_writable) for meta in instruction.accounts])


def instruction_from_call(call: Call) -> Instruction:
    if call.to is None or call.value:
        raise StewardError("a Solana instruction names its program and carries no EVM value")
    data = bytes.fromhex(call.data[2:] if call.data.startswith("0x") else call.data)
    return Instruction(Pubkey.from_string(call.to), data,
                       [AccountMeta(Pubkey.from_string(a.pubkey), a.signer, a.writable)
                        for a in call.accounts])


def message(plan: Plan, blockhash: Hash) -> Message:
    return Message.new_with_blockhash([instruction_from_call(c) for c in plan.calls],
                                      Pubkey.from_string(plan.sender), blockhash)


def transaction(plan: Plan, blockhash: Hash, signers: list[Keypair] | None = None) -> Transaction:
    """The plan as one transaction: signed by `signers`, or (for simulation) by nobody."""
    msg = message(plan, blockhash)
    if signers is None:
        return Transaction.new_unsigned(msg)
    return Transaction(signers, msg, blockhash)


def sol_transfer_plan(chain_name: str, sender: Pubkey, recipient: Pubkey, lamports: int,
                      label: str) -> Plan:
    call = call_from_instruction(
        transfer(TransferParams(from_pubkey=sender, to_pubkey=recipient, lamports=lamports)),
        f"send {format_units(lamports, SOL_DECIMALS)} SOL to {label}")
    return Plan(chain=chain_name, sender=str(sender), calls=[call], summary=call.description)


def token_transfer_plan(chain: SolanaChain, chain_name: str, sender: Pubkey, recipient: Pubkey,
                        mint: MintInfo, symbol: str, amount: int, label: str) -> Plan:
    """`amount` base units of `mint` to `recipient`'s associated account, created first when it
    does not exist (the sender pays its rent, which the description states)."""
    require_token_balance(chain, sender, mint, amount, symbol)
    destination = associated_address(recipient, mint.address, mint.program)
    calls = []
    if chain.get_account(destination) is None:
        rent = chain.rent_exempt(TOKEN_ACCOUNT_SIZE)
        calls.append(call_from_instruction(
            create_associated_idempotent(sender, recipient, mint),
            f"open {label}'s {symbol} account (rent {format_units(rent, SOL_DECIMALS)} SOL, "
            "paid by you)"))
    text = f"send {format_units(amount, mint.decimals)} {symbol} to {label}"
    calls.append(call_from_instruction(
        transfer_checked(mint, associated_address(sender, mint.address, mint.program),
                         destination, sender, amount), text))
    return Plan(chain=chain_name, sender=str(sender), calls=calls, summary=text)


__all__ = ["BASE_FEE_LAMPORTS", "SOL_DECIMALS", "call_from_instruction", "instruction_from_call",
           "message", "sol_transfer_plan", "token_transfer_plan", "transaction"]
