"""Signing for tests: the owner, the agent and thieves acting on guarded accounts straight
through web3.py (Steward itself signs only in `steward.execution`); and the mandate limits
tests set before an upgrade."""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3

from steward import contracts
from steward.accounts.contract import NAME, NATIVE, Policy, change_hash, initialize_data, at, \
    setter_data
from steward.errors import TransactionFailed
from steward.simulation.reverts import revert_text


def _fees(w3: Web3) -> dict[str, int]:
    base = w3.eth.get_block("latest").get("baseFeePerGas")
    if base is None:
        return {"gasPrice": w3.eth.gas_price}
    tip = w3.eth.max_priority_fee
    return {"maxFeePerGas": 2 * base + tip, "maxPriorityFeePerGas": tip}


def send(w3: Web3, signer: LocalAccount, to: str | None, data: bytes, value: int = 0,
         authorizations: list | None = None, what: str = "transaction") -> dict:
    """Sign and send one transaction, wait for it; a revert raises with its decoded reason."""
    tx: dict[str, Any] = {"from": signer.address, "value": value, "data": data,
                          "chainId": w3.eth.chain_id}
    if to is not None:
        tx["to"] = to_checksum_address(to)
    if authorizations:
        tx["authorizationList"] = authorizations
    try:
        gas = w3.eth.estimate_gas(tx)
    except Exception as exc:  # noqa: BLE001 — the node's reason, decoded
        raise TransactionFailed(f"{what} would revert: {revert_text(exc)}; nothing was signed") from None
    tx.update(gas=gas * 6 // 5 + (25_000 * len(authorizations or [])), **_fees(w3),
              nonce=w3.eth.get_transaction_count(signer.address, "pending"))
    if authorizations:
        tx["type"] = 4
    del tx["from"]
    signed = signer.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
    if receipt["status"] != 1:
        raise TransactionFailed(f"{what} reverted on chain ({tx_hash.hex()})")
    return dict(receipt)


def deploy_implementation(w3: Web3, deployer: LocalAccount) -> str:
    """The shared EIP-7702 implementation (no owner: only a delegating address can claim it)."""
    receipt = send(w3, deployer, None, contracts.initcode(NAME, NATIVE),
                   what="deploying the guarded account implementation")
    return to_checksum_address(receipt["contractAddress"])


def upgrade_in_place(w3: Web3, owner: LocalAccount, implementation: str, agent: str,
                     policy: Policy) -> dict:
    """EIP-7702: `owner`'s address delegates to `implementation` and initializes `policy`, in
    one type-4 transaction the owner sends to itself."""
    nonce = w3.eth.get_transaction_count(owner.address, "pending")
    # The sender's own nonce is bumped before authorizations are processed: sign for nonce + 1.
    authorization = owner.sign_authorization(
        {"chainId": w3.eth.chain_id, "address": to_checksum_address(implementation),
         "nonce": nonce + 1})
    return send(w3, owner, owner.address, initialize_data(agent, policy),
                authorizations=[authorization], what="upgrading the address to a guarded account")


def deploy_account(w3: Web3, owner: LocalAccount, agent: str, policy: Policy) -> str:
    """A guarded account contract of its own, owned by `owner`, initialized with `policy`."""
    receipt = send(w3, owner, None, contracts.initcode(NAME, owner.address),
                   what="deploying a guarded account")
    address = to_checksum_address(receipt["contractAddress"])
    send(w3, owner, address, initialize_data(agent, policy),
         what="initializing the guarded account")
    return address


def owner_change(w3: Web3, owner: LocalAccount, account: str, function: str, *args: Any) -> dict:
    """Apply a policy setter as the owner (a loosening one must have been scheduled and its
    delay passed; the contract says so otherwise)."""
    return send(w3, owner, account, setter_data(function, *args), what=f"{function} on the account")


def schedule_change(w3: Web3, owner: LocalAccount, account: str, function: str,
                    *args: Any) -> int:
    """Start the timelock for a loosening setter call; returns when it may be applied."""
    digest = change_hash(setter_data(function, *args))
    send(w3, owner, account, setter_data("schedule", digest), what="scheduling a policy change")
    return at(w3, account).functions.scheduled(digest).call()


def set_limits(wallet: str, per_transaction_usd: int, daily_usd: int, per_token: str) -> None:
    """Write `wallet`'s default mandate with these limits (`per_token`: a TOML inline table)."""
    from steward.guard.mandate import mandate_path, write_default_mandate

    path = write_default_mandate(wallet, overwrite=True)
    text = (path.read_text()
            .replace("per_transaction_usd = 1000", f"per_transaction_usd = {per_transaction_usd}")
            .replace("daily_usd = 5000", f"daily_usd = {daily_usd}")
            .replace("per_token_daily = {}", f"per_token_daily = {per_token}"))
    assert f"daily_usd = {daily_usd}" in text and per_token in text
    mandate_path(wallet).write_text(text)


class DevAccountWorld:
    """What a contract test's world on the embedded sandbox-l1 shares (a dataclass with `w3`):
    acting as a development account, and reading and moving the chain's clock."""

    w3: Web3

    def act(self, who: int, contract, function: str, *args) -> dict:
        """Send `function(*args)` to `contract` as development account `who`; a revert raises
        TransactionFailed with the contract's reason."""
        from steward.chains.embedded import dev_account

        data = contract.encode_abi(function, args=list(args))
        return send(self.w3, dev_account(who), contract.address, data, what=function)

    def now(self) -> int:
        return max(self.w3.eth.get_block("latest")["timestamp"], int(time.time()))

    def pass_time_to(self, timestamp: int) -> None:
        """Mine a block at or after `timestamp`, so the next transaction runs after it."""
        from steward.chains.config import load_config
        from steward.sandbox import market as sandbox_market

        if self.w3.eth.get_block("latest")["timestamp"] < timestamp:
            sandbox_market.advance_time(load_config().chain("sandbox-l1"),
                                        max(1, timestamp - self.now() + 1))
        assert self.w3.eth.get_block("latest")["timestamp"] >= timestamp


def logs(contract, receipt: dict) -> list[tuple[str, dict]]:
    """Every event `contract` emitted in `receipt`, in order, as (name, args)."""
    from web3.logs import DISCARD

    found = []
    for event in (entry["name"] for entry in contract.abi if entry["type"] == "event"):
        for log in getattr(contract.events, event)().process_receipt(receipt, errors=DISCARD):
            if log.address == contract.address:
                found.append((log.logIndex, event, dict(log.args)))
    return [(name, args) for _, name, args in sorted(found)]


def refused(reason: str, world: DevAccountWorld, who: int, contract, function: str, *args):
    """`function(*args)` sent as development account `who` is refused with `reason`."""
    import pytest

    with pytest.raises(TransactionFailed) as caught:
        world.act(who, contract, function, *args)
    assert f"would revert: {reason};" in str(caught.value), str(caught.value)
