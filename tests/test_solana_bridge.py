"""The bridge across families on the embedded sandbox: USDC locked on sandbox-l1 is minted on the
Solana sandbox, and burned there to be released on sandbox-l1 — once, for the amount that really
moved, only through the registered route, and never for a burn that is not exactly a bridge burn.
"""

from __future__ import annotations

import pytest
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import CreateAccountParams, create_account
from solders.transaction import Transaction
import spl.token.instructions as spl_ix
from spl.token.models import InitializeAccountParams, InitializeMintParams
from web3.exceptions import ContractLogicError

from steward import chains as chain_registry
from steward.chains.config import load_config
from steward.chains.embedded import dev_account
from steward.errors import InsufficientFundsError, StewardError
from steward.execution import Executor
from steward.guard import approve, review
from steward.guard.mandate import unrestricted_mandate
from steward.plans import Call, Plan
from steward.protocols import erc20
from steward.protocols.bridge import bridge_contract
from steward.sandbox import SandboxBuilder
from steward.sandbox import solana as solana_sandbox
from steward.solana.bridge import (
    burn_calls,
    burn_id,
    burn_key,
    burn_memo,
    burns_in_transaction,
    decode_burn,
    is_delivered_to_solana,
    lock_call,
    locks_in_receipt,
    marker_address,
    memo_instruction,
    register_sandbox_route,
    sandbox_solana_relayer,
    solana_mint,
    transfer_lamports,
    wait_for_release,
    wait_for_solana_delivery,
)
from steward.solana.spl import (
    MINT_SIZE,
    TOKEN_PROGRAM_ID,
    associated_address,
    burn_checked,
    create_associated_idempotent,
    mint_info,
    mint_to_checked,
    token_balance,
    transfer_checked,
)

USD6 = 10**6
USER_WALLET = "bridge-user"


class World:
    """The sandbox with the USDC route registered, an EVM user and a Solana user."""

    def __init__(self):
        self.sol = solana_sandbox.up()
        self.builder = SandboxBuilder()
        self.l1 = load_config().chain("sandbox-l1")
        self.w3 = chain_registry.connect(self.l1)
        self.registered = register_sandbox_route(self.builder.send, self.l1, self.sol,
                                                 chain_registry.connect)
        self.sol = load_config().chain(self.sol.name)
        _, self.chain = solana_sandbox.sandbox_chain()
        self.usdc_l1 = self.l1.tokens["USDC"]
        self.usdc = mint_info(self.chain, Pubkey.from_string(self.sol.tokens["USDC"]))
        self.bridge = bridge_contract(self.w3, self.l1)
        self.user = dev_account(7)  # the EVM side's person
        self.owner = Keypair()  # the Solana side's person
        self.chain.airdrop(self.owner.pubkey(), 10**9)
        self.builder.call(self.l1, self.usdc_l1, "ERC20", "mint", self.user.address, 1_000 * USD6)
        self.builder.send(self.l1, Call(to=self.user.address, value=10**18, description="gas"))
        self.mandate = unrestricted_mandate(USER_WALLET)
        self.executor = Executor(self.user, USER_WALLET, solana_key=lambda: self.owner)

    def relayer(self):
        return sandbox_solana_relayer(self.builder.send, chain_registry.connect)

    def run(self, chain_name: str, sender: str, calls: list[Call]):
        plan = Plan(chain=chain_name, sender=sender, calls=calls, summary=calls[-1].description)
        verdict = review(plan, USER_WALLET, mandate=self.mandate)
        assert verdict.decision != "deny", verdict.explanation
        return self.executor.execute(plan, approve(verdict, by="person"))

    def lock(self, amount: int, recipient: Pubkey):
        """approve + lock_to_solana from the EVM user, as the planner builds it."""
        call = lock_call(self.w3, self.l1, self.sol, self.usdc_l1, amount, recipient,
                         f"bridge {amount} to Solana")
        token = erc20.registry_token(self.w3, self.l1, "USDC")
        approval = erc20.approve_call(self.w3, token, call.to, amount, "approve exactly")
        result = self.run(self.l1.name, self.user.address, [approval, call])
        return self.w3.eth.get_transaction_receipt(result.tx_hashes[-1])

    def l1_usdc(self, holder: str) -> int:
        return erc20.balance_of(self.w3, self.usdc_l1, holder)

    def sol_usdc(self, owner: Pubkey) -> int:
        return token_balance(self.chain, owner, self.usdc)

    def supply(self) -> int:
        return mint_info(self.chain, self.usdc.address).supply

    def send_sol(self, signers: list[Keypair], instructions: list):
        blockhash = self.chain.latest_blockhash()
        message = Message.new_with_blockhash(instructions, signers[0].pubkey(), blockhash)
        return self.chain.send(Transaction(signers, message, blockhash))


