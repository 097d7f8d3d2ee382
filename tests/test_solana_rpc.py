"""RpcSolana, the JSON-RPC Solana backend, against a stand-in node backed by a real LiteSVM
(no validator can run here): SOL and SPL flows with balances read through the backend and from
the stand-in's LiteSVM directly, the same flows on the embedded chain with the same balances,
simulation, and a node that lies, breaks or never answers."""

from __future__ import annotations

import random
import socket
import time
from dataclasses import dataclass
from typing import Callable

import pytest
from solders.account import Account
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import CreateAccountParams, TransferParams, create_account, transfer
from solders.token.state import TokenAccount
from solders.transaction import Transaction
from spl.token.instructions import initialize_mint2
from spl.token.models import InitializeMint2Params

from solana_standin import HOSTILE_TEXT, SolanaStandIn
from steward.chains.config import ChainConfig
from steward.errors import StewardError
from steward.service.errors import error_code
from steward.solana import forget_solana_chains, solana_chain
from steward.solana import rpc as solana_rpc
from steward.solana.chain import EmbeddedSolana, SolanaChain, TxRecord, decode_message
from steward.solana.rpc import (MalformedRpcAnswer, OutcomeUnknown, RpcRefusal, RpcSolana,
                                SolanaRpcUnreachable)
from steward.solana.spl import (MINT_SIZE, TOKEN_ACCOUNT_SIZE, TOKEN_PROGRAM_ID,
                                associated_address, create_associated_idempotent, mint_info,
                                mint_to_checked, token_balance, transfer_checked)

NAME = "sandbox-sol"
SOL = 10**9
FEE = 5000  # per signature
PAID = 1_000_000  # more than a new account's rent-exempt minimum (890 880 lamports)


def keypair(seed: int) -> Keypair:
    return Keypair.from_seed(bytes([seed]) * 32)


@dataclass
class Backend:
    """A chain under test, how to fund an address, and a direct view of its accounts that does
    not go through the chain object (the stand-in's LiteSVM, or a second reader of the file)."""

    chain: SolanaChain
    fund: Callable[[Pubkey, int], None]
    direct: Callable[[Pubkey], Account | None]


@pytest.fixture
def standin():
    with SolanaStandIn() as node:
        yield node


def rpc_of(node: SolanaStandIn, **timeouts) -> RpcSolana:
    settings = {"timeout": 2.0, "confirm_timeout": 1.0, "poll_seconds": 0.02} | timeouts
    return RpcSolana(NAME, node.url, **settings)


def embedded_backend(tmp_path) -> Backend:
    chain = EmbeddedSolana(NAME, tmp_path / f"{NAME}.svm.sqlite")
    reader = EmbeddedSolana(NAME, tmp_path / f"{NAME}.svm.sqlite")  # reloads from SQLite
    return Backend(chain, chain.airdrop, reader.get_account)


def rpc_backend(node: SolanaStandIn) -> Backend:
    return Backend(rpc_of(node), node.airdrop, node.svm.get_account)


@pytest.fixture(params=["rpc", "embedded"])
def backend(request, tmp_path):
    if request.param == "embedded":
        made = embedded_backend(tmp_path)
        yield made
        made.chain.close()
        return
    with SolanaStandIn() as node:
        yield rpc_backend(node)


def signed(chain: SolanaChain, signers: list[Keypair], instructions) -> Transaction:
    message = Message(instructions, signers[0].pubkey())
    return Transaction(signers, message, chain.latest_blockhash())


def sent(chain: SolanaChain, signers: list[Keypair], instructions) -> TxRecord:
    record = chain.send(signed(chain, signers, instructions))
    assert record.success, record.error
    return record


def pay(source: Keypair, dest: Pubkey, lamports: int):
    return transfer(TransferParams(from_pubkey=source.pubkey(), to_pubkey=dest,
                                   lamports=lamports))


def lamports_of(view: Callable[[Pubkey], Account | None], pubkey: Pubkey) -> int:
    account = view(pubkey)
    return 0 if account is None else account.lamports


def tokens_of(view: Callable[[Pubkey], Account | None], address: Pubkey) -> int:
    account = view(address)
    assert account is not None and account.owner == TOKEN_PROGRAM_ID
    return TokenAccount.from_bytes(bytes(account.data)[:TOKEN_ACCOUNT_SIZE]).amount


