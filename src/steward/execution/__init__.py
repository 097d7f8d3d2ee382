"""Execution: the one door to signing.

`Executor.execute(plan, verdict)` is the only code in Steward that signs a transaction, and it
signs only a plan the guard judged: the verdict must be sealed by the guard, name exactly this
plan, and be an allow or a confirm a person approved. Inside, under a per-wallet lock, every
limit (per transaction, daily, per chain, per token) is re-checked from the journal and the
mandate as they are then (so two processes cannot both spend the last of any limit).
It checks that the plan is affordable before the first signature, holds a per-(chain, address) lock from choosing the
nonce until the transaction is broadcast (so two processes never reuse a nonce), waits for each
receipt, decodes reverts, and records everything in the journal. If a step fails it stops and
reports what was done and what was not.

On a chain where the wallet is a guarded account (`steward.accounts`), the plan is not signed by
the wallet's key: the whole plan goes as one atomic `execute(calls, nonce)` batch to the account,
signed by the wallet's agent key, and the account's on-chain policy judges it again; a batch the
policy refuses is caught by the gas estimate, with the contract's reason, before anything is
signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from eth_account.signers.local import LocalAccount
from filelock import FileLock
from web3 import HTTPProvider, Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError

from steward.accounts import contract as guarded
from steward.accounts.store import AccountRecord, guarded_account, implementation, unlock_agent
from steward.chains import ChainConfig, chain_config, connect
from steward.chains.embedded import persist as persist_blocks
from steward.errors import InsufficientFundsError, StewardError, TransactionFailed
from steward.failpoints import failpoint
from steward.journal import Journal, JournalEntry
from steward.guard import GuardRefusal, Verdict, authorize
from steward.guard.spending import limits_at_signing, over_limits
from steward.home import home_path
from steward.plans import Call, Plan
from steward.simulation.reverts import revert_text
from steward.units import format_units
from steward.wallets import WalletStore

GAS_MARGIN_NUM, GAS_MARGIN_DEN = 6, 5  # 20% over the estimate
RECEIPT_TIMEOUT_SECONDS = 120
GUARD_GAS_HINT = 120_000  # what the account's own checks may add to a batch


@dataclass
class StepResult:
    description: str
    tx_hash: str
    status: str
    gas_used: int
    fee_wei: int
    block_number: int
    contract_address: str | None = None


@dataclass
class PlanResult:
    plan: Plan
    steps: list[StepResult] = field(default_factory=list)

    @property
    def tx_hashes(self) -> list[str]:
        return [step.tx_hash for step in self.steps]


class PlanFailed(TransactionFailed):
    """A step failed; `done` holds the steps that landed before it."""

    def __init__(self, message: str, done: list[StepResult], remaining: list[Call]):
        super().__init__(message)
        self.done, self.remaining = done, remaining


def spend_lock(address: str) -> FileLock:
    return FileLock(str(home_path("locks", f"spend-{address.lower()}.lock")), thread_local=False)


def budget_lock(wallet: str) -> FileLock:
    """One wallet's shared daily budget: its EVM and Solana keys sign in turn."""
    return FileLock(str(home_path("locks", f"budget-{wallet}.lock")), thread_local=False)


def nonce_lock(chain_id: int, address: str) -> FileLock:
    return FileLock(str(home_path("locks", f"nonce-{chain_id}-{address.lower()}.lock")),
                    thread_local=False)


def revert_reason(exc: Exception) -> str:
    """The human part of a node's revert or RPC error: the revert data decoded where the error
    carries it (Error(string), Panic(uint256) with its meaning, custom errors by name and
    arguments; web3's ContractPanicError and ContractCustomError carry it as `data`)."""
    return revert_text(exc)


class Fees(NamedTuple):
    """What a transaction offers per gas. EIP-1559: `max_fee` caps base fee plus tip, `tip` is
    the priority fee. Legacy (a chain whose blocks have no base fee): `max_fee` is the gas
    price and `tip` the same."""

    max_fee: int
    tip: int
    legacy: bool = False

    def fields(self) -> dict[str, int]:
        """The transaction's fee fields."""
        if self.legacy:
            return {"gasPrice": self.max_fee}
        return {"maxFeePerGas": self.max_fee, "maxPriorityFeePerGas": self.tip}