@pytest.fixture
def world(embedded_world) -> World:
    return World()


def delivered_once(world: World, amount: int) -> Pubkey:
    """Lock `amount` for the Solana owner and relay it; returns the owner."""
    world.lock(amount, world.owner.pubkey())
    assert [t.amount for t in world.relayer().run_once()] == [amount]
    return world.owner.pubkey()


# ------------------------------------------------------------------ EVM → Solana

def test_solana_bridge_lock_mints_once(world):
    # `sandbox up` registered the route; registering again changes nothing
    assert not world.registered and not register_sandbox_route(
        world.builder.send, world.l1, world.sol, chain_registry.connect)
    assert solana_mint(world.w3, world.l1, world.l1.tokens["USDC"], world.sol.chain_id) == \
        Pubkey.from_string(world.sol.tokens["USDC"])
    recipient = world.owner.pubkey()
    user_before, bridge_before = world.l1_usdc(world.user.address), world.l1_usdc(
        world.bridge.address)
    supply_before = world.supply()
    receipt = world.lock(100 * USD6, recipient)
    [transfer] = locks_in_receipt(world.w3, world.l1, receipt)
    assert (transfer.kind, transfer.amount, transfer.recipient, transfer.mint, transfer.token) == (
        "lock", 100 * USD6, str(recipient), str(world.usdc.address), world.usdc_l1)
    assert transfer.dest_chain_id == world.sol.chain_id
    assert world.l1_usdc(world.user.address) == user_before - 100 * USD6
    assert world.l1_usdc(world.bridge.address) == bridge_before + 100 * USD6
    relayer = world.relayer()
    assert not is_delivered_to_solana(world.chain, relayer.marker_base, transfer)
    with pytest.raises(StewardError, match="was not delivered"):
        wait_for_solana_delivery(world.chain, transfer, relay=None, timeout=0)

    [delivered] = relayer.run_once()
    wait_for_solana_delivery(world.chain, transfer, relay=None, timeout=0)
    assert delivered.transfer_id == transfer.transfer_id and delivered.delivery
    assert world.sol_usdc(recipient) == 100 * USD6
    assert world.supply() == supply_before + 100 * USD6
    assert is_delivered_to_solana(world.chain, relayer.marker_base, transfer)
    assert relayer.run_once() == []
    assert world.sol_usdc(recipient) == 100 * USD6


def test_solana_bridge_replayed_mint_is_refused_on_chain(world):
    recipient = world.owner.pubkey()
    world.lock(100 * USD6, recipient)
    relayer = world.relayer()
    [delivered] = relayer.run_once()
    record = world.chain.transaction(delivered.delivery)
    # The exact signed transaction again: the chain has processed it.
    replay = Transaction.populate(Message.from_bytes(record.message),
                                  [Signature.from_string(record.signature)])
    assert world.chain.send(replay).error == "AlreadyProcessed"
    # The same delivery signed anew (another fee payer, so another transaction): the marker is
    # in use, the whole transaction fails, nothing mints.
    payer = Keypair()
    world.chain.airdrop(payer.pubkey(), 10**9)
    again = world.send_sol([payer, relayer.authority],
                           relayer.mint_instructions(delivered, world.usdc))
    assert not again.success and "already in use" in " ".join(again.logs)
    assert world.sol_usdc(recipient) == 100 * USD6
    # A second relayer with no cursor sees the lock again and mints nothing.
    relayer.cursor_path.unlink()
    second = world.relayer()
    assert second.run_once() == []
    assert world.sol_usdc(recipient) == 100 * USD6