def spl_flow(backend: Backend) -> dict[str, int]:
    """A mint, two associated accounts, a mint_to_checked and a transfer_checked; the balances
    after, read through the chain (the direct view must agree)."""
    chain, payer, mint, bob = backend.chain, keypair(11), keypair(12), keypair(13)
    backend.fund(payer.pubkey(), 10 * SOL)
    mint_rent, account_rent = chain.rent_exempt(MINT_SIZE), chain.rent_exempt(TOKEN_ACCOUNT_SIZE)
    fees = sent(chain, [payer, mint], [
        create_account(CreateAccountParams(from_pubkey=payer.pubkey(), to_pubkey=mint.pubkey(),
                                           lamports=mint_rent, space=MINT_SIZE,
                                           owner=TOKEN_PROGRAM_ID)),
        initialize_mint2(InitializeMint2Params(decimals=6, program_id=TOKEN_PROGRAM_ID,
                                               mint=mint.pubkey(),
                                               mint_authority=payer.pubkey()))]).fee
    info = mint_info(chain, mint.pubkey())
    assert (info.decimals, info.supply, info.mint_authority) == (6, 0, payer.pubkey())
    payer_ata = associated_address(payer.pubkey(), info.address)
    bob_ata = associated_address(bob.pubkey(), info.address)
    fees += sent(chain, [payer], [
        create_associated_idempotent(payer.pubkey(), payer.pubkey(), info),
        create_associated_idempotent(payer.pubkey(), bob.pubkey(), info),
        mint_to_checked(info, payer_ata, payer.pubkey(), 1_000_000)]).fee
    fees += sent(chain, [payer], [transfer_checked(info, payer_ata, bob_ata, payer.pubkey(),
                                                   250_000)]).fee
    assert fees == 3 * FEE + FEE  # the mint's creation had two signatures
    balances = {"payer_tokens": token_balance(chain, payer.pubkey(), info),
                "bob_tokens": token_balance(chain, bob.pubkey(), info),
                "supply": mint_info(chain, mint.pubkey()).supply,
                "payer_lamports": chain.balance(payer.pubkey()),
                "bob_lamports": chain.balance(bob.pubkey()),
                "bob_ata_lamports": chain.balance(bob_ata)}
    assert balances["payer_lamports"] == 10 * SOL - mint_rent - 2 * account_rent - fees
    assert tokens_of(backend.direct, payer_ata) == balances["payer_tokens"]
    assert tokens_of(backend.direct, bob_ata) == balances["bob_tokens"]
    assert lamports_of(backend.direct, payer.pubkey()) == balances["payer_lamports"]
    return balances


