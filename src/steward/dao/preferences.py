"""A voter's preferences: plain statements and structured rules, read strictly.

A preferences file (TOML) speaks for one voter:

```toml
voter = "0x…"                # optional: the delegator this profile speaks for (fractional votes)
name = "protective"          # shown in explanations
default = "abstain"          # the vote when no rule speaks: for | against | abstain
statements = [
  "never support a treasury transfer over 5% without a timelock",
  "support grants under $50k to recipients with history",
  "against anything that adds a minter or upgrades a contract to unverified code",
]

[[rule]]                      # the same, written out; any number of them
effect = "delegatecall"       # what the proposal does (EFFECTS below)
verified = false              # only for code Steward cannot match to a known contract
vote = "against"
because = "a delegatecall runs foreign code with the treasury's powers"
```

Statements are read by a small deterministic grammar (`STATEMENTS`): each one it recognises
becomes rules, and each one it does not is reported back as not understood — never guessed at.
Unknown keys, wrong types and impossible values are errors that name the key and what is valid.

How rules combine (`decide`): a rule speaks when the proposal has an effect of its kind that
meets all its conditions. "against" beats "abstain" beats "for": one protective rule is enough to
oppose a proposal, whatever else it does; with no rule speaking, `default` decides.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from steward.errors import StewardError

Vote = Literal["for", "against", "abstain"]
EFFECTS = ("treasury_transfer", "grant", "mint", "adds_minter", "weakens_governance", "role_change", "ownership_change",
           "upgrade", "delegatecall", "parameter_change", "new_contract", "unknown_call",
           "description_mismatch", "reverts", "any")
Effect = Literal["treasury_transfer", "grant", "mint", "adds_minter", "weakens_governance", "role_change", "ownership_change",
                 "upgrade", "delegatecall", "parameter_change", "new_contract", "unknown_call",
                 "description_mismatch", "reverts", "any"]
STRENGTH = {"against": 2, "abstain": 1, "for": 0}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    effect: Effect
    vote: Vote
    min_usd: Decimal | None = Field(default=None, ge=0)
    max_usd: Decimal | None = Field(default=None, ge=0)
    min_treasury_pct: Decimal | None = Field(default=None, ge=0, le=100)
    max_treasury_pct: Decimal | None = Field(default=None, ge=0, le=100)
    recipient_history: bool | None = None
    verified: bool | None = None
    without_timelock: bool = False
    because: str | None = None
    source: str | None = None  # the statement it came from

    def describe(self) -> str:
        if self.because:
            return self.because
        if self.source:
            return f'"{self.source}"'
        return f"{self.vote} on {self.effect.replace('_', ' ')}"


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "voter"
    voter: str | None = None
    default: Vote = "abstain"
    statements: list[str] = []
    rule: list[Rule] = []
    not_understood: list[str] = []  # filled on reading, never in the file

    @property
    def rules(self) -> list[Rule]:
        return list(self.rule)


_MONEY = r"\$?\s*(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|thousand|million)?"
_PCT = r"(?P<pct>\d+(?:\.\d+)?)\s*(?:%|percent)"
_OVER = r"(?:over|above|more than|of more than|exceeding)"
_UNDER = r"(?:under|below|less than|of less than|up to)"


def _usd(match: re.Match) -> Decimal:
    amount = Decimal(match["amount"].replace(",", ""))
    unit = (match["unit"] or "").lower()
    return amount * {"k": 1000, "thousand": 1000, "m": 10**6, "million": 10**6}.get(unit, 1)


def _rules(effect: str, vote: str, statement: str, **conditions) -> list[Rule]:
    return [Rule(effect=effect, vote=vote, source=statement, **conditions)]


# (pattern, builder): each recognised statement becomes rules. Anchored, case-insensitive, and
# matched against the statement with its final full stop dropped.
STATEMENTS: list[tuple[re.Pattern, object]] = [
    (re.compile(rf"never support (?:a |any )?treasury transfers? {_OVER} {_PCT}"
                r"(?: of the treasury)? without a timelock"),
     lambda m, s: _rules("treasury_transfer", "against", s, min_treasury_pct=Decimal(m["pct"]),
                         without_timelock=True)),
    (re.compile(rf"(?:vote )?against (?:any |a )?treasury transfers? {_OVER} {_PCT}"),
     lambda m, s: _rules("treasury_transfer", "against", s, min_treasury_pct=Decimal(m["pct"]))),
    (re.compile(rf"(?:vote )?against (?:any |a )?treasury transfers? {_OVER} {_MONEY}"),
     lambda m, s: _rules("treasury_transfer", "against", s, min_usd=_usd(m))),
    (re.compile(rf"support grants? {_UNDER} {_MONEY} to recipients with (?:a )?history"),
     lambda m, s: _rules("grant", "for", s, max_usd=_usd(m), recipient_history=True)),
    (re.compile(rf"support grants? {_UNDER} {_MONEY}"),
     lambda m, s: _rules("grant", "for", s, max_usd=_usd(m))),
    (re.compile(rf"(?:vote )?against grants? {_OVER} {_MONEY}"),
     lambda m, s: _rules("grant", "against", s, min_usd=_usd(m))),
    (re.compile(r"(?:vote )?against grants? to recipients without (?:a )?history"),
     lambda m, s: _rules("grant", "against", s, recipient_history=False)),
    (re.compile(r"(?:vote )?against anything that adds a minter"
                r"(?P<upgrades> or upgrades a contract to unverified code)?"),
     lambda m, s: _rules("adds_minter", "against", s)
     + (_rules("upgrade", "against", s, verified=False) if m["upgrades"] else [])),
    (re.compile(r"(?:vote )?against (?:any |anything that )?(?:upgrades? (?:a contract )?to|"
                r"upgrades? of) unverified code"),
     lambda m, s: _rules("upgrade", "against", s, verified=False)),
    (re.compile(r"(?:vote )?against (?:any |a )?delegatecalls? (?:in)?to unverified code"),
     lambda m, s: _rules("delegatecall", "against", s, verified=False)),
    (re.compile(r"(?:vote )?against (?:any |all )?delegatecalls?"),
     lambda m, s: _rules("delegatecall", "against", s)),
    (re.compile(r"(?:vote )?against (?:any |anything that makes )?(?:role|permission) changes?"),
     lambda m, s: _rules("role_change", "against", s)),
    (re.compile(r"(?:vote )?against (?:any )?(?:ownership|owner) changes?"),
     lambda m, s: _rules("ownership_change", "against", s)),
    (re.compile(r"(?:vote )?against (?:proposals|anything) whose description (?:does not match|"
                r"disagrees with|misstates) (?:its|the) calldata"),
     lambda m, s: _rules("description_mismatch", "against", s)),
    (re.compile(r"(?:vote )?against (?:any )?calls? steward cannot decode"),
     lambda m, s: _rules("unknown_call", "against", s)),
    (re.compile(r"(?:vote )?against anything that weakens (?:governance|the timelock|"
                r"the quorum|the timelock or the quorum)"),
     lambda m, s: _rules("weakens_governance", "against", s)),
    (re.compile(r"support (?:routine )?parameter changes?"),
     lambda m, s: _rules("parameter_change", "for", s)),
    (re.compile(r"(?:vote )?against (?:any )?parameter changes?"),
     lambda m, s: _rules("parameter_change", "against", s)),
    (re.compile(r"support upgrades? to verified code"),
     lambda m, s: _rules("upgrade", "for", s, verified=True)),
    (re.compile(r"support (?:all |any )?treasury transfers? {_UNDER} {_MONEY}".format(
        _UNDER=_UNDER, _MONEY=_MONEY)),
     lambda m, s: _rules("treasury_transfer", "for", s, max_usd=_usd(m))),
]
_DEFAULTS = re.compile(r"(?P<vote>abstain|vote against|oppose|support|vote for) "
                       r"(?:on )?(?:anything|everything) else")


def _normalise(statement: str) -> str:
    return re.sub(r"\s+", " ", statement.strip().rstrip(".").lower())


def read_statement(statement: str) -> tuple[list[Rule], str | None]:
    """(rules, new default or None) for one statement; ([], None) when it is not understood."""
    text = _normalise(statement)
    if match := _DEFAULTS.fullmatch(text):
        word = match["vote"]
        return [], {"abstain": "abstain", "vote against": "against", "oppose": "against",
                    "support": "for", "vote for": "for"}[word]
    for pattern, build in STATEMENTS:
        if match := pattern.fullmatch(text):
            return build(match, statement.strip()), None
    return [], None


def _error(exc: ValidationError, source: str) -> StewardError:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{where}: {error['msg']}")
    return StewardError(f"{source} is not a valid preferences file: " + "; ".join(problems)
                        + f". Valid effects: {', '.join(EFFECTS)}; votes: for, against, abstain")


def parse_preferences(data: dict, source: str = "preferences") -> Preferences:
    try:
        prefs = Preferences(**data)
    except ValidationError as exc:
        raise _error(exc, source) from None
    except TypeError as exc:
        raise StewardError(f"{source} is not a valid preferences file: {exc}") from None
    rules = list(prefs.rule)
    default = prefs.default
    not_understood = []
    for statement in prefs.statements:
        found, new_default = read_statement(statement)
        if new_default:
            default = new_default
        elif found:
            rules.extend(found)
        else:
            not_understood.append(statement)
    return prefs.model_copy(update={"rule": rules, "default": default,
                                    "not_understood": not_understood})


def read_preferences(path: str | Path) -> Preferences:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StewardError(f"no preferences file at {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StewardError(f"{path} is not valid TOML: {exc}") from None
    if "not_understood" in data:
        raise StewardError(f"{path}: not_understood is reported by Steward, not written")
    return parse_preferences(data, str(path))


__all__ = ["EFFECTS", "Preferences", "Rule", "STRENGTH", "Vote", "parse_preferences",
           "read_preferences", "read_statement"]
