"""The delegate: a recommendation per voter from their preferences and the proposal's effects,
and the vote cast through the guard and the executor.

`recommend` applies a voter's rules to the analysed effects: "against" from any rule that speaks
is enough to oppose; "for" needs every effect of the proposal approved by some rule (a grant
someone approves does not carry a minter nobody approved); otherwise an "abstain" rule, else the
voter's default. Every recommendation says which rule decided and on which effect.

Casting, always as a plan of the delegate's wallet judged by the guard:
- `castVoteWithReason` with the explanation as the reason;
- fractional (`castVoteWithReasonAndParams`, support 255, params = abi.encodePacked(uint128
  against, uint128 for, uint128 abstain)) when one delegate speaks for several delegators with
  different preferences: the delegate's weight is split in proportion to what each delegator
  holds, exactly (floors, the remainder to the largest share), so each is represented apart;
- by signature (`castVoteBySig`, EIP-712 Ballot): the signature is made only after the guard has
  judged the equivalent direct vote from the voter and allowed it; a relayer submits it as its
  own guarded plan.
A person's override, recorded before the vote is cast (and before the deadline), replaces the
recommendation; a vote already on chain cannot be changed, and the override says so.
"""

from __future__ import annotations

import json
import time

from eth_abi.packed import encode_packed
from pydantic import BaseModel
from web3 import Web3

from steward.commerce.agent import run_guarded
from steward.dao.analysis import Analysis, Effect
from steward.dao.governor import FRACTIONAL, SUPPORT, Governance
from steward.dao.preferences import Preferences, Rule, Vote
from steward.errors import StewardError
from steward.execution import Executor, PlanResult
from steward.guard import review
from steward.home import home_path, write_private
from steward.plans import Call, Plan

MAX_REASON = 1000


class Recommendation(BaseModel):
    profile: str
    vote: Vote
    reasons: list[str]
    decided_by: str  # "rule", "default" or "override"


def _within(value, bound, rule: Rule, above: bool) -> bool:
    if bound is None:
        return True
    if value is None:  # unknown: a protective rule assumes the worst, a permissive one waits
        return rule.vote == "against"
    return value >= bound if above else value <= bound


def matches(rule: Rule, effect: Effect, analysis: Analysis) -> bool:
    kinds = {effect.kind, "any"}
    if effect.kind == "grant":
        kinds.add("treasury_transfer")
    if effect.kind == "adds_minter":
        kinds.add("role_change")
    if rule.effect not in kinds:
        return False
    if rule.without_timelock and analysis.timelocked:
        return False
    for flag, value in ((rule.recipient_history, effect.recipient_history),
                        (rule.verified, effect.verified)):
        if flag is not None and value != flag and not (value is None and rule.vote == "against"):
            return False
    return (_within(effect.usd, rule.min_usd, rule, above=True)
            and _within(effect.usd, rule.max_usd, rule, above=False)
            and _within(effect.treasury_pct, rule.min_treasury_pct, rule, above=True)
            and _within(effect.treasury_pct, rule.max_treasury_pct, rule, above=False))


def effects_to_judge(analysis: Analysis) -> list[Effect]:
    """The analysed effects plus one `description_mismatch` effect per disagreement."""
    return analysis.effects + [Effect(kind="description_mismatch", summary=problem)
                               for problem in analysis.mismatches]


def recommend(analysis: Analysis, prefs: Preferences) -> Recommendation:
    effects = effects_to_judge(analysis)
    fired: dict[str, list[tuple[Rule, Effect]]] = {"against": [], "abstain": [], "for": []}
    for effect in effects:
        for rule in prefs.rules:
            if matches(rule, effect, analysis):
                fired[rule.vote].append((rule, effect))
    if fired["against"]:
        return Recommendation(profile=prefs.name, vote="against", decided_by="rule",
                              reasons=_reasons(fired["against"]))
    approved = {id(effect) for _, effect in fired["for"]}
    unapproved = [effect for effect in effects if id(effect) not in approved]
    if fired["for"] and not unapproved:
        return Recommendation(profile=prefs.name, vote="for", decided_by="rule",
                              reasons=_reasons(fired["for"]))
    if fired["abstain"]:
        return Recommendation(profile=prefs.name, vote="abstain", decided_by="rule",
                              reasons=_reasons(fired["abstain"]))
    left = "; ".join(effect.summary for effect in unapproved) or "it changes nothing Steward sees"
    return Recommendation(profile=prefs.name, vote=prefs.default, decided_by="default",
                          reasons=[f"no rule of {prefs.name} approves all it does ({left}); "
                                   f"the default is {prefs.default}"])


def _reasons(pairs: list[tuple[Rule, Effect]]) -> list[str]:
    seen, reasons = set(), []
    for rule, effect in pairs:
        text = f"{rule.describe()} → {effect.summary}"
        if text not in seen:
            seen.add(text)
            reasons.append(text)
    return reasons


def reason_text(analysis: Analysis, recommendation: Recommendation) -> str:
    """The reason written on chain with the vote (bounded)."""
    text = (f"Steward delegate ({recommendation.profile}): {recommendation.vote}. "
            + " ".join(recommendation.reasons))
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "…"