# --- the real flows ----------------------------------------------------------------------
def test_solana_rpc_sol_transfer_moves_exact_lamports(backend):
    chain, alice, bob = backend.chain, keypair(1), keypair(2)
    backend.fund(alice.pubkey(), 2 * SOL)
    slot_before = chain.slot()
    record = sent(chain, [alice], [pay(alice, bob.pubkey(), SOL // 2)])
    assert record.fee == FEE and record.logs
    assert chain.balance(bob.pubkey()) == SOL // 2 == lamports_of(backend.direct, bob.pubkey())
    assert chain.balance(alice.pubkey()) == 2 * SOL - SOL // 2 - FEE
    assert lamports_of(backend.direct, alice.pubkey()) == 2 * SOL - SOL // 2 - FEE
    assert chain.get_account(bob.pubkey()).owner == Pubkey.from_string("1" * 32)
    assert chain.get_account(keypair(3).pubkey()) is None
    stored = chain.transaction(record.signature)
    assert stored is not None and stored.success and stored.fee == FEE
    assert stored.logs == record.logs and stored.message == record.message
    assert list(decode_message(stored).account_keys)[:2] == [alice.pubkey(), bob.pubkey()]
    assert chain.signatures_for_address(bob.pubkey()) == [record.signature]
    assert chain.transaction(str(Signature.default())) is None
    assert chain.slot() > slot_before


def test_solana_rpc_spl_mint_associated_accounts_transfer_checked(backend):
    balances = spl_flow(backend)
    assert balances["payer_tokens"] == 750_000 and balances["bob_tokens"] == 250_000
    assert balances["supply"] == 1_000_000
    assert balances["bob_lamports"] == 0  # bob paid nothing: the payer funded his account
    assert balances["bob_ata_lamports"] == backend.chain.rent_exempt(TOKEN_ACCOUNT_SIZE)


def test_solana_rpc_same_balances_as_embedded(standin, tmp_path):
    embedded = embedded_backend(tmp_path)
    try:
        assert spl_flow(rpc_backend(standin)) == spl_flow(embedded)
    finally:
        embedded.chain.close()


def test_solana_rpc_simulate_reports_post_balances_and_changes_nothing(backend):
    chain, alice, bob = backend.chain, keypair(1), keypair(2)
    backend.fund(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, bob.pubkey(), 300_000_000)])
    simulated = chain.simulate(tx)
    assert simulated.success and simulated.error is None and simulated.fee == FEE
    assert set(simulated.accounts_after) == set(tx.message.account_keys)
    assert simulated.accounts_after[alice.pubkey()].lamports == SOL - 300_000_000 - FEE
    assert simulated.accounts_after[bob.pubkey()].lamports == 300_000_000
    assert chain.balance(bob.pubkey()) == 0 and chain.balance(alice.pubkey()) == SOL
    assert chain.signatures_for_address(alice.pubkey()) == []


def test_solana_rpc_simulate_asks_for_every_account_and_leaves_signatures_to_send(standin):
    chain, alice, bob = rpc_of(standin), keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, bob.pubkey(), PAID)])
    chain.simulate(tx)
    method, params = standin.asked[-1]
    assert method == "simulateTransaction"
    config = params[1]
    assert config["sigVerify"] is False and config["replaceRecentBlockhash"] is False
    assert config["commitment"] == "confirmed" and config["encoding"] == "base64"
    assert config["accounts"] == {"encoding": "base64",
                                  "addresses": [str(key) for key in tx.message.account_keys]}
    # The guard's unsigned plan simulates; the same bytes with nobody's signature never land.
    unsigned = Transaction.populate(tx.message, [Signature.default()])
    assert chain.simulate(unsigned).success
    refused = chain.send(unsigned)
    assert not refused.success and "SignatureFailure" in (refused.error or "")
    assert chain.balance(bob.pubkey()) == 0


def test_solana_rpc_failing_tx_reports_error_and_logs_like_embedded(standin, tmp_path):
    chain, alice, bob = rpc_of(standin), keypair(1), keypair(2)
    embedded = EmbeddedSolana(NAME, tmp_path / "same.svm.sqlite")
    for each in (standin.airdrop, embedded.airdrop):
        each(alice.pubkey(), SOL)
    overdraft = [pay(alice, bob.pubkey(), 5 * SOL)]
    simulated = chain.simulate(signed(chain, [alice], overdraft))
    reference = embedded.simulate(signed(embedded, [alice], overdraft))
    embedded.close()
    assert not simulated.success and simulated.error == reference.error
    assert "InstructionErrorCustom(1)" in simulated.error  # the system program's overdraft
    assert any("insufficient lamports" in line for line in simulated.logs)
    assert simulated.logs == reference.logs and simulated.accounts_after == {}
    record = chain.send(signed(chain, [alice], overdraft))
    assert not record.success and record.error == reference.error
    assert any("insufficient lamports" in line for line in record.logs)
    assert record.fee == 0  # refused by the node's preflight: never processed, nothing charged
    assert standin.balance(alice.pubkey()) == SOL and standin.balance(bob.pubkey()) == 0
    assert chain.signatures_for_address(alice.pubkey()) == []


def test_solana_rpc_replayed_transaction_moves_money_once(standin):
    chain, alice, bob = rpc_of(standin), keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, bob.pubkey(), PAID)])
    assert chain.send(tx).success
    again = chain.send(tx)
    assert not again.success and "AlreadyProcessed" in again.error
    assert standin.balance(bob.pubkey()) == PAID
    assert standin.balance(alice.pubkey()) == SOL - PAID - FEE


def test_solana_rpc_signatures_for_address_pages_newest_first(standin, monkeypatch):
    chain, alice, bob = rpc_of(standin), keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), SOL)
    signatures = [sent(chain, [alice], [pay(alice, bob.pubkey(), amount)]).signature
                  for amount in (PAID, PAID + 1, PAID + 2, PAID + 3, PAID + 4)]
    monkeypatch.setattr(solana_rpc, "SIGNATURES_PAGE", 2)
    assert chain.signatures_for_address(bob.pubkey()) == signatures[::-1]
    assert chain.signatures_for_address(bob.pubkey(), limit=3) == signatures[::-1][:3]
    assert [m for m in standin.methods_asked() if m == "getSignaturesForAddress"] == \
        ["getSignaturesForAddress"] * 5  # 2 + 2 + 1, then 2 + 1