def test_solana_bridge_prefunded_marker_neither_blocks_nor_fakes_delivery(world):
    """Anyone can send lamports to the marker's address before the relayer runs."""
    griefer = Keypair()
    world.chain.airdrop(griefer.pubkey(), 10**9)
    receipt = world.lock(25 * USD6, world.owner.pubkey())
    [transfer] = locks_in_receipt(world.w3, world.l1, receipt)
    relayer = world.relayer()
    marker = marker_address(relayer.marker_base, transfer.transfer_id)
    assert world.send_sol([griefer], [transfer_lamports(griefer.pubkey(), marker, 10**7)]).success
    assert not is_delivered_to_solana(world.chain, relayer.marker_base, transfer)
    assert [t.amount for t in relayer.run_once()] == [25 * USD6]
    assert world.sol_usdc(world.owner.pubkey()) == 25 * USD6


def test_solana_bridge_ignores_locks_of_another_bridge(world):
    """An attacker's own Bridge routed to the sandbox mint emits look-alike events: the relayer
    reads only the registered bridge, so nothing is minted for them."""
    attacker = world.builder.deploy(world.l1, "Bridge")
    world.builder.call(world.l1, attacker, "Bridge", "register_solana_token", world.usdc_l1,
                       world.sol.chain_id, bytes(world.usdc.address))
    lock = erc20.encode(world.w3, attacker, "Bridge", "lock_to_solana", world.usdc_l1, 5 * USD6,
                        bytes(world.owner.pubkey()), world.sol.chain_id)
    token = erc20.registry_token(world.w3, world.l1, "USDC")
    receipt = world.w3.eth.get_transaction_receipt(world.run(world.l1.name, world.user.address, [
        erc20.approve_call(world.w3, token, attacker, 5 * USD6, "approve the attacker's bridge"),
        Call(to=attacker, data=lock, description="lock on the attacker's bridge")]).tx_hashes[-1])
    assert world.l1_usdc(attacker) == 5 * USD6
    assert locks_in_receipt(world.w3, world.l1, receipt) == []  # not the registered bridge
    supply = world.supply()
    assert world.relayer().run_once() == []
    assert world.supply() == supply and world.sol_usdc(world.owner.pubkey()) == 0


def test_solana_bridge_never_mints_off_the_registered_route(world):
    """The bridge's owner points USDC at another mint: a lock then names that mint, which is
    not the registry's, so the relayer mints nothing anywhere, and keeps reporting it."""
    fake = _other_mint(world, world.owner)
    world.builder.call(world.l1, world.bridge.address, "Bridge", "register_solana_token",
                       world.usdc_l1, world.sol.chain_id, bytes(fake.address))
    with pytest.raises(StewardError, match="cannot be bridged"):
        world.lock(10 * USD6, world.owner.pubkey())
    data = erc20.encode(world.w3, world.bridge.address, "Bridge", "lock_to_solana",
                        world.usdc_l1, 10 * USD6, bytes(world.owner.pubkey()), world.sol.chain_id)
    token = erc20.registry_token(world.w3, world.l1, "USDC")
    world.run(world.l1.name, world.user.address, [
        erc20.approve_call(world.w3, token, world.bridge.address, 10 * USD6, "approve exactly"),
        Call(to=world.bridge.address, data=data, description="lock toward the changed route")])
    supplies = (world.supply(), mint_info(world.chain, fake.address).supply)
    relayer = world.relayer()
    for _ in range(2):  # the cursor stays before it: refused again, never skipped unseen
        assert relayer.run_once() == []
        assert [(t.mint, reason) for t, reason in relayer.refused] == [
            (str(fake.address), "its token and mint are not a registered route")]
    assert (world.supply(), mint_info(world.chain, fake.address).supply) == supplies


