"""The sandbox DAO (issue 15) on the embedded sandbox: OpenZeppelin 5.4's Governor, ERC20Votes
token, TimelockController and a UUPS grants vault compiled from the npm package, deployed, wired,
funded and delegated by `ensure_dao`, with four live proposals from `seed_proposals`. Proposals
run their whole life (votes nominal, fractional and by signature; queue; the timelock's delay;
execution), and the malicious ones really do what their calldata says."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

import guarded_tx
from conftest import PASSPHRASE, steward_home_at
from steward import chains
from steward.chains.config import load_config
from steward.chains.embedded import dev_account
from steward.contracts import abi
from steward.plans import Call
from steward.sandbox import SandboxBuilder, dao
from steward.simulation.reverts import revert_data
from steward.wallets import WalletStore

L1 = "sandbox-l1"
SDAO, USD6 = 10**18, 10**6
AGAINST, FOR, ABSTAIN, FRACTIONAL = 0, 1, 2, 255
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED = range(8)
RELAYER, STRANGER, ATTACKER = 21, 22, 25  # development accounts (21 and 22 hold ETH for gas)
READY = 2  # TimelockController.OperationState.Ready
IMPLEMENTATION_SLOT = int.from_bytes(keccak(text="eip1967.proxy.implementation"), "big") - 1


@pytest.fixture(scope="module")
def dao_template(embedded_template, tmp_path_factory) -> tuple[Path, list[int]]:
    """The sandbox with its DAO set up and seeded, built once for the module."""
    home = tmp_path_factory.mktemp("dao-contracts") / "home"
    shutil.copytree(embedded_template, home)
    with steward_home_at(home):
        ids = dao.seed_proposals()
    return home, ids


@dataclass
class World:
    w3: Web3
    token: Contract
    governor: Contract
    timelock: Contract
    vault: Contract
    usdc: Contract
    ids: list[int]
    created: dict[int, dict] = field(default_factory=dict)  # proposal id -> ProposalCreated args

    @property
    def chain(self):
        return load_config().chain(L1)

    def wallet(self, name: str):
        return WalletStore().unlock(name, PASSPHRASE)

    def act(self, who, contract: Contract, function: str, *args) -> dict:
        """`function(*args)` sent by a development account (an int) or a wallet's key."""
        data = contract.encode_abi(function, args=list(args))
        if isinstance(who, int):
            return dao.send_as(self.chain, who, contract.address, data, what=function)
        return guarded_tx.send(self.w3, who, contract.address, data, what=function)

    def refused(self, who, contract: Contract, function: str, args: list, error: str, *expected):
        """`function(*args)` from `who` reverts with the custom error `error(*expected)`: the
        revert data is decoded with the DAO's own ABIs. Nothing is sent."""
        sender = dev_account(who).address if isinstance(who, int) else who.address
        with pytest.raises(Exception) as caught:
            self.w3.eth.call({"from": sender, "to": contract.address,
                              "data": contract.encode_abi(function, args=list(args))})
        data = revert_data(caught.value)
        assert data is not None, str(caught.value)
        assert decode_error(data) == (error, tuple(expected))

    def state(self, proposal_id: int) -> int:
        return self.governor.functions.state(proposal_id).call()

    def advance_past(self, timepoint: int) -> None:
        dao.advance_past(self.chain, timepoint)

    def usdc_of(self, address: str) -> int:
        return self.usdc.functions.balanceOf(address).call()


def bitmap(*states: int) -> bytes:
    """OpenZeppelin's state bitmap (bytes32) of the states an error says were expected."""
    return sum(1 << state for state in states).to_bytes(32, "big")


def decode_error(data: bytes) -> tuple[str, tuple]:
    for name in dao.CONTRACTS.values():
        for entry in abi(name):
            if entry["type"] != "error":
                continue
            types = [item["type"] for item in entry["inputs"]]
            if function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})") == data[:4]:
                values = abi_decode(types, data[4:])
                return entry["name"], tuple(Web3.to_checksum_address(v) if t == "address" else v
                                            for t, v in zip(types, values))
    raise AssertionError(f"revert data 0x{data.hex()} is no DAO error")


