"""Checkable work: specs a provider can solve and an evaluator can verify on its own.

Two kinds, both deterministic and cheap to verify but not to guess:

* `factorise`: the prime factorisation of `n` (Pollard's rho; primality by Miller-Rabin with
  the bases that are exact below 3.3 * 10**24, so `n` is limited to 80 bits);
* `pow`: a nonce such that SHA-256(data || ":" || nonce) starts with `difficulty_bits` zero bits.

A spec and a deliverable are pydantic models hashed (keccak-256) over their canonical JSON; the
spec's hash goes into the job on-chain, the deliverable's into `submit`. The provider publishes
the deliverable itself in a content-addressed store (`<home>/market/deliverables/<hash>.json`),
where the evaluator fetches it by the hash the escrow holds and checks it hashes to that.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Literal

from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, Field, model_validator

from steward.commerce.errors import CommerceError
from steward.home import home_path, write_private

MAX_FACTOR_BITS = 80
MAX_POW_BITS = 24
# Miller-Rabin with these bases is exact for every n < 3.3 * 10**24 (> 2**80).
_MR_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)


def _canonical(model: BaseModel) -> bytes:
    return json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":")).encode()


def _keccak_hex(data: bytes) -> str:
    return "0x" + keccak(data).hex()


class Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["factorise", "pow"]
    n: int | None = None
    data: str | None = None
    difficulty_bits: int | None = Field(default=None, ge=1, le=MAX_POW_BITS)

    @model_validator(mode="after")
    def _fields_of_kind(self) -> "Spec":
        if self.kind == "factorise":
            if self.n is None or not 2 <= self.n < 2**MAX_FACTOR_BITS:
                raise ValueError(f"a factorise spec needs n from 2 to 2**{MAX_FACTOR_BITS} - 1")
            if self.data is not None or self.difficulty_bits is not None:
                raise ValueError("a factorise spec takes only n")
        else:
            if not self.data or self.difficulty_bits is None:
                raise ValueError(f"a pow spec needs data and difficulty_bits (1 to {MAX_POW_BITS})")
            if self.n is not None:
                raise ValueError("a pow spec takes data and difficulty_bits, not n")
        return self

    @property
    def hash(self) -> str:
        return _keccak_hex(_canonical(self))

    def describe(self) -> str:
        if self.kind == "factorise":
            return f"factorise {self.n}"
        return f"find a nonce: SHA-256({self.data!r}:nonce) with {self.difficulty_bits} leading zero bits"


class Deliverable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    spec_hash: str
    factors: list[int] | None = None
    nonce: int | None = None

    @property
    def hash(self) -> str:
        return _keccak_hex(_canonical(self))

    def describe(self) -> str:
        if self.factors is not None:
            return " × ".join(str(f) for f in self.factors)
        return f"nonce {self.nonce}"


# ---- the provider's side ----------------------------------------------------------------------

def is_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in _MR_BASES:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in _MR_BASES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def _rho(n: int) -> int:
    """A non-trivial factor of the composite odd n (Pollard's rho, Brent's cycle finding)."""
    for c in range(1, 1000):
        y, r, q, g = 2, 1, 1, 1
        x = ys = y
        while g == 1:
            x = y
            for _ in range(r):
                y = (y * y + c) % n
            k = 0
            while k < r and g == 1:
                ys = y
                for _ in range(min(128, r - k)):
                    y = (y * y + c) % n
                    q = q * abs(x - y) % n
                g = math.gcd(q, n)
                k += 128
            r *= 2
        if g == n:
            g = 1
            while g == 1:
                ys = (ys * ys + c) % n
                g = math.gcd(abs(x - ys), n)
        if g != n:
            return g
    raise CommerceError(f"could not factorise {n}")  # pragma: no cover - rho always succeeds


def factorise(n: int) -> list[int]:
    factors: list[int] = []
    for p in (2, 3, 5, 7, 11, 13):
        while n % p == 0:
            factors.append(p)
            n //= p
    stack = [n] if n > 1 else []
    while stack:
        m = stack.pop()
        if is_prime(m):
            factors.append(m)
            continue
        d = _rho(m)
        stack += [d, m // d]
    return sorted(factors)


def pow_digest(data: str, nonce: int) -> bytes:
    return hashlib.sha256(f"{data}:{nonce}".encode()).digest()


def _leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def solve(spec: Spec) -> Deliverable:
    """The provider's real work."""
    if spec.kind == "factorise":
        return Deliverable(spec_hash=spec.hash, factors=factorise(spec.n))  # type: ignore[arg-type]
    nonce = 0
    while _leading_zero_bits(pow_digest(spec.data, nonce)) < spec.difficulty_bits:  # type: ignore[arg-type,operator]
        nonce += 1
    return Deliverable(spec_hash=spec.hash, nonce=nonce)


# ---- the evaluator's side ---------------------------------------------------------------------

def verify(spec: Spec, deliverable: Deliverable) -> tuple[bool, str]:
    """(accepted, reason), checked from scratch: nothing the provider says is trusted."""
    if deliverable.spec_hash != spec.hash:
        return False, "the deliverable answers another spec"
    if spec.kind == "factorise":
        factors = deliverable.factors
        if not factors:
            return False, "no factors delivered"
        if math.prod(factors) != spec.n:
            return False, f"the factors multiply to {math.prod(factors)}, not {spec.n}"
        composite = [f for f in factors if not is_prime(f)]
        if composite:
            return False, f"{composite[0]} is not prime"
        return True, f"{len(factors)} prime factors multiply to {spec.n}"
    if deliverable.nonce is None or deliverable.nonce < 0:
        return False, "no nonce delivered"
    bits = _leading_zero_bits(pow_digest(spec.data, deliverable.nonce))  # type: ignore[arg-type]
    if bits < spec.difficulty_bits:  # type: ignore[operator]
        return False, f"the hash has {bits} leading zero bits, {spec.difficulty_bits} needed"
    return True, f"the hash has {bits} leading zero bits (≥ {spec.difficulty_bits})"


# ---- publication ------------------------------------------------------------------------------

def _stored(digest: str) -> Path:
    if not re.fullmatch(r"0x[0-9a-f]{64}", digest.lower()):
        raise CommerceError(f"a deliverable is named by 0x and 64 hex digits, got {digest[:80]!r}")
    return home_path("market", "deliverables", f"{digest.lower()}.json")


def publish(deliverable: Deliverable) -> str:
    """Store the deliverable under its own hash; returns the hash."""
    digest = deliverable.hash
    write_private(_stored(digest), _canonical(deliverable).decode())
    return digest


def fetch(digest: str) -> Deliverable:
    """The published deliverable whose content hashes to `digest` (checked, not trusted)."""
    path = _stored(digest)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CommerceError(f"no deliverable {digest} was published") from None
    if _keccak_hex(raw) != digest.lower():
        raise CommerceError(f"the published deliverable {digest} does not hash to its name")
    return Deliverable.model_validate_json(raw)


__all__ = ["Deliverable", "Spec", "factorise", "fetch", "is_prime", "publish", "solve", "verify"]