def test_solana_rpc_is_what_a_chain_with_an_rpc_url_gets(standin):
    config = ChainConfig(name="devnet-sol", chain_id=1_337_102, family="solana",
                         native_symbol="SOL", rpc_url=standin.url)
    try:
        chain = solana_chain(config)
        assert isinstance(chain, RpcSolana) and not chain.embedded
        standin.airdrop(keypair(1).pubkey(), PAID)
        assert chain.balance(keypair(1).pubkey()) == PAID
    finally:
        forget_solana_chains()


# --- a node that lies --------------------------------------------------------------------
def assert_clear(exc: BaseException, method: str) -> None:
    """One line naming the chain and the method, short, with no raw control characters."""
    text = str(exc)
    assert isinstance(exc, StewardError)
    assert NAME in text and method in text, text
    assert len(text) < 500 and "\x1b" not in text and "\u202e" not in text and "\n" not in text


@pytest.mark.parametrize("lie", ["malformed_account", "bad_base64", "wrong_types"])
def test_solana_rpc_malformed_accounts_are_refused(standin, lie):
    chain, alice, bob = rpc_of(standin), keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, bob.pubkey(), PAID)])
    standin.lie = lie
    with pytest.raises(MalformedRpcAnswer) as read:
        chain.get_account(alice.pubkey())
    assert_clear(read.value, "getAccountInfo")
    with pytest.raises(MalformedRpcAnswer) as simulated:
        chain.simulate(tx)
    assert_clear(simulated.value, "simulateTransaction")


@pytest.mark.parametrize("read, method", [
    (lambda chain: chain.balance(keypair(1).pubkey()), "getBalance"),
    (lambda chain: chain.slot(), "getSlot"),
    (lambda chain: chain.rent_exempt(165), "getMinimumBalanceForRentExemption"),
])
def test_solana_rpc_numbers_of_the_wrong_type_are_refused(standin, read, method):
    standin.lie = "wrong_types"
    with pytest.raises(MalformedRpcAnswer) as refused:
        read(rpc_of(standin))
    assert_clear(refused.value, method)


def test_solana_rpc_malformed_blockhash_is_refused(standin):
    standin.lie = "malformed_blockhash"
    with pytest.raises(MalformedRpcAnswer) as refused:
        rpc_of(standin).latest_blockhash()
    assert_clear(refused.value, "getLatestBlockhash")


def test_solana_rpc_unknown_blockhash_makes_the_transaction_fail_not_pass(standin):
    chain, alice, bob = rpc_of(standin), keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), SOL)
    standin.lie = "wrong_blockhash"
    tx = signed(chain, [alice], [pay(alice, bob.pubkey(), PAID)])
    standin.lie = None
    simulated = chain.simulate(tx)
    assert not simulated.success and "BlockhashNotFound" in simulated.error
    record = chain.send(tx)
    assert not record.success and "BlockhashNotFound" in record.error
    assert standin.balance(alice.pubkey()) == SOL and standin.balance(bob.pubkey()) == 0


def test_solana_rpc_error_object_is_quoted_short_and_visible(standin):
    chain = rpc_of(standin)
    standin.lie = "error_object"
    calls = [(lambda: chain.get_account(keypair(1).pubkey()), "getAccountInfo"),
             (lambda: chain.latest_blockhash(), "getLatestBlockhash"),
             (lambda: chain.signatures_for_address(keypair(1).pubkey()),
              "getSignaturesForAddress")]
    for call, method in calls:
        with pytest.raises(RpcRefusal) as refused:
            call()
        assert_clear(refused.value, method)
        assert "code -32005" in str(refused.value) and "<U+001B>" in str(refused.value)
        assert HOSTILE_TEXT[:20] not in str(refused.value)


def test_solana_rpc_error_object_on_send_means_nothing_sent(standin):
    chain, alice = rpc_of(standin), keypair(1)
    standin.airdrop(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, keypair(2).pubkey(), PAID)])
    standin.lie = "error_object"
    with pytest.raises(RpcRefusal) as refused:
        chain.send(tx)
    assert_clear(refused.value, "sendTransaction")
    assert "nothing was sent" in str(refused.value)
    assert standin.processed == {}