@pytest.fixture
def world(dao_template, steward_home) -> World:
    home, ids = dao_template
    shutil.copytree(home, steward_home)
    config = load_config().chain(L1)
    w3 = chains.connect(config)
    found = dao.dao_contracts(config)
    return World(w3=w3, usdc=w3.eth.contract(address=config.tokens["USDC"], abi=abi("ERC20")),
                 ids=ids, **found)


def events(contract: Contract, receipt: dict, name: str) -> list[dict]:
    return [dict(log.args) for log in getattr(contract.events, name)().process_receipt(
        receipt, errors=DISCARD) if log.address == contract.address]


def proposal_of(world: World, description: str) -> int:
    return next(i for i in world.ids if dao.recorded_proposals(L1)[i]["description"] == description)


def actions_of(world: World, proposal_id: int) -> tuple[list, list, list, bytes]:
    """(targets, values, calldatas, description hash) as the governor's ProposalCreated says."""
    if proposal_id not in world.created:
        block = dao.recorded_proposals(L1)[proposal_id]["block"]
        for log in world.governor.events.ProposalCreated().get_logs(from_block=block,
                                                                     to_block=block):
            world.created[log.args.proposalId] = dict(log.args)
    created = world.created[proposal_id]
    return (list(created["targets"]), list(created["values"]), list(created["calldatas"]),
            keccak(text=created["description"]))


def pass_and_execute(world: World, proposal_id: int) -> dict:
    """Both delegates vote for, the vote ends, anyone queues, the delay passes, anyone executes;
    returns the execution's receipt."""
    for name in (dao.MAIN_WALLET, dao.DELEGATE_WALLET):
        world.act(world.wallet(name), world.governor, "castVote", proposal_id, FOR)
    world.advance_past(world.governor.functions.proposalDeadline(proposal_id).call())
    assert world.state(proposal_id) == SUCCEEDED
    world.act(RELAYER, world.governor, "queue", *actions_of(world, proposal_id))
    world.advance_past(world.governor.functions.proposalEta(proposal_id).call())
    receipt = world.act(RELAYER, world.governor, "execute", *actions_of(world, proposal_id))
    assert world.state(proposal_id) == EXECUTED
    return receipt


def propose(world: World, description: str, targets, calldatas) -> int:
    receipt = world.act(dao.PROPOSER_INDEX, world.governor, "propose", targets,
                        [0] * len(targets), calldatas, description)
    (created,) = events(world.governor, receipt, "ProposalCreated")
    proposal_id = created["proposalId"]
    world.created[proposal_id] = created
    world.advance_past(world.governor.functions.proposalSnapshot(proposal_id).call())
    assert world.state(proposal_id) == ACTIVE
    return proposal_id


