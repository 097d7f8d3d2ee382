"""The Solana sandbox: SOL, a USDC-like SPL mint and funded wallets on the embedded LiteSVM chain.

The operator (the bridge relayer, the USDC mint and freeze authority, the faucet) is derived
from the development mnemonic the EVM sandbox uses, at Phantom's path m/44'/501'/0'/0', so
every home's sandbox has the same addresses; it guards no real money. Its setup transactions are
the faucet's own, signed here: the people's wallets move money only through the guard.
"""

from __future__ import annotations

from collections.abc import Callable

from eth_account.hdaccount.mnemonic import Mnemonic
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import Transaction
import spl.token.instructions as spl_ix
from spl.token.models import InitializeMintParams

from steward.chains.config import SANDBOX_SOLANA, ChainConfig, load_config, update_chain
from steward.chains.embedded import DEV_MNEMONIC
from steward.errors import StewardError
from steward.sandbox import solana_zoo
from steward.home import steward_home
from steward.solana import forget_solana_chains, solana_chain
from steward.solana.chain import LAMPORTS_PER_SOL, EmbeddedSolana
from steward.solana.spl import (
    MINT_SIZE,
    TOKEN_PROGRAM_ID,
    associated_address,
    create_associated_idempotent,
    mint_info,
    mint_to_checked,
    token_balance,
)

SOLANA_SANDBOX = next(iter(SANDBOX_SOLANA))
DEV_PATH = "m/44'/501'/{index}'/0'"
USDC_MINT_INDEX = 1_000  # the mint's own key: a fixed address for the sandbox USDC
OPERATOR_LAMPORTS = 1_000 * LAMPORTS_PER_SOL
WALLET_SOL = 10 * LAMPORTS_PER_SOL
WALLET_USDC = 5_000 * 10**6
USDC_DECIMALS = 6
Progress = Callable[[str], None]


def dev_keypair(index: int = 0) -> Keypair:
    """A development Solana key from the sandbox mnemonic (index 0 is the operator)."""
    seed = Mnemonic.to_seed(DEV_MNEMONIC)
    return Keypair.from_seed_and_derivation_path(seed, DEV_PATH.format(index=index))


def operator() -> Keypair:
    return dev_keypair(0)


def sandbox_chain() -> tuple[ChainConfig, EmbeddedSolana]:
    config = load_config().chain(SOLANA_SANDBOX)
    chain = solana_chain(config)
    if not isinstance(chain, EmbeddedSolana):
        raise StewardError(f"{config.name} is not the embedded Solana sandbox")
    return config, chain


def sign_and_send(chain: EmbeddedSolana, signers: list[Keypair], instructions: list) -> str:
    """The operator's own transaction (the faucet and setup), failing loudly."""
    blockhash = chain.latest_blockhash()
    message = Message.new_with_blockhash(instructions, signers[0].pubkey(), blockhash)
    record = chain.send(Transaction(signers, message, blockhash))
    if not record.success:
        raise StewardError(f"sandbox Solana setup failed: {record.error}")
    return record.signature


def _ensure_usdc(chain: EmbeddedSolana) -> Pubkey:
    mint = dev_keypair(USDC_MINT_INDEX)
    if chain.get_account(mint.pubkey()) is not None:
        return mint.pubkey()
    payer = operator()
    rent = chain.rent_exempt(MINT_SIZE)
    sign_and_send(chain, [payer, mint], [
        create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=mint.pubkey(),
                                           lamports=rent, space=MINT_SIZE,
                                           owner=TOKEN_PROGRAM_ID)),
        # Like the real USDC: the issuer can mint and freeze (diligence states both powers).
        spl_ix.initialize_mint(InitializeMintParams(
            decimals=USDC_DECIMALS, program_id=TOKEN_PROGRAM_ID, mint=mint.pubkey(),
            mint_authority=payer.pubkey(), freeze_authority=payer.pubkey())),
    ])
    return mint.pubkey()