def test_solana_bridge_lock_checks_route_and_inputs(world):
    bridge, user = world.bridge, {"from": world.user.address}
    usdt = world.l1.tokens["USDT"]
    recipient = bytes(world.owner.pubkey())
    with pytest.raises(StewardError, match="cannot be bridged"):
        lock_call(world.w3, world.l1, world.sol, usdt, USD6, world.owner.pubkey(), "x")
    cases = [
        (bridge.functions.lock_to_solana(usdt, USD6, recipient, world.sol.chain_id),
         "token not registered for chain"),
        (bridge.functions.lock_to_solana(world.usdc_l1, USD6, recipient, 999),
         "token not registered for chain"),
        (bridge.functions.lock_to_solana(world.usdc_l1, 0, recipient, world.sol.chain_id),
         "zero amount"),
        (bridge.functions.lock_to_solana(world.usdc_l1, USD6, b"\0" * 32, world.sol.chain_id),
         "empty recipient"),
        (bridge.functions.register_solana_token(usdt, world.sol.chain_id, recipient),
         "not the owner"),
        # A chain id that is an EVM route cannot also be a Solana one.
        (bridge.functions.register_solana_token(world.usdc_l1, 1_337_002, recipient),
         "not the owner"),
    ]
    for call, reason in cases:
        with pytest.raises(ContractLogicError, match=reason):
            call.call(user)
    operator = {"from": world.builder.operator.address}
    with pytest.raises(ContractLogicError, match="chain id is an EVM route"):
        bridge.functions.register_solana_token(world.usdc_l1, 1_337_002, recipient).call(operator)
    with pytest.raises(ContractLogicError, match="chain id is a Solana route"):
        bridge.functions.register_token(world.usdc_l1, world.sol.chain_id,
                                        world.user.address, False).call(operator)


# ------------------------------------------------------------------ Solana → EVM

def test_solana_bridge_burn_releases_once_to_the_memo_recipient(world):
    owner = delivered_once(world, 100 * USD6)
    payee = dev_account(8).address
    before, bridge_before = world.l1_usdc(payee), world.l1_usdc(world.bridge.address)
    supply = world.supply()
    calls = burn_calls(world.chain, world.usdc, owner, 40 * USD6, world.l1, payee.lower(),
                       "bridge 40 USDC to sandbox-l1")
    assert bytes.fromhex(calls[1].data[2:]).decode() == (
        f"steward-bridge:v1:{world.l1.chain_id}:{payee}")  # EIP-55, whatever case was given
    planned = decode_burn(calls, world.usdc)
    assert (planned.amount, planned.recipient, planned.dest_chain_id, planned.burn_id) == (
        40 * USD6, payee, world.l1.chain_id, None)
    result = world.run(world.sol.name, str(owner), calls)  # the guard and the executor
    signature = result.tx_hashes[-1]
    assert world.sol_usdc(owner) == 60 * USD6 and world.supply() == supply - 40 * USD6

    [burn] = burns_in_transaction(world.chain, world.sol, signature, world.usdc, world.usdc_l1)
    with pytest.raises(StewardError, match="was not delivered"):
        wait_for_release(world.w3, world.l1, burn, relay=None, timeout=0)
    relayer = world.relayer()
    [released] = relayer.run_once()
    wait_for_release(world.w3, world.l1, burn, relay=None, timeout=0)
    assert released == burn.model_copy(update={"delivery": released.delivery})
    assert (released.kind, released.amount, released.recipient, released.signature) == (
        "burn", 40 * USD6, payee, signature)
    assert released.transfer_id == "0x" + burn_id(signature).hex()
    assert world.l1_usdc(payee) == before + 40 * USD6
    assert world.l1_usdc(world.bridge.address) == bridge_before - 40 * USD6
    assert world.bridge.functions.solana_outstanding(world.usdc_l1, world.sol.chain_id).call() \
        == 60 * USD6
    assert relayer.run_once() == []
    relayer.cursor_path.unlink()  # a relayer with no memory skips it too: already processed
    assert world.relayer().run_once() == []
    assert world.l1_usdc(payee) == before + 40 * USD6
    assert world.bridge.functions.processed(burn_key(world.sol.chain_id,
                                                     burn_id(signature))).call()
    replay = world.bridge.functions.release_from_solana(
        world.sol.chain_id, burn_id(signature), world.usdc_l1, payee, 40 * USD6)
    with pytest.raises(ContractLogicError, match="already processed"):
        replay.call({"from": world.builder.operator.address})
    with pytest.raises(ContractLogicError, match="not the relayer"):
        world.bridge.functions.release_from_solana(
            world.sol.chain_id, b"\1" * 32, world.usdc_l1, payee, USD6).call(
            {"from": world.user.address})