# ---------------------------------------------------------------------------------------------
def test_dao_is_wired_funded_and_delegated(world):
    operator = dev_account(0).address
    main = WalletStore().get(dao.MAIN_WALLET).address
    delegate = WalletStore().get(dao.DELEGATE_WALLET).address
    token, governor, timelock, vault = world.token, world.governor, world.timelock, world.vault
    # The timelock: governor proposes and cancels, anyone executes, nobody but itself administers.
    roles = {name: timelock.functions[name]().call()
             for name in ("PROPOSER_ROLE", "CANCELLER_ROLE", "EXECUTOR_ROLE", "DEFAULT_ADMIN_ROLE")}
    assert timelock.functions.hasRole(roles["PROPOSER_ROLE"], governor.address).call()
    assert timelock.functions.hasRole(roles["CANCELLER_ROLE"], governor.address).call()
    assert timelock.functions.hasRole(roles["EXECUTOR_ROLE"], dao.ZERO_ADDRESS).call()
    assert timelock.functions.hasRole(roles["DEFAULT_ADMIN_ROLE"], timelock.address).call()
    for account in (operator, main, delegate):
        assert not timelock.functions.hasRole(roles["DEFAULT_ADMIN_ROLE"], account).call()
        assert not timelock.functions.hasRole(roles["PROPOSER_ROLE"], account).call()
    assert timelock.functions.getMinDelay().call() == 2 * 24 * 3600
    # The governor's settings and clock.
    assert governor.functions.name().call() == "Steward DAO Governor"
    assert governor.functions.token().call() == token.address
    assert governor.functions.timelock().call() == timelock.address
    assert (governor.functions.votingDelay().call(), governor.functions.votingPeriod().call(),
            governor.functions.proposalThreshold().call()) == (1, 3 * 24 * 3600, 0)
    assert governor.functions.quorumNumerator().call() == 4
    assert governor.functions.COUNTING_MODE().call() == (
        "support=bravo,fractional&quorum=for,abstain&params=fractional")
    assert governor.functions.CLOCK_MODE().call() == token.functions.CLOCK_MODE().call() == "mode=timestamp"
    latest = world.w3.eth.get_block("latest")["timestamp"]
    assert latest <= governor.functions.clock().call() <= latest + 60
    # The token: handed out in full, administered by the timelock alone, with no minter.
    assert (token.functions.name().call(), token.functions.symbol().call(),
            token.functions.decimals().call()) == ("Steward DAO", "SDAO", 18)
    assert token.functions.totalSupply().call() == 260_000 * SDAO
    assert token.functions.balanceOf(operator).call() == 0
    admin, minter = token.functions.DEFAULT_ADMIN_ROLE().call(), token.functions.MINTER_ROLE().call()
    assert minter == keccak(text="MINTER_ROLE")
    assert token.functions.hasRole(admin, timelock.address).call()
    assert not token.functions.hasRole(admin, operator).call()
    assert not token.functions.hasRole(minter, dev_account(dao.MINTER_GRANTEE_INDEX).address).call()
    # The treasury and the vault.
    assert world.usdc_of(timelock.address) == 250_000 * USD6
    assert world.w3.eth.get_balance(timelock.address) == 5 * 10**18
    assert token.functions.balanceOf(timelock.address).call() == 100_000 * SDAO
    assert world.usdc_of(vault.address) == 50_000 * USD6
    assert vault.functions.owner().call() == timelock.address
    assert vault.functions.version().call() == 1
    # Delegations: main to itself, the three delegators to "delegate"; the treasury votes not.
    assert token.functions.delegates(main).call() == main
    assert token.functions.getVotes(main).call() == 60_000 * SDAO
    for index, amount in zip((20, 21, 22), (50_000, 30_000, 20_000)):
        holder = dev_account(index).address
        assert token.functions.balanceOf(holder).call() == amount * SDAO
        assert token.functions.delegates(holder).call() == delegate
        assert token.functions.getVotes(holder).call() == 0
    assert token.functions.getVotes(delegate).call() == 100_000 * SDAO
    assert token.functions.getVotes(timelock.address).call() == 0
    assert world.w3.eth.get_balance(delegate) > 0
    # Idempotent: a second call sends nothing.
    block = world.w3.eth.block_number
    assert dao.ensure_dao().contracts == world.chain.contracts
    assert world.w3.eth.block_number == block