def split_weight(weight: int, shares: dict[str, int], votes: dict[str, Vote]
                 ) -> dict[str, int]:
    """The delegate's `weight` split over delegators in proportion to `shares`, each share's part
    going to that delegator's vote; exact: the parts sum to `weight` (the remainder of the floors
    goes to the largest share)."""
    total = sum(shares.values())
    if weight < 0 or total <= 0:
        raise StewardError("a fractional vote needs a positive weight and at least one share")
    parts = {name: weight * share // total for name, share in shares.items()}
    largest = max(shares, key=shares.__getitem__)  # the first of the largest, as listed
    parts[largest] += weight - sum(parts.values())
    split = {"against": 0, "for": 0, "abstain": 0}
    for name, part in parts.items():
        split[votes[name]] += part
    return split


def fractional_params(split: dict[str, int]) -> bytes:
    return encode_packed(["uint128", "uint128", "uint128"],
                         [split["against"], split["for"], split["abstain"]])


# ---- overrides ------------------------------------------------------------------------------------
def _overrides_path():
    return home_path("dao", "overrides.json")


def overrides() -> dict:
    path = _overrides_path()
    return json.loads(path.read_text()) if path.exists() else {}


def record_override(governance: Governance, proposal_id: int, wallet: str, address: str,
                    vote: Vote, reason: str) -> dict:
    """A person's vote for `wallet` on a proposal, to be cast instead of the recommendation."""
    if vote not in SUPPORT:
        raise StewardError(f"an override is for, against or abstain, not {vote!r}")
    proposal = governance.proposal(proposal_id)
    if proposal.state not in ("pending", "active"):
        raise StewardError(f"proposal {proposal_id} is {proposal.state}: its voting is over, so "
                           "an override can no longer change anything")
    if governance.has_voted(proposal_id, address):
        raise StewardError(f"{wallet} has already voted on proposal {proposal_id}; a Governor "
                           "vote cannot be changed once cast")
    data = overrides()
    entry = {"vote": vote, "reason": reason, "at": int(time.time())}
    data.setdefault(str(proposal_id), {})[wallet] = entry
    write_private(_overrides_path(), json.dumps(data, indent=2))
    return entry


def override_for(proposal_id: int, wallet: str) -> dict | None:
    return overrides().get(str(proposal_id), {}).get(wallet)


# ---- casting -------------------------------------------------------------------------------------
class Voter:
    """A wallet that votes; every vote is a guarded plan (or a signature the guard allowed)."""

    def __init__(self, wallet: str, executor: Executor, governance: Governance):
        self.wallet = wallet
        self.executor = executor
        self.address = executor.address
        self.g = governance

    def _call(self, function: str, *args, description: str) -> Call:
        return Call(to=self.g.governor.address, description=description, gas_hint=400_000,
                    data=self.g.governor.encode_abi(function, args=list(args)))

    def _run(self, calls: list[Call], summary: str) -> PlanResult:
        return run_guarded(self.executor, self.g.chain.name, calls, f"{self.wallet}: {summary}")

    def cast(self, proposal_id: int, vote: Vote, reason: str) -> PlanResult:
        return self._run([self._call("castVoteWithReason", proposal_id, SUPPORT[vote], reason,
                                     description=f"vote {vote} on proposal {proposal_id}")],
                         f"vote {vote} on DAO proposal {proposal_id}")

    def cast_fractional(self, proposal_id: int, split: dict[str, int], reason: str) -> PlanResult:
        shown = ", ".join(f"{vote} {weight}" for vote, weight in split.items() if weight)
        return self._run([self._call("castVoteWithReasonAndParams", proposal_id, FRACTIONAL,
                                     reason, fractional_params(split),
                                     description=f"vote on proposal {proposal_id}: {shown}")],
                         f"cast a fractional vote on DAO proposal {proposal_id} ({shown})")

    def sign_ballot(self, proposal_id: int, vote: Vote, account) -> bytes:
        """An EIP-712 Ballot for `castVoteBySig`, signed only once the guard has allowed the
        same vote cast directly by this wallet."""
        plan = Plan(chain=self.g.chain.name, sender=self.address, summary="vote by signature",
                    calls=[self._call("castVote", proposal_id, SUPPORT[vote],
                                      description=f"vote {vote} on proposal {proposal_id}")])
        verdict = review(plan, self.wallet, own_wallets={self.wallet: self.address})
        if verdict.decision != "allow":
            raise StewardError(f"{self.wallet}: the guard did not allow this vote ("
                               + "; ".join(r.message for r in verdict.reasons)
                               + "); nothing was signed")
        if account.address != self.address:
            raise StewardError("internal: the key is not this voter's")
        nonce = self.g.governor.functions.nonces(self.address).call()
        domain = {"name": self.g.governor.functions.name().call(), "version": "1",
                  "chainId": self.g.chain.chain_id, "verifyingContract": self.g.governor.address}
        types = {"Ballot": [{"name": "proposalId", "type": "uint256"},
                            {"name": "support", "type": "uint8"},
                            {"name": "voter", "type": "address"},
                            {"name": "nonce", "type": "uint256"}]}
        message = {"proposalId": proposal_id, "support": SUPPORT[vote], "voter": self.address,
                   "nonce": nonce}
        return bytes(account.sign_typed_data(domain, types, message).signature)

    def relay_ballot(self, proposal_id: int, vote: Vote, voter: str,
                     signature: bytes) -> PlanResult:
        """Submit someone's signed Ballot (this wallet pays the gas)."""
        return self._run([self._call("castVoteBySig", proposal_id, SUPPORT[vote],
                                     Web3.to_checksum_address(voter), signature,
                                     description=f"relay {voter}'s signed vote on {proposal_id}")],
                         f"relay a signed vote on DAO proposal {proposal_id}")


def delegator_shares(governance: Governance, delegators: dict[str, str]) -> dict[str, int]:
    """name → SDAO held now by each delegator (their part of the delegate's weight)."""
    return {name: governance.token.functions.balanceOf(
        Web3.to_checksum_address(address)).call() for name, address in delegators.items()}


__all__ = ["Recommendation", "Voter", "delegator_shares", "effects_to_judge", "fractional_params",
           "matches", "override_for", "reason_text", "recommend", "record_override",
           "split_weight"]
