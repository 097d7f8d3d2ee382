"""Off-chain votes as Snapshot signs them: EIP-712 with Snapshot's domain and `Vote` type.

Snapshot's hub accepts a vote signed over the domain `{name: "snapshot", version: "0.1.4"}` and
the type `Vote(address from, string space, uint64 timestamp, bytes32 proposal, uint32 choice,
string reason, string app, string metadata)` (`proposal` is `string` for ids that are not
32-byte hex). `choice` counts from 1 in the proposal's order of choices.

`SnapshotSigner` signs only such a vote, for its own address, and nothing else: no other domain,
type or signer ever reaches the key through it, so an agent cannot be talked into signing a
permit or an order by calling it a vote. A vote moves no money, so the guard's simulation has
nothing to judge; what is judged is the recommendation the vote carries. `verify` recovers the
signer, as the hub does.
"""

from __future__ import annotations

import re
import time

from eth_account import Account
from eth_account.messages import encode_typed_data
from pydantic import BaseModel
from web3 import Web3

from steward.errors import StewardError

DOMAIN = {"name": "snapshot", "version": "0.1.4"}
_FIELDS = [("from", "address"), ("space", "string"), ("timestamp", "uint64"),
           ("proposal", "bytes32"), ("choice", "uint32"), ("reason", "string"),
           ("app", "string"), ("metadata", "string")]
APP = "steward"


class SnapshotVote(BaseModel):
    voter: str
    space: str
    proposal: str
    choice: int
    reason: str = ""
    timestamp: int
    app: str = APP
    metadata: str = "{}"
    signature: str | None = None


def _types(proposal: str) -> dict:
    kind = "bytes32" if re.fullmatch(r"0x[0-9a-fA-F]{64}", proposal) else "string"
    return {"Vote": [{"name": name, "type": kind if name == "proposal" else type_}
                     for name, type_ in _FIELDS]}


def _message(vote: SnapshotVote) -> dict:
    proposal = vote.proposal
    if _types(proposal)["Vote"][3]["type"] == "bytes32":
        proposal = bytes.fromhex(proposal[2:])
    return {"from": Web3.to_checksum_address(vote.voter), "space": vote.space,
            "timestamp": vote.timestamp, "proposal": proposal, "choice": vote.choice,
            "reason": vote.reason, "app": vote.app, "metadata": vote.metadata}


def _check(vote: SnapshotVote) -> None:
    if not vote.space or len(vote.space) > 64:
        raise StewardError("a Snapshot space is a name such as 'stewarddao.eth' (1-64 chars)")
    if vote.choice < 1 or vote.choice >= 2**32:
        raise StewardError(f"a Snapshot choice counts from 1, not {vote.choice}")
    if len(vote.reason) > 10_000:
        raise StewardError("a Snapshot reason is at most 10,000 characters")


class SnapshotSigner:
    """Signs Snapshot votes for one account, and only those."""

    def __init__(self, account):
        self._account = account
        self.address = account.address

    def sign(self, space: str, proposal: str, choice: int, reason: str = "",
             timestamp: int | None = None) -> SnapshotVote:
        vote = SnapshotVote(voter=self.address, space=space, proposal=proposal, choice=choice,
                            reason=reason, timestamp=timestamp or int(time.time()))
        _check(vote)
        signed = self._account.sign_typed_data(DOMAIN, _types(proposal), _message(vote))
        return vote.model_copy(update={"signature": "0x" + bytes(signed.signature).hex()})


def recover(vote: SnapshotVote) -> str:
    if not vote.signature:
        raise StewardError("the vote carries no signature")
    message = encode_typed_data(DOMAIN, _types(vote.proposal), _message(vote))
    return Account.recover_message(message, signature=bytes.fromhex(vote.signature[2:]))


def verify(vote: SnapshotVote) -> bool:
    """Whether the vote was signed by the voter it names (what Snapshot's hub checks)."""
    try:
        return recover(vote).lower() == vote.voter.lower()
    except (StewardError, ValueError):
        return False


__all__ = ["DOMAIN", "SnapshotSigner", "SnapshotVote", "recover", "verify"]