def test_dao_seed_leaves_four_active_proposals(world):
    recorded = dao.recorded_proposals(L1)
    assert len(world.ids) == len(set(world.ids)) == 4 and set(recorded) == set(world.ids)
    assert [recorded[i]["description"] for i in world.ids] == [
        dao.GRANT_DESCRIPTION, dao.QUORUM_DESCRIPTION, dao.KEEPER_DESCRIPTION,
        dao.UPGRADE_DESCRIPTION]
    proposer = dev_account(dao.PROPOSER_INDEX).address
    for proposal_id in world.ids:
        assert world.state(proposal_id) == ACTIVE
        assert world.governor.functions.proposalProposer(proposal_id).call() == proposer
        targets, values, calldatas, description_hash = actions_of(world, proposal_id)
        event = world.created[proposal_id]  # the recorded block holds the ProposalCreated event
        assert event["description"] == recorded[proposal_id]["description"]
        assert event["proposer"] == proposer
        assert ["0x" + c.hex() for c in calldatas] == recorded[proposal_id]["calldatas"]
        assert (targets, values) == (recorded[proposal_id]["targets"], [0])
        assert world.governor.functions.hashProposal(
            targets, values, calldatas, description_hash).call() == proposal_id
    # The "maintenance" proposal's calldata is grantRole(MINTER_ROLE, account 23) on the token.
    keeper = proposal_of(world, dao.KEEPER_DESCRIPTION)
    targets, _, (calldata,), _ = actions_of(world, keeper)
    assert targets == [world.token.address]
    function, args = world.token.decode_function_input(calldata)
    assert function.fn_name == "grantRole"
    assert args == {"role": dao.MINTER_ROLE, "account": dev_account(dao.MINTER_GRANTEE_INDEX).address}
    # Seeding again proposes nothing new and moves no clock.
    block = world.w3.eth.block_number
    assert dao.seed_proposals() == world.ids
    assert world.w3.eth.block_number == block


def test_dao_grant_voted_down_cannot_be_queued(world):
    grant = proposal_of(world, dao.GRANT_DESCRIPTION)
    main, delegate = world.wallet(dao.MAIN_WALLET), world.wallet(dao.DELEGATE_WALLET)
    receipt = world.act(main, world.governor, "castVote", grant, FOR)
    assert events(world.governor, receipt, "VoteCast") == [
        {"voter": main.address, "proposalId": grant, "support": FOR, "weight": 60_000 * SDAO,
         "reason": ""}]
    receipt = world.act(delegate, world.governor, "castVoteWithReason", grant, AGAINST,
                        "the guild has no track record")
    (cast,) = events(world.governor, receipt, "VoteCast")
    assert (cast["support"], cast["weight"], cast["reason"]) == (
        AGAINST, 100_000 * SDAO, "the guild has no track record")
    world.refused(main, world.governor, "castVote", [grant, FOR], "GovernorAlreadyCastVote",
                  main.address)
    # An account with no votes at the snapshot has no weight to spend (fractional counting).
    world.refused(STRANGER, world.governor, "castVote", [grant, FOR], "GovernorAlreadyCastVote",
                  dev_account(STRANGER).address)
    assert world.governor.functions.proposalVotes(grant).call() == [100_000 * SDAO, 60_000 * SDAO, 0]
    world.advance_past(world.governor.functions.proposalDeadline(grant).call())
    assert world.state(grant) == DEFEATED  # against outweighs for
    world.refused(RELAYER, world.governor, "queue", list(actions_of(world, grant)),
                  "GovernorUnexpectedProposalState", grant, DEFEATED, bitmap(SUCCEEDED))


