"""The DAO delegate's reasoning without a chain: preferences read strictly (statements understood
or reported), recommendations from effects (against wins; "for" needs every effect approved;
unknown values are read protectively), the exact fractional split, and Snapshot's EIP-712 votes
signed and verified (and nothing else signed through that door)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_abi.packed import encode_packed
from eth_account import Account
from eth_account.messages import encode_typed_data

from steward.dao.analysis import Analysis, Effect, claimed_amounts, mismatches
from steward.dao.delegate import fractional_params, recommend, split_weight
from steward.dao.preferences import parse_preferences, read_statement
from steward.dao.snapshot import DOMAIN, SnapshotSigner, recover, verify
from steward.errors import StewardError
from steward.service.dao import PROFILES, load_profile

GUILD = "0x" + "11" * 20
STRANGER = "0x" + "22" * 20


def analysis(*effects: Effect, timelocked: bool = True, problems: list[str] | None = None):
    return Analysis(proposal_id=1, title="t", description="d", state="active", actions=[],
                    effects=list(effects), timelocked=timelocked, timelock_delay_seconds=172800,
                    simulated=True, simulation_note="", treasury_usd=Decimal(300_000),
                    mismatches=problems or [])


def grant(usd, history=True, pct=None) -> Effect:
    return Effect(kind="grant", summary=f"pays ${usd}", usd=None if usd is None else Decimal(usd),
                  treasury_pct=pct, recipient=GUILD if history else STRANGER,
                  recipient_history=history)


def test_dao_statements_become_rules_and_unknown_ones_are_reported():
    prefs = parse_preferences({"statements": [
        "Never support a treasury transfer over 5% without a timelock.",
        "support grants under $50k to recipients with history",
        "against anything that adds a minter or upgrades a contract to unverified code",
        "vote against everything else",
        "be kind to newcomers",
    ]})
    kinds = [(rule.effect, rule.vote) for rule in prefs.rules]
    assert kinds == [("treasury_transfer", "against"), ("grant", "for"),
                     ("adds_minter", "against"), ("upgrade", "against")]
    assert prefs.rules[0].min_treasury_pct == Decimal(5) and prefs.rules[0].without_timelock
    assert prefs.rules[1].max_usd == Decimal(50_000) and prefs.rules[1].recipient_history
    assert prefs.rules[3].verified is False
    assert prefs.default == "against"
    assert prefs.not_understood == ["be kind to newcomers"]
    assert read_statement("support grants under 1.5 million to recipients with history")[0][
        0].max_usd == Decimal(1_500_000)


@pytest.mark.parametrize("data, message", [
    ({"rule": [{"effect": "steal", "vote": "for"}]}, "rule.0.effect"),
    ({"rule": [{"effect": "grant", "vote": "maybe"}]}, "rule.0.vote"),
    ({"rule": [{"effect": "grant", "vote": "for", "max_treasury_pct": 150}]},
     "rule.0.max_treasury_pct"),
    ({"default": "yes"}, "default"),
    ({"colour": "blue"}, "colour"),
])
def test_dao_preferences_are_read_strictly(data, message):
    with pytest.raises(StewardError, match=message):
        parse_preferences(data, "prefs.toml")


def test_dao_shipped_profiles_are_understood_in_full():
    for name in PROFILES:
        prefs = load_profile(name)
        assert prefs.not_understood == [] and prefs.rules, name


def test_dao_against_wins_and_for_needs_every_effect_approved():
    prefs = load_profile("protective")
    small = recommend(analysis(grant(10_000)), prefs)
    assert small.vote == "for" and "support grants under $50k" in small.reasons[0]
    # the same grant with a minter added: one protective rule opposes the whole proposal
    minter = Effect(kind="adds_minter", summary="grants MINTER_ROLE to 0x22…")
    assert recommend(analysis(grant(10_000), minter), prefs).vote == "against"
    # a grant to someone never paid before is not approved: the default decides
    newcomer = recommend(analysis(grant(10_000, history=False)), prefs)
    assert (newcomer.vote, newcomer.decided_by) == ("abstain", "default")
    # a mismatch between the words and the calldata is opposed on its own
    assert recommend(analysis(grant(10_000), problems=["states 10,000, moves 100,000"]),
                     prefs).vote == "against"


def test_dao_unknown_values_are_read_protectively():
    hawk, growth = load_profile("hawk"), load_profile("growth")
    unpriced = grant(None)  # a token no pool prices
    assert recommend(analysis(unpriced), hawk).vote == "against"  # "over $10k" may be true
    assert recommend(analysis(unpriced), growth).vote == "abstain"  # "under $200k" unproven


def test_dao_timelock_condition_only_speaks_without_one():
    prefs = parse_preferences({"statements": [
        "never support a treasury transfer over 5% without a timelock"]})
    big = grant(40_000, pct=Decimal("13.3"))
    assert recommend(analysis(big, timelocked=True), prefs).vote == "abstain"
    assert recommend(analysis(big, timelocked=False), prefs).vote == "against"


@pytest.mark.parametrize("weight, shares, votes, split", [
    (100_000, {"a": 50, "b": 30, "c": 20}, {"a": "for", "b": "against", "c": "abstain"},
     {"against": 30_000, "for": 50_000, "abstain": 20_000}),
    (10, {"a": 1, "b": 1, "c": 1}, {"a": "for", "b": "for", "c": "against"},
     {"against": 3, "for": 7, "abstain": 0}),  # floors 3+3+3, the remainder to the largest
    (7, {"a": 2, "b": 5}, {"a": "against", "b": "against"},
     {"against": 7, "for": 0, "abstain": 0}),
])
def test_dao_fractional_split_is_exact(weight, shares, votes, split):
    result = split_weight(weight, shares, votes)
    assert result == split and sum(result.values()) == weight


def test_dao_fractional_params_are_the_governors_packed_encoding():
    params = fractional_params({"against": 1, "for": 2, "abstain": 3})
    assert params == encode_packed(["uint128"] * 3, [1, 2, 3]) and len(params) == 48


def test_dao_description_checks_amounts_recipients_and_unmentioned_kinds():
    assert claimed_amounts("Grant 10,000 USDC and 2.5k USDT; send 1 ETH") == {
        "USDC": [Decimal(10_000)], "USDT": [Decimal(2_500)], "ETH": [Decimal(1)]}
    moved = Effect(kind="grant", summary="pays 100,000 USDC to 0x11…", token="USDC",
                   amount=100_000 * 10**6, decimals=6, recipient=STRANGER)
    found = mismatches(f"Grant 10,000 USDC to the guild ({GUILD}).", [moved])
    assert any("states 10,000 USDC, the calldata moves 100,000 USDC" in p for p in found)
    assert any(f"pays {STRANGER}" in p for p in found)
    minter = Effect(kind="adds_minter", summary="grants MINTER_ROLE on SDAO to 0x22…")
    assert mismatches("Routine maintenance: rotate the vault's keeper.", [minter]) == [
        "the description never mentions that it grants MINTER_ROLE on SDAO to 0x22…"]
    assert mismatches("Grant the bridge a minter role.", [minter]) == []


def test_dao_snapshot_votes_are_signed_as_snapshot_does_and_verified():
    account = Account.create()
    signer = SnapshotSigner(account)
    proposal = "0x" + "ab" * 32
    vote = signer.sign("stewarddao.eth", proposal, 1, "for the grant", timestamp=1_760_000_000)
    assert verify(vote) and recover(vote) == account.address
    # the hub's own recovery over Snapshot's domain and Vote type gives the same signer
    message = encode_typed_data(DOMAIN, {"Vote": [
        {"name": "from", "type": "address"}, {"name": "space", "type": "string"},
        {"name": "timestamp", "type": "uint64"}, {"name": "proposal", "type": "bytes32"},
        {"name": "choice", "type": "uint32"}, {"name": "reason", "type": "string"},
        {"name": "app", "type": "string"}, {"name": "metadata", "type": "string"}]},
        {"from": account.address, "space": "stewarddao.eth", "timestamp": 1_760_000_000,
         "proposal": bytes.fromhex("ab" * 32), "choice": 1, "reason": "for the grant",
         "app": "steward", "metadata": "{}"})
    assert Account.recover_message(message, signature=bytes.fromhex(vote.signature[2:])) == \
        account.address
    for tampered in ({"choice": 2}, {"voter": "0x" + "33" * 20}, {"reason": "other"}):
        assert not verify(vote.model_copy(update=tampered))
    with pytest.raises(StewardError, match="counts from 1"):
        signer.sign("stewarddao.eth", proposal, 0)
    assert verify(signer.sign("stewarddao.eth", "QmNotHex", 2))  # string ids use the string type