def test_solana_bridge_burn_plan_checks_inputs(world):
    owner = world.owner.pubkey()
    with pytest.raises(InsufficientFundsError):
        burn_calls(world.chain, world.usdc, owner, USD6, world.l1, world.user.address, "x")
    with pytest.raises(StewardError, match="not an EVM address"):
        burn_calls(world.chain, world.usdc, owner, USD6, world.l1, "0x" + "00" * 20, "x")
    with pytest.raises(StewardError, match="not an EVM chain"):
        burn_calls(world.chain, world.usdc, owner, USD6, world.sol, world.user.address, "x")


def _other_mint(world: World, authority: Keypair):
    """A second mint with the sandbox USDC's decimals (a look-alike), `authority` minting."""
    mint = Keypair()
    rent = world.chain.rent_exempt(MINT_SIZE)
    assert world.send_sol([authority, mint], [
        create_account(CreateAccountParams(from_pubkey=authority.pubkey(), to_pubkey=mint.pubkey(),
                                           lamports=rent, space=MINT_SIZE, owner=TOKEN_PROGRAM_ID)),
        spl_ix.initialize_mint(InitializeMintParams(
            decimals=world.usdc.decimals, program_id=TOKEN_PROGRAM_ID, mint=mint.pubkey(),
            mint_authority=authority.pubkey(), freeze_authority=None)),
    ]).success
    fake = mint_info(world.chain, mint.pubkey())
    ata = associated_address(authority.pubkey(), fake.address)
    assert world.send_sol([authority], [
        create_associated_idempotent(authority.pubkey(), authority.pubkey(), fake),
        mint_to_checked(fake, ata, authority.pubkey(), 1_000 * USD6)]).success
    return fake


