"""The DAO delegate for every face: proposals, explanations, votes, overrides, Snapshot votes.

Preferences: a voter's file is `<home>/dao/preferences/<wallet>.toml`; `--preferences FILE`
names another; Steward ships three example profiles (`protective`, `growth`, `hawk`) that can be
named instead of a file. A delegate speaking for several delegators lists them in
`<home>/dao/delegators/<wallet>.toml`:

```toml
[[delegator]]
name = "alice"
address = "0x…"
preferences = "protective"     # a shipped profile or a path
```
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from steward.errors import StewardError
from steward.home import home_path

L1 = "sandbox-l1"
PROFILES = ("protective", "growth", "hawk")


class ProposalRow(BaseModel):
    proposal_id: str
    title: str
    state: str
    vote_end: int
    votes: dict[str, str]
    actions: int


class Explanation(BaseModel):
    analysis: dict
    recommendations: list[dict]
    not_understood: dict[str, list[str]]


class VoteOutcome(BaseModel):
    proposal_id: str
    wallet: str
    mode: str  # direct | signature | fractional
    vote: str  # for / against / abstain, or the split for a fractional vote
    decided_by: str
    reason: str
    tx_hashes: list[str]


def governance(chain: str = L1, *, deploy: bool = True):
    """The DAO on `chain`; on the sandbox it is deployed and seeded on first use."""
    from steward.chains.config import load_config
    from steward.dao.governor import Governance
    from steward.sandbox.dao import ROLES, ensure_dao, seed_proposals

    config = load_config().chain(chain)
    if deploy and chain == L1 and any(role not in config.contracts for role in ROLES.values()):
        ensure_dao(chain)
        seed_proposals(chain)
    return Governance(chain)


def load_profile(name_or_path: str):
    from steward.dao.preferences import read_preferences

    if name_or_path in PROFILES:
        with resources.as_file(resources.files("steward.dao").joinpath(
                "profiles", f"{name_or_path}.toml")) as path:
            return read_preferences(path)
    return read_preferences(name_or_path)


def preferences_for(wallet: str, given: str | None = None):
    if given:
        return load_profile(given)
    path = home_path("dao", "preferences", f"{wallet}.toml")
    if not path.exists():
        raise StewardError(f"{wallet} has no preferences file ({path}); write one (see "
                           "`steward dao explain --help`) or pass --preferences protective|"
                           "growth|hawk|FILE")
    return load_profile(str(path))


def delegators_for(wallet: str, path: str | None = None) -> list[dict]:
    file = Path(path) if path else home_path("dao", "delegators", f"{wallet}.toml")
    if not file.exists():
        return []
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise StewardError(f"{file} is not valid TOML: {exc}") from None
    rows = data.get("delegator")
    if not isinstance(rows, list) or not rows:
        raise StewardError(f"{file}: expected [[delegator]] tables with name, address and "
                           "preferences")
    for index, row in enumerate(rows):
        missing = {"name", "address", "preferences"} - set(row)
        extra = set(row) - {"name", "address", "preferences"}
        if missing or extra:
            raise StewardError(f"{file}: delegator {index + 1} "
                               + (f"lacks {', '.join(sorted(missing))}" if missing else
                                  f"has unknown keys {', '.join(sorted(extra))}")
                               + "; each has name, address and preferences")
    return rows


def list_proposals(chain: str = L1) -> list[ProposalRow]:
    g = governance(chain)
    return [ProposalRow(proposal_id=str(p.proposal_id), title=p.title, state=p.state,
                        vote_end=p.vote_end, votes={k: str(v) for k, v in p.votes.items()},
                        actions=len(p.targets)) for p in g.proposals()]


def _analysis(proposal_id: int, chain: str):
    from steward.dao.analysis import Analyzer

    g = governance(chain)
    return g, Analyzer(g).analyze(g.proposal(proposal_id))


def explain(proposal_id: int, profiles: list[str], chain: str = L1) -> Explanation:
    from steward.dao.delegate import recommend

    _, analysis = _analysis(proposal_id, chain)
    recommendations, unknown = [], {}
    for profile in profiles or list(PROFILES):
        prefs = load_profile(profile)
        recommendations.append(recommend(analysis, prefs).model_dump())
        if prefs.not_understood:
            unknown[prefs.name] = prefs.not_understood
    return Explanation(analysis=analysis.model_dump(mode="json"),
                       recommendations=recommendations, not_understood=unknown)


def _voter(wallet: str, passphrase: str, g):
    from steward.dao.delegate import Voter
    from steward.execution import Executor
    from steward.wallets import WalletStore

    account = WalletStore().unlock(wallet, passphrase)
    return Voter(wallet, Executor(account, wallet), g), account


def vote(proposal_id: int, wallet: str, passphrase: str, *, preferences: str | None = None,
         delegators: str | None = None, by_signature: bool = False,
         relayer: str | None = None, chain: str = L1) -> VoteOutcome:
    """Cast `wallet`'s vote: a person's override if one is recorded, else the recommendation
    from its preferences; fractional when it speaks for delegators with a delegators file."""
    from steward.dao.delegate import (delegator_shares, override_for, reason_text, recommend,
                                      split_weight)

    g, analysis = _analysis(proposal_id, chain)
    voter, account = _voter(wallet, passphrase, g)
    if g.has_voted(proposal_id, voter.address):
        raise StewardError(f"{wallet} has already voted on proposal {proposal_id}")
    rows = delegators_for(wallet, delegators)
    override = override_for(proposal_id, wallet)
    if rows and not override:
        votes, reasons = {}, []
        for row in rows:
            rec = recommend(analysis, load_profile(row["preferences"]))
            votes[row["name"]] = rec.vote
            reasons.append(f"{row['name']}: {rec.vote} ({'; '.join(rec.reasons)})")
        weight = g.weight(voter.address, proposal_id)
        split = split_weight(weight, delegator_shares(g, {r["name"]: r["address"]
                                                          for r in rows}), votes)
        reason = ("Steward delegate, fractional for " + str(len(rows)) + " delegators. "
                  + " ".join(reasons))[:1000]
        result = voter.cast_fractional(proposal_id, split, reason)
        return VoteOutcome(proposal_id=str(proposal_id), wallet=wallet, mode="fractional",
                           vote=", ".join(f"{k} {v}" for k, v in split.items()),
                           decided_by="rules of each delegator", reason=reason,
                           tx_hashes=[s.tx_hash for s in result.steps])
    if override:
        choice, decided, reason = override["vote"], "override", (
            f"Overridden by the owner: {override['vote']}. {override['reason']}")[:1000]
    else:
        rec = recommend(analysis, preferences_for(wallet, preferences))
        choice, decided, reason = rec.vote, rec.decided_by, reason_text(analysis, rec)
    if by_signature:
        if not relayer:
            raise StewardError("a vote by signature needs --relayer WALLET to submit it")
        signature = voter.sign_ballot(proposal_id, choice, account)
        relay, _ = _voter(relayer, passphrase, g)
        result = relay.relay_ballot(proposal_id, choice, voter.address, signature)
        mode = "signature"
    else:
        result = voter.cast(proposal_id, choice, reason)
        mode = "direct"
    return VoteOutcome(proposal_id=str(proposal_id), wallet=wallet, mode=mode, vote=choice,
                       decided_by=decided, reason=reason,
                       tx_hashes=[s.tx_hash for s in result.steps])


def override(proposal_id: int, wallet: str, choice: str, reason: str, chain: str = L1) -> dict:
    from steward.dao.delegate import record_override
    from steward.wallets import WalletStore

    g = governance(chain)
    address = WalletStore().get(wallet).address
    return record_override(g, proposal_id, wallet, address, choice, reason)


def snapshot_vote(wallet: str, passphrase: str, space: str, proposal: str, choice: int,
                  reason: str = ""):
    from steward.dao.snapshot import SnapshotSigner
    from steward.wallets import WalletStore

    return SnapshotSigner(WalletStore().unlock(wallet, passphrase)).sign(space, proposal, choice,
                                                                          reason)


__all__ = ["Explanation", "PROFILES", "ProposalRow", "VoteOutcome", "delegators_for", "explain",
           "governance", "list_proposals", "load_profile", "override", "preferences_for",
           "snapshot_vote", "vote"]
