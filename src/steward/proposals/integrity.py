"""A stored proposal's seal: proof that what is in `proposals.sqlite` is what Steward wrote.

Each step stores the digest of the exact plan that was judged (`plan_digest`: chain, chain id,
sender, every call's to/value/data in order). The seal is an HMAC over the proposal's id,
wallet, address, expiry, decision, the person who decided, the digests they approved and each
step's digest and decision, with a key kept in the Steward home (`proposal-seal.key`, 0600,
made on first use). Execution recomputes every digest from the plan it is about to sign and
checks the seal, so an edit of the stored calldata is caught by the digest, and an edit that
also rewrites the digest (or forges an approver) is caught by the seal. Someone who can read
the key (the same OS user) can still forge a record; the key keeps out everything else that
writes the file: sync tools, other programs' bugs, a stolen copy written back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from steward.errors import StewardError
from steward.guard.verdict import plan_digest
from steward.home import home_path, untrusted_because, write_private

if TYPE_CHECKING:
    from steward.proposals import Proposal

KEY_FILE = "proposal-seal.key"
_keys: dict[Path, bytes] = {}


def _read_key(path: Path) -> bytes:
    # The same trust rules as a mandate or a keystore, and unreadable by others: a key anyone
    # could read would let anyone re-seal an edited proposal.
    problem = untrusted_because(path)
    if problem is None and os.lstat(path).st_mode & 0o077:
        problem = f"others can read it; run: chmod 600 {path}"
    if problem:
        raise StewardError(f"{path}: refusing the proposal seal key: {problem} (or remove it and "
                           "Steward makes a new one; open proposals must then be proposed again)")
    key = bytes.fromhex(path.read_text().strip())
    if len(key) != 32:
        raise StewardError(f"{path} does not hold a 32-byte key; remove it and Steward makes a "
                           "new one (open proposals must then be proposed again)")
    return key


def _key() -> bytes:
    path = home_path(KEY_FILE)
    if path not in _keys:
        if not os.path.lexists(path):
            # Written beside, then linked into place: of two processes starting at once, one
            # key wins and both use it (a rename would let the second replace the first).
            spare = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
            write_private(spare, secrets.token_bytes(32).hex())
            try:
                os.link(spare, path)
            except FileExistsError:
                pass
            finally:
                spare.unlink()
        _keys[path] = _read_key(path)
    return _keys[path]


def _body(proposal: Proposal) -> bytes:
    fields = {
        "id": proposal.id, "wallet": proposal.wallet, "address": proposal.address.lower(),
        "expires_at": proposal.expires_at.isoformat(), "decision": proposal.decision,
        "decided_by": proposal.decided_by, "approved_digests": proposal.approved_digests,
        "steps": [[step.digest, step.decision] for step in proposal.steps],
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def seal(proposal: Proposal) -> None:
    proposal.seal = hmac.new(_key(), _body(proposal), hashlib.sha256).hexdigest()


def integrity_problem(proposal: Proposal) -> str | None:
    """Why the stored proposal cannot be trusted, or None: the seal, then every step's plan
    against its judged digest, then an approval against the digests it was given for."""
    expected = hmac.new(_key(), _body(proposal), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(proposal.seal, expected):
        return ("the stored proposal was changed outside Steward (its seal does not match its "
                "plans, decision or approver)")
    for index, step in enumerate(proposal.steps):
        if plan_digest(step.plan) != step.digest:
            return (f"step {index + 1}'s stored plan is not the plan that was judged (its calls, "
                    "recipient or amounts were changed after judging)")
    if proposal.status == "approved":
        if not proposal.decided_by:
            return "it is marked approved but no person's approval is recorded"
        if proposal.approved_digests != [step.digest for step in proposal.steps]:
            return "the approval was given for other plans than the stored ones"
    return None


__all__ = ["KEY_FILE", "integrity_problem", "seal"]