def test_dao_grant_queued_waits_two_days_then_pays(world):
    grant = proposal_of(world, dao.GRANT_DESCRIPTION)
    guild = dev_account(dao.GRANTEE_INDEX).address
    for name in (dao.MAIN_WALLET, dao.DELEGATE_WALLET):
        world.act(world.wallet(name), world.governor, "castVoteWithReason", grant, FOR, "tools")
    world.refused(RELAYER, world.governor, "queue", list(actions_of(world, grant)),
                  "GovernorUnexpectedProposalState", grant, ACTIVE, bitmap(SUCCEEDED))
    world.advance_past(world.governor.functions.proposalDeadline(grant).call())
    assert world.state(grant) == SUCCEEDED
    world.refused(world.wallet(dao.MAIN_WALLET), world.governor, "castVote", [grant, FOR],
                  "GovernorUnexpectedProposalState", grant, SUCCEEDED, bitmap(ACTIVE))
    receipt = world.act(RELAYER, world.governor, "queue", *actions_of(world, grant))
    (queued,) = events(world.governor, receipt, "ProposalQueued")
    assert world.state(grant) == QUEUED
    eta = world.governor.functions.proposalEta(grant).call()
    assert eta == queued["etaSeconds"] == world.w3.eth.get_block(receipt["blockNumber"])[
        "timestamp"] + 2 * 24 * 3600
    # Before the delay the timelock refuses; the treasury still holds the grant.
    operation = world.timelock.functions.hashOperationBatch(
        *actions_of(world, grant)[:3], b"\x00" * 32, _salt(world, grant)).call()
    assert world.timelock.functions.isOperationPending(operation).call()
    world.refused(RELAYER, world.governor, "execute", list(actions_of(world, grant)),
                  "TimelockUnexpectedOperationState", operation, bitmap(READY))
    world.refused(RELAYER, world.timelock, "executeBatch",
                  [*actions_of(world, grant)[:3], b"\x00" * 32, _salt(world, grant)],
                  "TimelockUnexpectedOperationState", operation, bitmap(READY))
    assert world.usdc_of(guild) == 0
    world.advance_past(eta)
    before = world.usdc_of(world.timelock.address)
    receipt = world.act(RELAYER, world.governor, "execute", *actions_of(world, grant))
    assert world.state(grant) == EXECUTED
    assert world.usdc_of(guild) == 10_000 * USD6
    assert world.usdc_of(world.timelock.address) == before - 10_000 * USD6
    assert events(world.governor, receipt, "ProposalExecuted") == [{"proposalId": grant}]
    world.refused(RELAYER, world.governor, "execute", list(actions_of(world, grant)),
                  "GovernorUnexpectedProposalState", grant, EXECUTED,
                  bitmap(SUCCEEDED, QUEUED))


def _salt(world: World, proposal_id: int) -> bytes:
    """GovernorTimelockControl's salt: the governor's address in the top 20 bytes, XOR the
    description hash."""
    description_hash = actions_of(world, proposal_id)[3]
    governor = bytes.fromhex(world.governor.address[2:]) + b"\0" * 12
    return bytes(a ^ b for a, b in zip(governor, description_hash))


