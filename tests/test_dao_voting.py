"""The DAO delegate on the sandbox DAO: the seeded live proposals decoded, simulated through their
whole timelocked path and recommended for; the simulation checked against the real execution;
malicious proposals (a drain through an upgrade, a delegatecall into unverified code) seen for
what they do; votes cast directly, by signature through a relayer, and fractionally for three
delegators; a person's override; the guard refusing a vote; Snapshot votes and preferences
through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from eth_utils import keccak

from conftest import PASSPHRASE, run_cli, steward_home_at
from steward import chains
from steward.chains.embedded import dev_account
from steward.dao.analysis import Analyzer
from steward.dao.governor import Governance
from steward.errors import StewardError
from steward.home import home_path
from steward.sandbox import SandboxBuilder, dao
from steward.sandbox.market import advance_time
from steward.service import dao as service
from steward.wallets import WalletStore

SDAO = 10**18


@pytest.fixture(scope="module")
def voting_template(embedded_template, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("dao-voting") / "home"
    shutil.copytree(embedded_template, home)
    with steward_home_at(home):
        dao.seed_proposals()
        chains.end_all_sessions()
    return home


@pytest.fixture
def world(voting_template, steward_home):
    shutil.copytree(voting_template, steward_home, dirs_exist_ok=True)
    g = Governance()
    ids = {entry["description"]: pid for pid, entry in dao.recorded_proposals().items()}
    yield g, ids
    chains.end_all_sessions()


def _usdc(g: Governance):
    from steward.contracts import abi

    return g.w3.eth.contract(address=g.chain.tokens["USDC"], abi=abi("ERC20"))


def test_dao_explains_each_live_proposal_from_its_calldata(world):
    g, ids = world
    guild = dev_account(dao.GRANTEE_INDEX).address
    grant = service.explain(ids[dao.GRANT_DESCRIPTION], [])
    effects = grant.analysis["effects"]
    assert [(e["kind"], e["recipient"], e["amount"], e["token"]) for e in effects] == [
        ("grant", guild, 10_000 * 10**6, "USDC")]
    assert grant.analysis["actions"][0]["function"] == "transfer"
    assert "queued, 48 h timelock delay waited out and executed" in grant.analysis[
        "simulation_note"]
    votes = {r["profile"]: r["vote"] for r in grant.recommendations}
    assert votes == {"protective": "abstain", "growth": "for", "hawk": "against"}

    keeper = service.explain(ids[dao.KEEPER_DESCRIPTION], ["protective"])
    kinds = [e["kind"] for e in keeper.analysis["effects"]]
    assert kinds == ["adds_minter"]
    assert keeper.analysis["mismatches"] and "MINTER_ROLE" in keeper.analysis["mismatches"][0]
    assert keeper.recommendations[0]["vote"] == "against"

    upgrade = service.explain(ids[dao.UPGRADE_DESCRIPTION], ["hawk"]).analysis["effects"]
    assert [(e["kind"], e["verified"]) for e in upgrade] == [("upgrade", True)]
    quorum = service.explain(ids[dao.QUORUM_DESCRIPTION], ["protective"])
    assert [e["kind"] for e in quorum.analysis["effects"]] == ["parameter_change"]
    assert quorum.recommendations[0]["vote"] == "for"


def test_dao_simulated_effects_match_the_real_timelocked_execution(world):
    """What the throwaway simulation promised is what the chain does when the proposal really
    passes, waits out the 2-day timelock and executes."""
    g, ids = world
    pid = ids[dao.GRANT_DESCRIPTION]
    predicted = Analyzer(g).analyze(g.proposal(pid)).effects
    assert [(e.kind, e.amount) for e in predicted] == [("grant", 10_000 * 10**6)]
    usdc, guild = _usdc(g), dev_account(dao.GRANTEE_INDEX).address
    before = usdc.functions.balanceOf(guild).call()
    service.vote(pid, "main", PASSPHRASE, preferences="growth")
    proposal = g.proposal(pid)
    dao.advance_past(g.chain, proposal.vote_end)
    args = [proposal.targets, proposal.values, proposal.calldatas,
            keccak(text=proposal.description)]
    dao.send_as(g.chain, dao.PROPOSER_INDEX, g.governor.address,
                g.governor.encode_abi("queue", args=args))
    with pytest.raises(StewardError, match="TimelockUnexpectedOperationState|revert"):
        dao.send_as(g.chain, dao.PROPOSER_INDEX, g.governor.address,
                    g.governor.encode_abi("execute", args=args))  # the delay has not passed
    advance_time(g.chain, g.min_delay() + 1)
    dao.send_as(g.chain, dao.PROPOSER_INDEX, g.governor.address,
                g.governor.encode_abi("execute", args=args))
    assert usdc.functions.balanceOf(guild).call() - before == predicted[0].amount
    assert g.proposal(pid).state == "executed"


def _propose(g: Governance, targets, calldatas, description: str) -> int:
    dao.send_as(g.chain, dao.PROPOSER_INDEX, g.governor.address, g.governor.encode_abi(
        "propose", args=[targets, [0] * len(targets), calldatas, description]))
    return g.governor.functions.hashProposal(
        targets, [0] * len(targets), [bytes.fromhex(c[2:]) for c in calldatas],
        keccak(text=description)).call()


def test_dao_sees_a_drain_through_an_upgrade_and_a_delegatecall(world):
    g, _ = world
    from steward.contracts import abi

    drainer = SandboxBuilder().deploy(g.chain, "dao/VaultDrainer")  # recorded nowhere
    attacker = dev_account(dao.MINTER_GRANTEE_INDEX).address
    usdc, vault = _usdc(g), g.w3.eth.contract(address=g.addresses["vault"],
                                              abi=abi("dao/GrantsVault"))
    drain = g.w3.eth.contract(address=drainer, abi=abi("dao/VaultDrainer")).encode_abi(
        "migrate", args=[usdc.address, attacker])
    held = usdc.functions.balanceOf(vault.address).call()
    for description, call in (
            ("Upgrade the grants vault to V3 for gas savings",
             vault.encode_abi("upgradeToAndCall", args=[drainer, bytes.fromhex(drain[2:])])),
            ("Execute the vault's housekeeping script",
             vault.encode_abi("delegateExecute", args=[drainer, bytes.fromhex(drain[2:])]))):
        pid = _propose(g, [vault.address], [call], description)
        analysis = Analyzer(g).analyze(g.proposal(pid))
        by_kind = {e.kind: e for e in analysis.effects}
        assert by_kind["grant"].recipient == attacker and by_kind["grant"].amount == held
        assert by_kind["grant"].recipient_history is False
        risky = by_kind.get("upgrade") or by_kind.get("delegatecall")
        assert risky.verified is False
        assert any("states no amount of USDC" in problem for problem in analysis.mismatches)
        for profile in service.PROFILES:
            from steward.dao.delegate import recommend

            assert recommend(analysis, service.load_profile(profile)).vote == "against"


def test_dao_votes_directly_with_the_explanation_as_reason(world):
    g, ids = world
    pid = ids[dao.KEEPER_DESCRIPTION]
    outcome = service.vote(pid, "main", PASSPHRASE, preferences="protective")
    assert (outcome.vote, outcome.mode, outcome.decided_by) == ("against", "direct", "rule")
    receipt = g.w3.eth.get_transaction_receipt(outcome.tx_hashes[0])
    cast = g.governor.events.VoteCast().process_receipt(receipt)[0].args
    main = WalletStore().get("main").address
    assert (cast.voter, cast.support, cast.weight) == (main, 0, 60_000 * SDAO)
    assert "MINTER_ROLE" in cast.reason and cast.reason.startswith(
        "Steward delegate (protective): against.")
    with pytest.raises(StewardError, match="already voted"):
        service.vote(pid, "main", PASSPHRASE, preferences="protective")


def test_dao_votes_by_signature_relayed_by_another_wallet(world):
    g, ids = world
    pid = ids[dao.UPGRADE_DESCRIPTION]
    outcome = service.vote(pid, "main", PASSPHRASE, preferences="protective", by_signature=True,
                           relayer="delegate")
    assert (outcome.vote, outcome.mode) == ("for", "signature")
    receipt = g.w3.eth.get_transaction_receipt(outcome.tx_hashes[0])
    assert receipt["from"] == WalletStore().get("delegate").address  # the relayer paid
    cast = g.governor.events.VoteCast().process_receipt(receipt)[0].args
    assert cast.voter == WalletStore().get("main").address and cast.support == 1
    assert g.governor.functions.nonces(cast.voter).call() == 1  # the ballot's nonce is spent


def test_dao_one_delegate_votes_fractionally_for_three_delegators(world):
    g, ids = world
    pid = ids[dao.GRANT_DESCRIPTION]
    rows = [(20, "growth"), (21, "hawk"), (22, "protective")]  # 50k, 30k and 20k SDAO
    home_path("dao", "delegators", "delegate.toml").write_text("".join(
        f'[[delegator]]\nname = "d{i}"\naddress = "{dev_account(i).address}"\n'
        f'preferences = "{profile}"\n\n' for i, profile in rows))
    outcome = service.vote(pid, "delegate", PASSPHRASE)
    assert outcome.mode == "fractional"
    against, for_, abstain = g.governor.functions.proposalVotes(pid).call()
    assert (against, for_, abstain) == (30_000 * SDAO, 50_000 * SDAO, 20_000 * SDAO)
    assert g.governor.functions.usedVotes(pid, WalletStore().get("delegate").address).call() \
        == 100_000 * SDAO
    assert "d20: for" in outcome.reason and "d21: against" in outcome.reason


def test_dao_a_persons_override_replaces_the_recommendation(world):
    g, ids = world
    pid = ids[dao.UPGRADE_DESCRIPTION]  # every profile recommends for
    service.override(pid, "main", "against", "I want the vault frozen until the audit")
    outcome = service.vote(pid, "main", PASSPHRASE, preferences="protective")
    assert (outcome.vote, outcome.decided_by) == ("against", "override")
    assert "frozen until the audit" in outcome.reason
    against, _, _ = g.governor.functions.proposalVotes(pid).call()
    assert against == 60_000 * SDAO
    with pytest.raises(StewardError, match="already voted"):
        service.override(pid, "main", "for", "changed my mind")


def test_dao_after_the_deadline_overrides_and_votes_are_refused(world):
    g, ids = world
    pid = ids[dao.QUORUM_DESCRIPTION]
    dao.advance_past(g.chain, g.proposal(pid).vote_end)
    with pytest.raises(StewardError, match="voting is over"):
        service.override(pid, "main", "for", "too late")
    main = WalletStore().get("main").address
    nonce = g.w3.eth.get_transaction_count(main)
    with pytest.raises(StewardError, match="guard refused"):  # the simulation reverts
        service.vote(pid, "main", PASSPHRASE, preferences="protective")
    assert g.w3.eth.get_transaction_count(main) == nonce


def test_dao_cli_signs_and_verifies_snapshot_votes_and_checks_preferences(world, tmp_path):
    chains.end_all_sessions()
    home = Path(load_config_home())
    signed = run_cli("dao", "snapshot-vote", "--space", "stewarddao.eth", "--proposal",
                     "0x" + "cd" * 32, "--choice", "2", "--wallet", "main", "--reason",
                     "<b>no</b>", home=home)
    assert signed.returncode == 0, signed.stderr
    vote = json.loads(signed.stdout)
    assert vote["voter"] == WalletStore().get("main").address and vote["choice"] == 2
    path = tmp_path / "vote.json"
    path.write_text(json.dumps(vote))
    assert run_cli("dao", "snapshot-verify", str(path), home=home).returncode == 0
    path.write_text(json.dumps(vote | {"choice": 1}))
    forged = run_cli("dao", "snapshot-verify", str(path), home=home)
    assert forged.returncode == 1 and "NOT signed" in forged.stdout
    prefs = tmp_path / "mine.toml"
    prefs.write_text('statements = ["support grants under $5k", "vote for my friends"]\n')
    checked = run_cli("dao", "preferences", str(prefs), home=home)
    assert checked.returncode == 1 and "not understood, not used: vote for my friends" in \
        checked.stdout


def load_config_home() -> str:
    import os

    return os.environ["STEWARD_HOME"]


def test_dao_dashboard_shows_proposals_escaped_and_takes_an_override(world):
    from fastapi.testclient import TestClient

    from steward.api import create_app

    g, ids = world
    usdc = _usdc(g)
    hostile = _propose(g, [usdc.address], [usdc.encode_abi("transfer", args=[
        dev_account(dao.GRANTEE_INDEX).address, 10**6])],
        "Pay 1 USDC <script>alert('vote')</script> \u202eignore the guard")
    chains.end_all_sessions()
    token = "dao-dashboard-token-5e1f"
    with TestClient(create_app(token=token, passphrase=PASSPHRASE),
                    base_url="http://127.0.0.1:8000") as client:
        assert client.get("/dao").status_code == 401
        client.get("/login", params={"token": token}, follow_redirects=False)
        page = client.get("/dao", params={"wallet": "main", "profile": "protective"})
        assert page.status_code == 200, page.text
        text = page.text
        assert '<a href="/dao" class="here">DAO</a>' in text
        keeper = str(ids[dao.KEEPER_DESCRIPTION])
        assert f'data-id="{keeper}" data-vote="against"' in text
        assert "&lt;script&gt;alert(&#39;vote&#39;)&lt;/script&gt;" in text
        assert "<script>alert" not in text and "\u202e" not in text
        assert f'data-id="{hostile}"' in text
        forged = client.post(f"/dao/{keeper}/override",
                             data={"wallet": "main", "choice": "for", "reason": "x"},
                             headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403
        done = client.post(f"/dao/{keeper}/override",
                           data={"wallet": "main", "choice": "abstain", "reason": "wait"},
                           headers={"Origin": "http://127.0.0.1:8000"}, follow_redirects=False)
        assert done.status_code == 303
    from steward.dao.delegate import override_for

    assert override_for(ids[dao.KEEPER_DESCRIPTION], "main")["vote"] == "abstain"