def fee_caps(w3: Web3) -> Fees:
    """The fees to offer, from the node: the tip it suggests (`eth_maxPriorityFeePerGas`, or
    web3's estimate from `eth_feeHistory` where that method is missing) and twice the latest
    base fee on top; on a chain without EIP-1559 (no `baseFeePerGas` in the latest block) the
    node's `eth_gasPrice`, sent as a legacy transaction."""
    base_fee = w3.eth.get_block("latest").get("baseFeePerGas")
    if base_fee is None:
        price = w3.eth.gas_price
        return Fees(price, price, legacy=True)
    tip = w3.eth.max_priority_fee
    return Fees(2 * base_fee + tip, tip)


def fees_and_balance(w3: Web3, address: str) -> tuple[Fees, int]:
    """`fee_caps` and the native balance of `address`. Over HTTP the three reads go in one
    JSON-RPC batch (the signing path's time is mostly round trips); a node that refuses the
    batch, or has no EIP-1559 fees, is asked one call at a time, so its errors surface there."""
    if isinstance(w3.provider, HTTPProvider):
        try:
            with w3.batch_requests() as batch:
                batch.add(w3.eth.get_block("latest"))
                batch.add(w3.eth.get_balance(address))
                batch.add(w3.eth._max_priority_fee())
                block, balance, tip = batch.execute()
        except Exception:  # noqa: BLE001 — asked again below, one call at a time
            pass
        else:
            base_fee = block.get("baseFeePerGas")
            if base_fee is not None:
                return Fees(2 * base_fee + tip, tip), balance
    return fee_caps(w3), w3.eth.get_balance(address)


def check_affordable(w3: Web3, chain: ChainConfig, plan: Plan, max_fee: int,
                     held: int | None = None) -> None:
    """The native coin for every call's value plus gas, checked before the first signature
    (`held`: the sender's balance when the caller already read it)."""
    needed = sum(call.value + call.gas_hint * max_fee for call in plan.calls)
    if held is None:
        held = w3.eth.get_balance(plan.sender)
    if held < needed:
        raise InsufficientFundsError(
            f"{plan.sender} has {format_units(held, 18)} {chain.native_symbol} on {chain.name} "
            f"but this needs up to {format_units(needed, 18)} {chain.native_symbol} "
            "including gas; nothing was signed"
        )


def _pays_agent_gas(plan: Plan, record: AccountRecord) -> bool:
    """The one plan a guarded address signs with its own (owner's) key: a plain coin payment to
    its agent key, which cannot pay for a batch that would fund itself."""
    return (len(plan.calls) == 1 and plan.calls[0].to is not None
            and Web3.to_checksum_address(plan.calls[0].to) == record.agent
            and plan.calls[0].data in ("", "0x"))


class _KeyOnDemand:
    """A wallet's key that is decrypted when something is first signed with it."""

    def __init__(self, store: WalletStore, wallet: str, passphrase: str):
        self.address = store.get(wallet).address
        self._unlock = lambda: store.unlock(wallet, passphrase)

    def sign_transaction(self, tx: dict):
        return self._unlock().sign_transaction(tx)

    def sign_authorization(self, authorization: dict):
        return self._unlock().sign_authorization(authorization)