def test_dao_fractional_vote_splits_one_delegates_weight(world):
    quorum_change = proposal_of(world, dao.QUORUM_DESCRIPTION)
    delegate = world.wallet(dao.DELEGATE_WALLET)
    governor = world.governor

    def packed(against: int, for_: int, abstain: int) -> bytes:
        return b"".join(n.to_bytes(16, "big") for n in (against, for_, abstain))

    # Delegators 20 and 21 (80,000) for, 22 (20,000) against: part of the weight now.
    receipt = world.act(delegate, governor, "castVoteWithReasonAndParams", quorum_change,
                        FRACTIONAL, "20 and 21 for", packed(0, 80_000 * SDAO, 0))
    (cast,) = events(governor, receipt, "VoteCastWithParams")
    assert (cast["support"], cast["weight"], cast["params"]) == (
        FRACTIONAL, 80_000 * SDAO, packed(0, 80_000 * SDAO, 0))
    assert governor.functions.usedVotes(quorum_change, delegate.address).call() == 80_000 * SDAO
    assert governor.functions.hasVoted(quorum_change, delegate.address).call()
    # More than what is left is refused, and so are malformed params.
    world.refused(delegate, governor, "castVoteWithReasonAndParams",
                  [quorum_change, FRACTIONAL, "", packed(20_000 * SDAO, 0, 1)],
                  "GovernorExceedRemainingWeight", delegate.address, 20_000 * SDAO + 1,
                  20_000 * SDAO)
    world.refused(delegate, governor, "castVoteWithReasonAndParams",
                  [quorum_change, FRACTIONAL, "", packed(1, 0, 0)[:32]],
                  "GovernorInvalidVoteParams")
    world.refused(delegate, governor, "castVoteWithReasonAndParams",
                  [quorum_change, FOR, "", packed(1, 0, 0)], "GovernorInvalidVoteParams")
    # The rest: a nominal vote spends all that remains.
    receipt = world.act(delegate, governor, "castVoteWithReason", quorum_change, AGAINST,
                        "22 against")
    assert events(governor, receipt, "VoteCast")[0]["weight"] == 20_000 * SDAO
    assert governor.functions.proposalVotes(quorum_change).call() == [
        20_000 * SDAO, 80_000 * SDAO, 0]
    world.refused(delegate, governor, "castVoteWithReasonAndParams",
                  [quorum_change, FRACTIONAL, "", packed(0, 1, 0)], "GovernorAlreadyCastVote",
                  delegate.address)
    # main abstains in part; abstentions count toward quorum, not toward success.
    main = world.wallet(dao.MAIN_WALLET)
    world.act(main, governor, "castVoteWithReasonAndParams", quorum_change, FRACTIONAL, "",
              packed(0, 0, 1_000 * SDAO))
    assert governor.functions.proposalVotes(quorum_change).call() == [
        20_000 * SDAO, 80_000 * SDAO, 1_000 * SDAO]
    world.advance_past(governor.functions.proposalDeadline(quorum_change).call())
    assert world.state(quorum_change) == SUCCEEDED
    world.act(RELAYER, governor, "queue", *actions_of(world, quorum_change))
    world.advance_past(governor.functions.proposalEta(quorum_change).call())
    world.act(RELAYER, governor, "execute", *actions_of(world, quorum_change))
    assert governor.functions.quorumNumerator().call() == 5
    latest = world.w3.eth.get_block("latest")["timestamp"]
    world.advance_past(latest)
    assert governor.functions.quorum(latest).call() == 260_000 * SDAO * 5 // 100


def ballot(world: World, signer, proposal_id: int, support: int, voter: str, nonce: int) -> bytes:
    name, version, chain_id, verifying = world.governor.functions.eip712Domain().call()[1:5]
    assert (name, version, verifying) == ("Steward DAO Governor", "1", world.governor.address)
    typed = {
        "types": {
            "EIP712Domain": [{"name": "name", "type": "string"},
                             {"name": "version", "type": "string"},
                             {"name": "chainId", "type": "uint256"},
                             {"name": "verifyingContract", "type": "address"}],
            "Ballot": [{"name": "proposalId", "type": "uint256"},
                       {"name": "support", "type": "uint8"},
                       {"name": "voter", "type": "address"},
                       {"name": "nonce", "type": "uint256"}],
        },
        "primaryType": "Ballot",
        "domain": {"name": name, "version": version, "chainId": chain_id,
                   "verifyingContract": verifying},
        "message": {"proposalId": proposal_id, "support": support, "voter": voter,
                    "nonce": nonce},
    }
    return Account.sign_typed_data(signer.key, full_message=typed).signature