def top_up(chain: EmbeddedSolana, config: ChainConfig, owner: Pubkey) -> list[str]:
    """SOL and USDC up to the faucet's amounts; what was added, as text."""
    funded = []
    if chain.balance(owner) < WALLET_SOL // 2:
        chain.airdrop(owner, WALLET_SOL)
        funded.append(f"{WALLET_SOL // LAMPORTS_PER_SOL} SOL")
    usdc = mint_info(chain, Pubkey.from_string(config.tokens["USDC"]))
    held = token_balance(chain, owner, usdc)
    if held < WALLET_USDC // 2:
        payer = operator()
        sign_and_send(chain, [payer], [
            create_associated_idempotent(payer.pubkey(), owner, usdc),
            mint_to_checked(usdc, associated_address(owner, usdc.address, usdc.program),
                            payer.pubkey(), WALLET_USDC - held)])
        funded.append(f"{(WALLET_USDC - held) // 10**USDC_DECIMALS} USDC")
    return funded + give_zoo_tokens(chain, config, owner)


# Risky SPL mints in the registry (untrusted), so a person can ask to move them and watch the
# guard refuse: the operator keeps their powers, and wallets get some to try.
ZOO_MINTS = {
    "ZDELEGATE": lambda chain, op: solana_zoo.create_permanent_delegate_mint(
        chain, op, delegate=op.pubkey(), mint_authority=op.pubkey()),
    "ZFEE": lambda chain, op: solana_zoo.create_transfer_fee_mint(
        chain, op, basis_points=2_500, maximum_fee=2**64 - 1, fee_authority=op.pubkey(),
        mint_authority=op.pubkey()),
}
ZOO_AMOUNT = 100 * 10**6


def _ensure_zoo(chain: EmbeddedSolana, config: ChainConfig) -> dict[str, str]:
    tokens = {}
    for symbol, create in ZOO_MINTS.items():
        known = config.tokens.get(symbol)
        if known and chain.get_account(Pubkey.from_string(known)) is not None:
            continue
        tokens[symbol] = str(create(chain, operator()))
    return tokens


def give_zoo_tokens(chain: EmbeddedSolana, config: ChainConfig, owner: Pubkey) -> list[str]:
    given = []
    for symbol in ZOO_MINTS:
        mint = mint_info(chain, Pubkey.from_string(config.tokens[symbol]))
        if token_balance(chain, owner, mint) == 0:
            solana_zoo.mint_tokens(chain, operator(), mint.address, owner, ZOO_AMOUNT,
                                   mint_authority=operator())
            given.append(f"{ZOO_AMOUNT // 10**6} {symbol}")
    return given


def up(progress: Progress = lambda text: None) -> ChainConfig:
    """Create (or complete) the Solana sandbox; returns its registry entry."""
    config, chain = sandbox_chain()
    if chain.balance(operator().pubkey()) < OPERATOR_LAMPORTS // 2:
        chain.airdrop(operator().pubkey(), OPERATOR_LAMPORTS)
    mint = _ensure_usdc(chain)
    zoo = _ensure_zoo(chain, config)
    config = update_chain(config.name, family="solana", native_symbol="SOL",
                          tokens={**config.tokens, "USDC": str(mint), **zoo},
                          token_decimals={**config.token_decimals, "USDC": USDC_DECIMALS,
                                          **{symbol: 6 for symbol in zoo}},
                          trusted_tokens=sorted({*config.trusted_tokens, "USDC"}))
    progress(f"{config.name}: USDC mint {mint}, operator {operator().pubkey()}")
    return config


def reset() -> None:
    forget_solana_chains()
    chains_dir = steward_home() / "chains"
    for name in SANDBOX_SOLANA:
        for suffix in ("", "-wal", "-shm", ".lock"):
            (chains_dir / f"{name}.svm.sqlite{suffix}").unlink(missing_ok=True)
        update_chain(name, rpc_url=None, chain_id=SANDBOX_SOLANA[name], family="solana",
                     native_symbol="SOL", aliases=["solana"], tokens={}, contracts={},
                     trusted_tokens=[], token_decimals={})


__all__ = ["SOLANA_SANDBOX", "dev_keypair", "operator", "reset", "sandbox_chain",
           "sign_and_send", "top_up", "up"]