def test_solana_bridge_never_releases_what_is_not_exactly_a_bridge_burn(world):
    owner = delivered_once(world, 100 * USD6)
    kp, payee = world.owner, dev_account(8).address
    ata = associated_address(owner, world.usdc.address)
    stranger = Keypair()
    world.chain.airdrop(stranger.pubkey(), 10**9)
    fake = _other_mint(world, kp)

    def burn(amount=USD6, mint=world.usdc, account=None):
        return burn_checked(mint, account or associated_address(owner, mint.address), owner,
                            amount)

    def memo(text=burn_memo(world.l1.chain_id, payee), signer=owner):
        return memo_instruction(signer, text)

    cases = {
        "lower-case address": ([kp], [burn(), memo(f"steward-bridge:v1:{world.l1.chain_id}:"
                                                   f"{payee.lower()}")]),
        "trailing space": ([kp], [burn(), memo(burn_memo(world.l1.chain_id, payee) + " ")]),
        "other version": ([kp], [burn(), memo(f"steward-bridge:v2:{world.l1.chain_id}:{payee}")]),
        "zero address": ([kp], [burn(), memo(f"steward-bridge:v1:{world.l1.chain_id}:0x"
                                             + "0" * 40)]),
        "two memos": ([kp], [burn(), memo(), memo()]),
        "memo without a burn": ([kp], [memo()]),
        "burn without a memo": ([kp], [burn()]),
        "two burns": ([kp], [burn(), burn(), memo()]),
        "memo signed by another": ([stranger, kp], [burn(), memo(signer=stranger.pubkey())]),
        "burn of a look-alike mint": ([kp], [burn(mint=fake), memo()]),
        "an extra instruction": ([kp], [burn(), memo(), transfer_lamports(owner,
                                                                          stranger.pubkey(), 1)]),
    }
    before, supply = world.l1_usdc(payee), world.supply()
    burned = 0
    for name, (signers, instructions) in cases.items():
        record = world.send_sol(signers, instructions)
        assert record.success, name  # each really happened on Solana
        assert decode_burn(record, world.usdc) is None, name
        burned += sum(ix.data[0] == 15 and ix.accounts[1].pubkey == world.usdc.address
                      for ix in instructions if ix.program_id == TOKEN_PROGRAM_ID)
    assert world.supply() == supply - burned * USD6
    # A burn that failed on chain (more than held) is not a burn either.
    failed = world.send_sol([kp], [burn(amount=10**12), memo()])
    assert not failed.success and decode_burn(failed, world.usdc) is None
    # A burn from a token account that is not the owner's associated one.
    other = Keypair()
    assert world.send_sol([kp, other], [
        create_account(CreateAccountParams(from_pubkey=owner, to_pubkey=other.pubkey(),
                                           lamports=world.chain.rent_exempt(165), space=165,
                                           owner=TOKEN_PROGRAM_ID)),
        spl_ix.initialize_account(InitializeAccountParams(
            program_id=TOKEN_PROGRAM_ID, account=other.pubkey(), mint=world.usdc.address,
            owner=owner)),
        transfer_checked(world.usdc, ata, other.pubkey(), owner, USD6)]).success
    not_associated = world.send_sol([kp], [burn(account=other.pubkey()), memo()])
    assert not_associated.success and decode_burn(not_associated, world.usdc) is None

    assert world.relayer().run_once() == []
    assert world.l1_usdc(payee) == before
    # And a proper burn after all of them is released, exactly once.
    good = world.send_sol([kp], [burn(amount=2 * USD6), memo()])
    assert decode_burn(good, world.usdc).amount == 2 * USD6
    assert [t.amount for t in world.relayer().run_once()] == [2 * USD6]
    assert world.l1_usdc(payee) == before + 2 * USD6


def test_solana_bridge_releases_no_more_than_was_locked(world):
    """USDC the faucet minted on Solana (never locked on L1) cannot drain what the bridge holds
    for the L2 route: releases toward Solana are bounded by what was locked toward it."""
    owner = delivered_once(world, 10 * USD6)
    solana_sandbox.top_up(world.chain, world.sol, owner)  # unbacked faucet USDC
    payee = dev_account(8).address
    held_for_l2 = world.l1_usdc(world.bridge.address) - 10 * USD6
    assert held_for_l2 > 1_000 * USD6
    record = world.send_sol([world.owner], [
        burn_checked(world.usdc, associated_address(owner, world.usdc.address), owner,
                     1_000 * USD6),
        memo_instruction(owner, burn_memo(world.l1.chain_id, payee))])
    assert decode_burn(record, world.usdc).amount == 1_000 * USD6
    relayer = world.relayer()
    assert relayer.run_once() == []
    assert [reason for _, reason in relayer.refused] == ["more than is locked toward this route"]
    assert world.l1_usdc(payee) == 0
    with pytest.raises(ContractLogicError, match="more than was locked"):
        world.bridge.functions.release_from_solana(
            world.sol.chain_id, burn_id(record.signature), world.usdc_l1, payee,
            1_000 * USD6).call({"from": world.builder.operator.address})