def test_dao_vote_by_signature_is_relayed_once(world):
    upgrade = proposal_of(world, dao.UPGRADE_DESCRIPTION)
    delegate = world.wallet(dao.DELEGATE_WALLET)
    governor = world.governor
    assert governor.functions.BALLOT_TYPEHASH().call() == keccak(
        text="Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)")
    nonce = governor.functions.nonces(delegate.address).call()
    signature = ballot(world, delegate, upgrade, FOR, delegate.address, nonce)
    # A ballot altered in transit (another support) or signed by another key is refused.
    world.refused(RELAYER, governor, "castVoteBySig", [upgrade, AGAINST, delegate.address, signature],
                  "GovernorInvalidSignature", delegate.address)
    forged = ballot(world, dev_account(ATTACKER), upgrade, AGAINST, delegate.address, nonce)
    world.refused(RELAYER, governor, "castVoteBySig", [upgrade, AGAINST, delegate.address, forged],
                  "GovernorInvalidSignature", delegate.address)
    delegate_eth = world.w3.eth.get_balance(delegate.address)
    receipt = world.act(RELAYER, governor, "castVoteBySig", upgrade, FOR, delegate.address,
                        signature)
    assert events(governor, receipt, "VoteCast") == [
        {"voter": delegate.address, "proposalId": upgrade, "support": FOR,
         "weight": 100_000 * SDAO, "reason": ""}]
    assert world.w3.eth.get_balance(delegate.address) == delegate_eth  # the relayer paid the gas
    assert governor.functions.nonces(delegate.address).call() == nonce + 1
    # Replaying the same ballot fails: its nonce is spent.
    world.refused(STRANGER, governor, "castVoteBySig", [upgrade, FOR, delegate.address, signature],
                  "GovernorInvalidSignature", delegate.address)
    assert governor.functions.proposalVotes(upgrade).call() == [0, 100_000 * SDAO, 0]


def test_dao_hidden_minter_proposal_really_grants_minting(world):
    keeper = proposal_of(world, dao.KEEPER_DESCRIPTION)
    grantee = dao.MINTER_GRANTEE_INDEX
    SandboxBuilder().send(world.chain, Call(to=dev_account(grantee).address, value=10**17,
                                                description="gas money for account 23"))
    world.refused(grantee, world.token, "mint", [dev_account(grantee).address, 1],
                  "AccessControlUnauthorizedAccount", dev_account(grantee).address,
                  dao.MINTER_ROLE)
    receipt = pass_and_execute(world, keeper)
    (granted,) = events(world.token, receipt, "RoleGranted")
    assert granted == {"role": dao.MINTER_ROLE, "account": dev_account(grantee).address,
                       "sender": world.timelock.address}
    # No keeper was rotated: an outsider now prints SDAO at will.
    world.act(grantee, world.token, "mint", dev_account(grantee).address, 1_000_000 * SDAO)
    assert world.token.functions.balanceOf(dev_account(grantee).address).call() == 1_000_000 * SDAO
    assert world.token.functions.totalSupply().call() == 1_260_000 * SDAO


def implementation_of(world: World) -> str:
    raw = world.w3.eth.get_storage_at(world.vault.address, IMPLEMENTATION_SLOT)
    return Web3.to_checksum_address(raw[-20:])


def test_dao_vault_upgrade_to_v2_changes_version_and_slot(world):
    upgrade = proposal_of(world, dao.UPGRADE_DESCRIPTION)
    v2 = world.chain.contracts[dao.VAULT_V2_ROLE]
    before = implementation_of(world)
    assert before != v2 and world.w3.eth.get_code(before)
    # Only the owner (the timelock) upgrades, pays or delegatecalls.
    for function, args in (("upgradeToAndCall", [v2, b""]),
                           ("pay", [world.usdc.address, dev_account(ATTACKER).address, 1]),
                           ("delegateExecute", [v2, b""])):
        world.refused(STRANGER, world.vault, function, args, "OwnableUnauthorizedAccount",
                      dev_account(STRANGER).address)
    receipt = pass_and_execute(world, upgrade)
    assert events(world.vault, receipt, "Upgraded") == [{"implementation": v2}]
    assert implementation_of(world) == v2
    assert world.vault.functions.version().call() == 2
    assert world.vault.functions.owner().call() == world.timelock.address
    assert world.usdc_of(world.vault.address) == 50_000 * USD6


