"""The owner's commerce mandate: what a wallet's agent may agree to with other agents.

It is the `[commerce]` table of the wallet's mandate file (`<home>/mandates/<wallet>.toml`),
read as strictly as the rest of that file: an unknown key, a wrong type or an impossible value is
a `MandateError` naming the file, the dotted key, what was wrong and what is valid. A wallet
without the table cannot trade: an agent never negotiates without limits its owner wrote.

```toml
[commerce]
max_budget_usd = 100          # the most one job may cost, valued by the chain's pools
max_budget = { USDC = 150 }   # optional per-token caps in token units (decimals read from chain)
counterparties = "any"        # or a list of checksummed addresses (providers, clients, evaluators)
tokens = ["USDC"]             # tokens a job may be paid in, or "any"
min_reputation = 60           # average score (0 to 100) a provider must have earned
min_jobs = 0                  # rated jobs a provider must have; 0 lets new agents in
```

New agents: reputation comes only from payment-backed feedback, so an agent nobody has rated
has 0 jobs and no average. With `min_jobs = 0` it is hired on trust (the average is checked only
once there is one); with `min_jobs = 1` or more it is refused until others have paid it and rated
it. A provider applies `counterparties` and `tokens` to the offers it receives; a client applies
everything to the providers it hires.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from steward.guard.mandate import (
    COMMERCE_SECTION,
    MandateError,
    _show,
    _usd_from_toml,
    mandate_path,
    read_table,
    usd_text,
)
from steward.units import to_base_units

MAX_SCORE = 100
EXAMPLE = ('[commerce]\nmax_budget_usd = 100\ncounterparties = "any"\ntokens = ["USDC"]\n'
           "min_reputation = 0\nmin_jobs = 0")


class CommerceMandate(BaseModel):
    """`max_budget_usd` is in usd micros; `max_budget` maps upper-case symbols to token amounts
    as written (decimal text), turned into base units with the token's on-chain decimals."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_budget_usd: int
    max_budget: dict[str, str] = {}
    counterparties: Literal["any"] | list[str] = "any"
    tokens: Literal["any"] | list[str] = "any"
    min_reputation: int = 0
    min_jobs: int = 0
    source: str = "given"

    @field_validator("max_budget_usd", mode="before")
    @classmethod
    def _usd(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"must be a positive number of usd micros, got {_show(value)}")
        return value

    @field_validator("max_budget", mode="before")
    @classmethod
    def _per_token(cls, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ValueError(f"must be a table of SYMBOL = amount like {{ USDC = 150 }}, "
                             f"got {_show(value)}")
        out: dict[str, str] = {}
        for symbol, amount in value.items():
            text = str(amount) if isinstance(amount, int) else (
                repr(amount) if isinstance(amount, float) else amount)
            try:
                if isinstance(amount, bool) or not isinstance(text, str):
                    raise InvalidOperation
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"{symbol}: must be a token amount like 150 or 99.5, "
                                 f"got {_show(amount)}") from None
            if not number.is_finite() or number <= 0:
                raise ValueError(f"{symbol}: must be a positive token amount, got {_show(amount)}")
            out[symbol.strip().upper()] = text
        return out

    @field_validator("counterparties", mode="before")
    @classmethod
    def _counterparties(cls, value: Any) -> str | list[str]:
        if value == "any":
            return value
        if not isinstance(value, list):
            raise ValueError('must be "any" or a list of EIP-55 checksummed addresses, '
                             f"got {_show(value)}")
        for i, address in enumerate(value):
            if not isinstance(address, str) or not is_hex_address(address):
                raise ValueError(f"[{i}]: must be a 0x address of 40 hex digits, got {_show(address)}")
            if not is_checksum_address(address):
                raise ValueError(f"[{i}]: {address} is not an EIP-55 checksummed address; "
                                 f"its checksummed form is {to_checksum_address(address)}")
        return list(dict.fromkeys(value))

    @field_validator("tokens", mode="before")
    @classmethod
    def _tokens(cls, value: Any) -> str | list[str]:
        if value == "any":
            return value
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            raise ValueError(f'must be "any" or a list of token symbols like ["USDC"], '
                             f"got {_show(value)}")
        return list(dict.fromkeys(s.strip().upper() for s in value))

    @field_validator("min_reputation", mode="before")
    @classmethod
    def _score(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SCORE:
            raise ValueError(f"must be a whole score from 0 to {MAX_SCORE}, got {_show(value)}")
        return value

    @field_validator("min_jobs", mode="before")
    @classmethod
    def _jobs(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"must be a whole number of rated jobs, 0 or more, got {_show(value)}")
        return value

    # ---- questions an agent asks ----

    def counterparty_allowed(self, address: str) -> bool:
        return self.counterparties == "any" or address.lower() in {
            a.lower() for a in self.counterparties}

    def token_allowed(self, symbol: str) -> bool:
        return self.tokens == "any" or symbol.upper() in self.tokens

    def token_cap(self, symbol: str, decimals: int) -> int | None:
        """The per-token cap in base units (decimals from the chain), or None without one."""
        text = self.max_budget.get(symbol.upper())
        return None if text is None else to_base_units(text, decimals, symbol)

    def reputation_ok(self, jobs: int, average_x100: int) -> bool:
        """`average_x100` as the Reputation contract reports it (8750 = 87.50)."""
        if jobs < self.min_jobs:
            return False
        return jobs == 0 or average_x100 >= self.min_reputation * 100

    def describe(self) -> str:
        caps = ", ".join(f"{amount} {symbol}" for symbol, amount in self.max_budget.items())
        return (f"up to {usd_text(self.max_budget_usd)} a job" + (f" ({caps})" if caps else "")
                + f"; tokens {self._list(self.tokens)}; counterparties "
                f"{self._list(self.counterparties)}; providers need {self.min_jobs}+ rated jobs"
                f" and an average of {self.min_reputation}+")

    @staticmethod
    def _list(value: str | list[str]) -> str:
        return value if isinstance(value, str) else ", ".join(value) or "none"


def parse_commerce(table: Any, source: str) -> CommerceMandate:
    """The `[commerce]` table of a mandate file, validated; `source` names the file in errors."""
    if not isinstance(table, dict):
        raise MandateError(f"{source}: {COMMERCE_SECTION}: must be a table [{COMMERCE_SECTION}], "
                           f"got {_show(table)}")
    data = dict(table)
    if "source" in data:
        raise MandateError(f"{source}: {COMMERCE_SECTION}.source: unknown key; valid keys in "
                           f"{COMMERCE_SECTION}: {_valid_keys()}")
    if "max_budget_usd" in data:
        data["max_budget_usd"] = _usd_from_toml(data["max_budget_usd"], source,
                                                f"{COMMERCE_SECTION}.max_budget_usd")
    try:
        return CommerceMandate.model_validate(data | {"source": source})
    except ValidationError as exc:
        raise _error(exc, source) from None


def _valid_keys() -> str:
    return ", ".join(k for k in CommerceMandate.model_fields if k != "source")


def _error(exc: ValidationError, source: str) -> MandateError:
    err = exc.errors(include_url=False)[0]
    key = ".".join([COMMERCE_SECTION, *(str(part) for part in err["loc"])])
    if err["type"] == "value_error":
        message = str(err["ctx"]["error"])
        if message.startswith("["):
            index, _, rest = message.partition(": ")
            return MandateError(f"{source}: {key}{index}: {rest}")
        if err["loc"] and err["loc"][-1] == "max_budget" and ": " in message:
            symbol, _, rest = message.partition(": ")
            return MandateError(f"{source}: {key}.{symbol}: {rest}")
        return MandateError(f"{source}: {key}: {message}")
    if err["type"] == "extra_forbidden":
        return MandateError(f"{source}: {key}: unknown key; valid keys in {COMMERCE_SECTION}: "
                            f"{_valid_keys()}")
    if err["type"] == "missing":
        return MandateError(f"{source}: {key}: missing; it is required")
    return MandateError(f"{source}: {key}: {err['msg']}")


def read_commerce_mandate(path: Path) -> CommerceMandate:
    table = read_table(path, COMMERCE_SECTION, no_file=(
        f"an agent trades only within a [{COMMERCE_SECTION}] mandate, for example:\n{EXAMPLE}"),
        no_table=f"an agent trades only within limits its owner wrote, for example:\n{EXAMPLE}")
    return parse_commerce(table, str(path))


def load_commerce_mandate(wallet: str) -> CommerceMandate:
    """The `[commerce]` table of `wallet`'s mandate file."""
    return read_commerce_mandate(mandate_path(wallet))


def commerce_toml(mandate: CommerceMandate) -> str:
    """The `[commerce]` table for a mandate file (loads back to the same rules)."""
    usd = Decimal(mandate.max_budget_usd) / Decimal(10**6)
    lines = [f"[{COMMERCE_SECTION}]", f"max_budget_usd = {usd.normalize():f}"]
    if mandate.max_budget:
        caps = ", ".join(f'{symbol} = "{amount}"' for symbol, amount in mandate.max_budget.items())
        lines.append(f"max_budget = {{ {caps} }}")

    def listed(value: str | list[str]) -> str:
        return f'"{value}"' if isinstance(value, str) else "[" + ", ".join(
            f'"{v}"' for v in value) + "]"

    lines += [f"counterparties = {listed(mandate.counterparties)}",
              f"tokens = {listed(mandate.tokens)}",
              f"min_reputation = {mandate.min_reputation}", f"min_jobs = {mandate.min_jobs}"]
    return "\n".join(lines) + "\n"


__all__ = ["CommerceMandate", "commerce_toml", "load_commerce_mandate", "parse_commerce",
           "read_commerce_mandate"]