@pytest.mark.parametrize("lie, expected, words", [
    ("error_without_message", MalformedRpcAnswer, "no code and message"),
    ("not_json", MalformedRpcAnswer, "not JSON"),
    ("wrong_id", MalformedRpcAnswer, "not a JSON-RPC response to this request"),
    ("http_error", SolanaRpcUnreachable, "HTTP 503"),
])
def test_solana_rpc_broken_answers_are_clear_errors(standin, lie, expected, words):
    standin.lie = lie
    with pytest.raises(expected) as broken:
        rpc_of(standin).get_account(keypair(1).pubkey())
    assert_clear(broken.value, "getAccountInfo")
    assert words in str(broken.value) and "upstream overloaded" not in str(broken.value)
    if lie == "http_error":
        assert error_code(broken.value) == "chain_unreachable"


def test_solana_rpc_short_simulation_accounts_are_refused(standin):
    chain, alice = rpc_of(standin), keypair(1)
    standin.airdrop(alice.pubkey(), SOL)
    standin.lie = "short_accounts"
    with pytest.raises(MalformedRpcAnswer) as refused:
        chain.simulate(signed(chain, [alice], [pay(alice, keypair(2).pubkey(), PAID)]))
    assert_clear(refused.value, "simulateTransaction")
    assert "2 accounts for the 3 asked" in str(refused.value)


def test_solana_rpc_forged_transaction_is_refused(standin):
    chain, alice = rpc_of(standin), keypair(1)
    standin.airdrop(alice.pubkey(), SOL)
    record = sent(chain, [alice], [pay(alice, keypair(2).pubkey(), PAID)])
    standin.lie = "forged_transaction"
    with pytest.raises(MalformedRpcAnswer) as refused:
        chain.transaction(record.signature)
    assert_clear(refused.value, "getTransaction")
    assert "not the one asked for" in str(refused.value)


# --- sent, and then? ---------------------------------------------------------------------
def assert_unknown(exc: BaseException, signature: str) -> None:
    assert isinstance(exc, OutcomeUnknown) and exc.signature == signature
    assert "outcome is unknown" in str(exc) and signature in str(exc) and NAME in str(exc)
    assert error_code(exc) == "chain_unreachable"


@pytest.mark.parametrize("lie, words", [
    ("drop_send", "not confirmed within 0.5 s"),
    ("confirm_unsent", "did not return the transaction"),
    ("processed_only", "not confirmed within 0.5 s"),
])
def test_solana_rpc_unconfirmed_send_is_outcome_unknown_never_success(standin, lie, words):
    chain, alice, bob = rpc_of(standin, confirm_timeout=0.5), keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, bob.pubkey(), PAID)])
    standin.lie = lie
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown) as unknown:
        chain.send(tx)
    assert time.monotonic() - started < 3
    assert_unknown(unknown.value, str(tx.signatures[0]))
    assert words in str(unknown.value)
    if lie != "processed_only":  # (that one did land: only "confirmed" counts)
        assert standin.balance(bob.pubkey()) == 0 and standin.balance(alice.pubkey()) == SOL


@pytest.mark.parametrize("lie, words", [
    ("wrong_signature", "answered another signature"),
    ("contradiction", "contradicts itself"),
    ("forged_transaction", "not the one asked for"),
])
def test_solana_rpc_lies_after_sending_are_outcome_unknown(standin, lie, words):
    chain, alice, bob = rpc_of(standin), keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, bob.pubkey(), PAID)])
    standin.lie = lie
    with pytest.raises(OutcomeUnknown) as unknown:
        chain.send(tx)
    assert_unknown(unknown.value, str(tx.signatures[0]))
    assert words in str(unknown.value)
    # the lying node did process it: "unknown" was the honest answer, a failure would not be
    assert standin.balance(bob.pubkey()) == PAID


def test_solana_rpc_send_without_an_answer_is_outcome_unknown(standin):
    chain, alice = rpc_of(standin, timeout=0.2, confirm_timeout=0.3), keypair(1)
    standin.airdrop(alice.pubkey(), SOL)
    tx = signed(chain, [alice], [pay(alice, keypair(2).pubkey(), PAID)])
    standin.lie, standin.hang_seconds = "hang", 0.6
    with pytest.raises(OutcomeUnknown) as unknown:
        chain.send(tx)
    assert_unknown(unknown.value, str(tx.signatures[0]))
    assert "no answer within 0.2 s" in str(unknown.value)