def test_dao_vault_drainer_upgrade_empties_the_vault(world):
    drainer = SandboxBuilder().deploy(world.chain, "dao/VaultDrainer")
    thief = dev_account(ATTACKER).address
    migrate = world.w3.eth.contract(address=drainer, abi=abi("dao/VaultDrainer")).encode_abi(
        "migrate", args=[world.usdc.address, thief])
    call = world.vault.encode_abi("upgradeToAndCall",
                                  args=[drainer, bytes.fromhex(migrate.removeprefix("0x"))])
    proposal = propose(world, "Upgrade the grants vault to V2 (storage migration included)",
                       [world.vault.address], [call])
    treasury = world.usdc_of(world.timelock.address)
    pass_and_execute(world, proposal)
    assert implementation_of(world) == drainer
    assert world.vault.functions.version().call() == 2  # it claims to be the benign V2
    assert world.usdc_of(world.vault.address) == 0
    assert world.usdc_of(thief) == 50_000 * USD6
    assert world.usdc_of(world.timelock.address) == treasury


# --- compiling from the npm package ------------------------------------------------------------
def test_dao_sources_compile_in_one_solc_run_cached_by_every_text(tmp_path, monkeypatch):
    import steward.contracts as contracts

    runs = []

    def fake_solc(sources, wanted):
        runs.append((sources, wanted))
        return {name: {"abi": [], "bytecode": "0x00", "blueprint_bytecode": "0x00"}
                for name in wanted}

    monkeypatch.setenv("STEWARD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(contracts, "_run_solc", fake_solc)
    contracts.compiled.cache_clear()
    try:
        for name in contracts.dao_names():
            contracts.compiled(name)
        (sources, wanted), = runs  # one run for all
        assert set(wanted) == set(contracts.dao_names())
        assert wanted["dao/TimelockController"] == (
            "@openzeppelin/contracts/governance/TimelockController.sol", "TimelockController")
        assert wanted["dao/StewardGovernor"] == ("dao/StewardGovernor.sol", "StewardGovernor")
        # OpenZeppelin's files travel as the package has them, relative imports resolved.
        package = contracts.find_openzeppelin()
        assert sources["@openzeppelin/contracts/governance/Governor.sol"] == (
            package / "governance/Governor.sol").read_text()
        assert "@openzeppelin/contracts/utils/cryptography/EIP712.sol" in sources
        # A fresh process finds them all cached.
        contracts.compiled.cache_clear()
        contracts.compiled("dao/StewardVotes")
        assert len(runs) == 1
        # Another copy of the package whose text differs is another key: compiled again.
        copy = tmp_path / "oz"
        shutil.copytree(package, copy)
        governor = copy / "governance" / "Governor.sol"
        governor.write_text(governor.read_text() + "\n// edited\n")
        monkeypatch.setenv("STEWARD_OPENZEPPELIN", str(copy))
        contracts.compiled.cache_clear()
        contracts.compiled("dao/StewardVotes")
        assert len(runs) == 2 and runs[1][0]["@openzeppelin/contracts/governance/Governor.sol"] \
            .endswith("// edited\n")
    finally:
        contracts.compiled.cache_clear()


def test_dao_imports_outside_openzeppelin_are_refused(tmp_path, monkeypatch):
    import steward.contracts as contracts
    from steward.errors import StewardError

    def read(unit):
        raise AssertionError(f"read {unit}")

    for target in ("@evil/contracts/Drain.sol", "@openzeppelin/contracts/../../etc/passwd",
                   "/etc/passwd"):
        with pytest.raises(StewardError, match=f"dao/X.sol imports {target}, outside sources/dao"):
            contracts._import_closure({"dao/X.sol": f'import {{A}} from "{target}";'}, read,
                                      "@openzeppelin/contracts/", "sources/dao and OZ")
    monkeypatch.setenv("STEWARD_OPENZEPPELIN", str(tmp_path))
    with pytest.raises(StewardError, match=f"STEWARD_OPENZEPPELIN is {tmp_path}, which holds no "
                                           "package.json"):
        contracts.find_openzeppelin()