class Executor:
    """Signs and sends plans for one account. Construct it, then call `execute`."""

    def __init__(self, account: LocalAccount, wallet_name: str, journal: Journal | None = None,
                 agent: LocalAccount | None = None, solana_key=None):
        """`agent`: the wallet's agent key, needed on chains where the wallet is a guarded
        account (`steward.accounts.store.unlock_agent`). `solana_key`: a callable that unlocks
        the wallet's Solana key (`Executor.unlock` passes one), needed on Solana chains."""
        self._account = account
        self._agent = agent
        self._solana_key = solana_key
        self.wallet_name = wallet_name
        self.address = account.address
        self.journal = journal or Journal()
        self._nonce_locks: dict[tuple[int, str], FileLock] = {}

    @classmethod
    def unlock(cls, wallet: str, passphrase: str, store: WalletStore | None = None) -> "Executor":
        """The executor of a wallet of this home: its key, and its agent key when it has one."""
        store = store or WalletStore()
        agent = unlock_agent(wallet, passphrase)
        solana_key = lambda: store.unlock_solana(wallet, passphrase)  # noqa: E731 (on first use)
        if agent is None:
            return cls(store.unlock(wallet, passphrase), wallet, solana_key=solana_key)
        # The agent key took the passphrase; the owner's key (a second scrypt decryption, about
        # a second at the standard cost) only if a plan on a plain chain needs it.
        return cls(_KeyOnDemand(store, wallet, passphrase), wallet, agent=agent,
                   solana_key=solana_key)

    def execute(self, plan: Plan, verdict: Verdict) -> PlanResult:
        authorize(plan, verdict)
        chain = chain_config(plan.chain)
        with budget_lock(self.wallet_name):
            if chain.family == "solana":
                return self._execute_solana(chain, plan, verdict)
            return self._execute_evm(plan, verdict)

    def _execute_solana(self, chain: ChainConfig, plan: Plan, verdict: Verdict) -> PlanResult:
        if self._solana_key is None:
            raise StewardError(f"wallet {self.wallet_name}'s Solana key was not unlocked "
                               "(use Executor.unlock); nothing was signed")
        from steward.execution.solana import send_solana_plan  # solders only for Solana plans

        keypair = self._solana_key()
        with spend_lock(plan.sender):
            self._recheck_limits(verdict, plan.sender)
            self.journal.mark_verdict(verdict.id, "executing", verdict.approved_by,
                                      calls=len(plan.calls), plan_digest=verdict.plan_digest)
            try:
                step = send_solana_plan(self.journal, self.wallet_name, chain, plan, keypair,
                                        verdict.id)
            except BaseException:
                self.journal.settle_verdict(verdict.id)
                raise
            self.journal.mark_verdict(verdict.id, "executed")
            return PlanResult(plan, [step])

    def _execute_evm(self, plan: Plan, verdict: Verdict) -> PlanResult:
        sender = Web3.to_checksum_address(plan.sender)
        if sender != self.address:
            # A wallet's deployed guarded account spends for it too (on its own chain).
            record = guarded_account(self.wallet_name, plan.chain)
            if record is None or record.address != sender:
                raise StewardError(f"the plan is for {plan.sender}, not wallet {self.wallet_name}")
        with spend_lock(sender):
            self._recheck_limits(verdict, sender)
            self.journal.mark_verdict(verdict.id, "executing", verdict.approved_by,
                                      calls=len(plan.calls), plan_digest=verdict.plan_digest)
            try:
                result = self._execute(plan, verdict.id)
            except BaseException:
                # failed (counted) if anything landed or may land; aborted if nothing did
                self.journal.settle_verdict(verdict.id)
                raise
            self.journal.mark_verdict(verdict.id, "executed")
            return result

    def _recheck_limits(self, verdict: Verdict, sender: str) -> None:
        """Every limit again, under the spend lock, from the journal as it is now and the
        stricter of the verdict's limits and the wallet's mandate now: processes judged
        side by side, each within a limit, cannot together exceed it."""
        try:
            limits = limits_at_signing(verdict.wallet, verdict.chain, verdict.limits,
                                       verdict.mandate_source, verdict.outflows)
        except StewardError as exc:
            raise GuardRefusal(f"the mandate could not be read at signing ({exc}); "
                               "nothing was signed") from None
        exceeded = over_limits(self.journal, sender, verdict.chain, verdict.usd_outflow,
                               verdict.outflows, limits, wallet=self.wallet_name)
        if exceeded:
            raise GuardRefusal("refused at signing: " + "; ".join(m for _, m in exceeded)
                               + "; nothing was signed")

    def _execute(self, plan: Plan, verdict_id: str | None = None) -> PlanResult:
        chain = chain_config(plan.chain)
        w3 = connect(chain)
        record = guarded_account(self.wallet_name, chain.name)
        if (record is not None and record.address == Web3.to_checksum_address(plan.sender)
                and not _pays_agent_gas(plan, record)):
            return self._execute_guarded(w3, chain, plan, record, verdict_id)
        # One fee quote per plan: twice the base fee leaves room for several blocks of increases.
        fees, held = fees_and_balance(w3, plan.sender)
        check_affordable(w3, chain, plan, fees.max_fee, held)
        result = PlanResult(plan)
        for index, call in enumerate(plan.calls):
            try:
                result.steps.append(self._send(w3, chain, call, fees, verdict_id))
            except TransactionFailed as exc:
                if index == 0:
                    raise
                raise PlanFailed(
                    f"step {index + 1} of {len(plan.calls)} ({call.description}) failed: {exc}",
                    result.steps, plan.calls[index:],
                ) from None
        return result

    def administer(self, chain_name: str, call: Call, *,
                   delegate_to: str | None = None) -> StepResult:
        """The owner's administration of the wallet's guarded account, signed by the wallet's
        own key: creating a `GuardedAccount` (the shared EIP-7702 implementation, or a deployed
        account), delegating the wallet's address to the implementation (`delegate_to`, which
        must hold GuardedAccount's code), and calls of an account this wallet owns to its policy
        functions only (initialize, policy changes, schedule, pause; never `owner_call`). None
        carries value: money moves only through `execute` with a verdict. Anything else is
        refused before signing."""
        chain = chain_config(chain_name)
        w3 = connect(chain)
        if call.value:
            raise StewardError("administering a guarded account moves no value; nothing was signed")
        if call.to is None:
            if not guarded.is_account_creation(call.data):
                raise StewardError("only a GuardedAccount may be created this way; nothing was "
                                   "signed")
        elif delegate_to is not None:
            known = implementation(chain.name, chain.chain_id)
            if (Web3.to_checksum_address(call.to) != self.address or known is None
                    or known.address != Web3.to_checksum_address(delegate_to)
                    or guarded.code_hash(w3, delegate_to) != known.code_hash):
                raise StewardError("the wallet's address may delegate only to the GuardedAccount "
                                   "implementation Steward deployed on this chain, unchanged; "
                                   "nothing was signed")
        elif guarded.owner_of(w3, call.to) != self.address:
            raise StewardError(f"{call.to} is not a guarded account of wallet "
                               f"{self.wallet_name}; nothing was signed")
        if call.to is not None and not guarded.is_admin_call(call.data):
            raise StewardError("administration calls only the account's policy functions ("
                               + ", ".join(guarded.ADMIN_FUNCTIONS) + "); nothing was signed")
        fees, held = fees_and_balance(w3, self.address)
        check_affordable(w3, chain, Plan(chain=chain.name, sender=self.address, calls=[call],
                                         summary=call.description), fees.max_fee, held)
        with spend_lock(self.address):
            step = self._send(w3, chain, call, fees, delegate_to=delegate_to)
        return step

    def _execute_guarded(self, w3: Web3, chain: ChainConfig, plan: Plan, record: AccountRecord,
                         verdict_id: str | None) -> PlanResult:
        """The plan as one batch through the guarded account, signed by the agent key (which
        pays the gas; the account pays the value)."""
        agent = self._agent
        if agent is None or agent.address != record.agent:
            raise StewardError(f"wallet {self.wallet_name} is a guarded account on {chain.name}; "
                               "its agent key is needed to sign and was not unlocked; nothing "
                               "was signed")
        batch_nonce = guarded.at(w3, record.address).functions.nonce().call()
        try:
            data = guarded.execute_data(plan.calls, batch_nonce)
        except StewardError as exc:
            raise TransactionFailed(str(exc)) from None
        value = sum(call.value for call in plan.calls)
        held = w3.eth.get_balance(record.address)
        if held < value:
            raise InsufficientFundsError(
                f"the guarded account {record.address} has {format_units(held, 18)} "
                f"{chain.native_symbol} on {chain.name} but the plan sends "
                f"{format_units(value, 18)}; nothing was signed")
        batch = Call(to=record.address, data="0x" + data.hex(),
                     description=f"guarded batch: {plan.summary}",
                     gas_hint=sum(call.gas_hint for call in plan.calls) + GUARD_GAS_HINT)
        fees, gas_money = fees_and_balance(w3, agent.address)
        if gas_money < batch.gas_hint * fees.max_fee:
            raise InsufficientFundsError(
                f"the agent key {agent.address} has {format_units(gas_money, 18)} "
                f"{chain.native_symbol} on {chain.name} for gas but this may need "
                f"{format_units(batch.gas_hint * fees.max_fee, 18)}; the owner tops it up with "
                f"`steward account fund --chain {chain.name}`; nothing was signed")
        with spend_lock(agent.address):
            step = self._send(w3, chain, batch, fees, verdict_id, signer=agent)
        return PlanResult(plan, [step])

    def _send(self, w3: Web3, chain: ChainConfig, call: Call, fees: Fees,
              verdict_id: str | None = None, signer: LocalAccount | None = None,
              delegate_to: str | None = None) -> StepResult:
        """Sign and send one call. `delegate_to`: an EIP-7702 type-4 transaction in which the
        signer's own address delegates to that code (only `administer` asks for it)."""
        signer = signer or self._account
        chain_id = chain.chain_id
        tx: dict = {"from": signer.address, "value": call.value, "data": call.data,
                    "chainId": chain_id}
        if call.to is not None:
            tx["to"] = call.to
        lock_key = (chain_id, signer.address)
        if lock_key not in self._nonce_locks:
            self._nonce_locks[lock_key] = nonce_lock(chain_id, signer.address)
        with self._nonce_locks[lock_key]:
            nonce = w3.eth.get_transaction_count(signer.address, "pending")
            if delegate_to is not None:
                # The sender's nonce is bumped before authorizations are processed: nonce + 1.
                tx["authorizationList"] = [signer.sign_authorization(
                    {"chainId": chain_id, "address": delegate_to, "nonce": nonce + 1})]
            try:
                gas = w3.eth.estimate_gas(tx)
            except (ContractLogicError, Web3RPCError) as exc:
                raise TransactionFailed(
                    f"{call.description} would revert: {revert_reason(exc)}; nothing was signed"
                ) from None
            tx.update(gas=gas * GAS_MARGIN_NUM // GAS_MARGIN_DEN, **fees.fields(), nonce=nonce)
            if delegate_to is not None:
                tx["type"] = 4
            del tx["from"]
            signed = signer.sign_transaction(tx)
            tx_hash = "0x" + signed.hash.hex().removeprefix("0x")
            entry = self.journal.record_pending(
                chain=chain.name, chain_id=chain_id, wallet=self.wallet_name, sender=signer.address,
                to=call.to, purpose=call.description, tx_hash=tx_hash, nonce=tx["nonce"],
                value_wei=call.value, verdict_id=verdict_id,
            )
            failpoint("after_journal_pending")
            try:
                w3.eth.send_raw_transaction(signed.raw_transaction)
            except Exception as exc:
                reason = revert_reason(exc)
                self.journal.record_outcome(entry, status="failed", error=reason)
                raise TransactionFailed(f"{call.description} was rejected by the node: {reason}") from None
            failpoint("after_broadcast")
        try:
            receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_SECONDS)
        except TimeExhausted:
            # The journal keeps it as pending: it may still be mined, so it must not be resent.
            raise TransactionFailed(
                f"{call.description} was sent as {tx_hash} but had no receipt after "
                f"{RECEIPT_TIMEOUT_SECONDS} s; it may still land (see `steward log`)"
            ) from None
        fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
        # The journal never says a transaction landed before the chain holds it durably.
        persist_blocks(w3)
        if receipt["status"] != 1:
            reason = self._replay_reason(w3, tx | {"from": signer.address}, receipt["blockNumber"])
            self.journal.record_outcome(entry, status="reverted", gas_used=receipt["gasUsed"],
                                        fee_wei=fee, block_number=receipt["blockNumber"], error=reason)
            raise TransactionFailed(f"{call.description} reverted on-chain ({tx_hash}): {reason}")
        self.journal.record_outcome(entry, status="success", gas_used=receipt["gasUsed"],
                                    fee_wei=fee, block_number=receipt["blockNumber"])
        failpoint("after_journal_success")
        return StepResult(call.description, tx_hash, "success", receipt["gasUsed"], fee,
                          receipt["blockNumber"], receipt.get("contractAddress"))

    def _replay_reason(self, w3: Web3, tx: dict, block_number: int) -> str:
        replay = {k: tx[k] for k in ("to", "data", "value", "from") if k in tx}
        try:
            w3.eth.call(replay, block_number - 1)
        except Exception as exc:
            return revert_reason(exc)
        return "reverted; replaying it did not reproduce a reason (out of gas or a state change)"


__all__ = [
    "Executor",
    "Journal",
    "JournalEntry",
    "PlanFailed",
    "PlanResult",
    "StepResult",
    "check_affordable",
    "revert_reason",
]