# --- any answer, garbled -----------------------------------------------------------------
ODD_VALUES = [None, True, -1, 2**64, 2**70, 1.5, "", "%%% not base64", "1" * 44, "x" * 10_000,
              [], [1, "base64"], ["AQI=", "base58"], {}, {"Ok": None}, {"InstructionError": [0]},
              "\x1b[2J\u202e", "Tokenkeg-not-a-key"]


def garbler(rng: random.Random) -> Callable[[dict], dict]:
    """Replace one randomly chosen value anywhere in an answer (the envelope included) with an
    odd one, or drop it."""

    def paths(value, path=()):
        yield path
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from paths(inner, path + (key,))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from paths(inner, path + (index,))

    def garble(answer: dict) -> dict:
        path = rng.choice(list(paths(answer))[1:])
        parent = answer
        for step in path[:-1]:
            parent = parent[step]
        if rng.random() < 0.15 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = rng.choice(ODD_VALUES)
        return answer

    return garble


def test_solana_rpc_garbled_answers_are_steward_errors_or_harmless(standin):
    """Whatever one value of an answer is replaced with, every method returns normally or raises
    a StewardError: never a solders panic (a BaseException), a KeyError or a TypeError."""
    alice, bob = keypair(1), keypair(2)
    standin.airdrop(alice.pubkey(), 2 * SOL)
    honest = rpc_of(standin, confirm_timeout=0.05, poll_seconds=0.01)
    known = sent(honest, [alice], [pay(alice, bob.pubkey(), PAID)]).signature
    blockhash = honest.latest_blockhash()
    rng, outcomes = random.Random(18), {"returned": 0, "refused": 0}
    for round_ in range(40):
        chain = rpc_of(standin, confirm_timeout=0.05, poll_seconds=0.01)
        tx = Transaction([alice], Message([pay(alice, bob.pubkey(), PAID + round_)],
                                          alice.pubkey()), blockhash)
        calls = [lambda: chain.get_account(alice.pubkey()), lambda: chain.balance(bob.pubkey()),
                 chain.latest_blockhash, lambda: chain.rent_exempt(165), chain.slot,
                 lambda: chain.simulate(tx), lambda: chain.transaction(known),
                 lambda: chain.signatures_for_address(bob.pubkey()), lambda: chain.send(tx)]
        for call in calls:
            standin.mutate = garbler(rng)
            try:
                call()
                outcomes["returned"] += 1
            except StewardError as exc:
                assert len(str(exc)) < 700 and "\x1b" not in str(exc), str(exc)
                outcomes["refused"] += 1
            finally:
                standin.mutate = None
    assert outcomes["refused"] > 150 and outcomes["returned"] > 10, outcomes


# --- a node that cannot be reached -------------------------------------------------------
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_solana_rpc_unreachable_is_chain_unreachable(tmp_path):
    chain = RpcSolana(NAME, f"http://127.0.0.1:{closed_port()}/?api-key=SECRET-KEY", timeout=1)
    with pytest.raises(SolanaRpcUnreachable) as unreachable:
        chain.get_account(keypair(1).pubkey())
    assert_clear(unreachable.value, "getAccountInfo")
    assert "cannot be reached" in str(unreachable.value)
    assert "SECRET-KEY" not in str(unreachable.value)
    assert error_code(unreachable.value) == "chain_unreachable"
    alice = keypair(1)
    tx = Transaction([alice], Message([pay(alice, keypair(2).pubkey(), PAID)], alice.pubkey()),
                     EmbeddedSolana(NAME, tmp_path / "x.sqlite").latest_blockhash())
    with pytest.raises(SolanaRpcUnreachable) as unsent:
        chain.send(tx)
    assert not isinstance(unsent.value, OutcomeUnknown)
    assert "nothing was sent" in str(unsent.value)


def test_solana_rpc_silent_node_times_out_as_unreachable(standin):
    standin.lie, standin.hang_seconds = "hang", 1.0
    started = time.monotonic()
    with pytest.raises(SolanaRpcUnreachable) as silent:
        rpc_of(standin, timeout=0.2).slot()
    assert time.monotonic() - started < 0.9
    assert_clear(silent.value, "getSlot")
    assert "no answer within 0.2 s" in str(silent.value)


def test_solana_rpc_refuses_a_non_http_url():
    with pytest.raises(StewardError, match="must be http"):
        RpcSolana(NAME, "file:///etc/passwd")
