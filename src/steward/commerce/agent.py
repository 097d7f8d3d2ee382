"""An agent that trades with agents: its own wallet, its owner's mandate, and the guard.

`Agent` plays any of three roles in a job on the JobEscrow:

* client: proposes a signed offer (or accepts a provider's counter-offer), then opens the job
  (createJob) and funds it (setBudget, approve, fund); claims a refund after expiry; rates the
  provider in Reputation once the job is final; or joins an AlliancePool with other clients;
* provider: judges an offer against its own mandate and price, accepts or counter-offers, checks
  the funded job matches what was agreed, does the work (`steward.commerce.work`), publishes the
  deliverable and submits its hash;
* evaluator: fetches the deliverable by the hash the escrow holds, verifies it against the spec
  from scratch, then completes (payout) or rejects (refund).

Every on-chain step is a `steward.planning.Plan` judged by `steward.guard.review` under the
wallet's mandate and signed only by `steward.execution.Executor.execute`: the one door. An agent
has no person at hand, so a verdict that asks for confirmation is a refusal unless the agent
was given an `approver`. The owner's `[commerce]` mandate is applied to offers before anything
is signed: an offer over budget, with a counterparty, token or provider reputation the mandate
does not allow, raises `OutsideMandate` and leaves the nonce book and the chain untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from pydantic import BaseModel
from web3.logs import DISCARD

from steward.commerce.errors import CommerceError, JobMismatch, OutsideMandate
from steward.commerce.mandate import CommerceMandate, load_commerce_mandate
from steward.commerce.market import Job, Market, checksum
from steward.commerce.offers import (
    Offer,
    OfferBook,
    SignedOffer,
    check_counter,
    offer_digest,
    sign_offer,
)
from steward.commerce.work import Deliverable, Spec, fetch, publish, solve, verify
from steward.execution import Executor, PlanResult
from steward.guard import GuardRefusal, Verdict, approve, review
from steward.guard.mandate import usd_text
from steward.plans import Call, Plan
from steward.protocols import erc20
from steward.units import format_units
from steward.wallets import WalletStore, read_passphrase

DEFAULT_EVALUATOR_FEE_BPS = 100
DEFAULT_JOB_SECONDS = 3600
DEFAULT_OFFER_SECONDS = 600


class AgentCard(BaseModel):
    """What agents tell each other about themselves."""

    name: str
    address: str
    agent_id: int | None = None


class MarketEvent(BaseModel):
    """One step on the timeline; `phase` and `gas_used` are set for on-chain steps."""

    actor: str
    action: str
    detail: str
    job_id: int | None = None
    pool_id: int | None = None
    phase: str | None = None
    tx_hash: str | None = None
    gas_used: int | None = None


EventSink = Callable[[MarketEvent], None]


def reason_hash(text: str) -> str:
    return "0x" + keccak(text.encode()).hex()


def _bytes32(hex_text: str) -> bytes:
    return bytes.fromhex(hex_text[2:])


def run_guarded(executor: Executor, chain: str, calls: list[Call], summary: str, *,
                approver: Callable[[Verdict], bool] | None = None) -> PlanResult:
    """One plan of an agent's wallet: judged by the guard under the wallet's mandate, a confirm
    put to `approver` (none: refused), then signed through the executor. Every agent (commerce,
    the data market) acts through here."""
    wallet, sender = executor.wallet_name, executor.address
    plan = Plan(chain=chain, sender=sender, calls=calls, summary=summary)
    verdict = review(plan, wallet, own_wallets={wallet: sender})
    if verdict.decision == "deny":
        raise GuardRefusal(f"{wallet}: the guard refused '{summary}': "
                           + "; ".join(r.message for r in verdict.reasons)
                           + "; nothing was signed")
    if verdict.decision == "confirm":
        if approver is None or not approver(verdict):
            raise GuardRefusal(f"{wallet}: '{summary}' needs a person's approval ("
                               + "; ".join(r.message for r in verdict.reasons)
                               + ") and this agent has no approver; nothing was signed")
        verdict = approve(verdict, by=f"approver of agent {wallet}")
    return executor.execute(plan, verdict)


def token_symbol(wallet: str, market: Market, token: str) -> str:
    """The registry's symbol for `token`; a token the registry lacks cannot be valued."""
    symbol = market.symbol_of(token)
    if symbol is None:
        raise OutsideMandate(f"{wallet}: token {token} is not in the {market.chain.name} "
                             "registry, so its value cannot be judged; nothing was signed")
    return symbol


def check_counterparty(wallet: str, mandate: CommerceMandate, role: str, address: str) -> None:
    if not mandate.counterparty_allowed(address):
        raise OutsideMandate(f"{wallet}: the {role} {address} is not among the "
                             "counterparties its mandate allows; nothing was signed")


def check_token(wallet: str, mandate: CommerceMandate, market: Market, token: str) -> None:
    symbol = token_symbol(wallet, market, token)
    if not mandate.token_allowed(symbol):
        raise OutsideMandate(f"{wallet}: its mandate does not allow payment in {symbol} "
                             f"(allowed: {mandate._list(mandate.tokens)}); nothing was signed")


def check_budget(wallet: str, mandate: CommerceMandate, market: Market, token: str, amount: int,
                 what: str) -> None:
    """`amount` of `token` against the `[commerce]` caps: per token, and in USD by the pools."""
    symbol = token_symbol(wallet, market, token)
    info = erc20.token_info(market.w3, token)
    shown = f"{format_units(amount, info.decimals)} {symbol}"
    cap = mandate.token_cap(symbol, info.decimals)
    if cap is not None and amount > cap:
        raise OutsideMandate(f"{wallet}: {what} of {shown} is above its mandate's "
                             f"{format_units(cap, info.decimals)} {symbol} per job; "
                             "nothing was signed")
    usd = market.usd_value(token, amount)
    if usd is None:
        raise OutsideMandate(f"{wallet}: no pool prices {symbol}, so {what} of {shown} "
                             "cannot be held to the mandate's USD budget; nothing was signed")
    if usd > mandate.max_budget_usd:
        raise OutsideMandate(f"{wallet}: {what} of {shown} (≈ {usd_text(usd)}) is above "
                             f"its mandate's {usd_text(mandate.max_budget_usd)} per job; "
                             "nothing was signed")


class Agent:
    def __init__(self, wallet: str, account: LocalAccount, mandate: CommerceMandate,
                 market: Market | None = None, *, agent_id: int | None = None,
                 asking_price: int | None = None,
                 approver: Callable[[Verdict], bool] | None = None,
                 on_event: EventSink | None = None):
        self.wallet = wallet
        self._account = account
        self.address = account.address
        self.mandate = mandate
        self.market = market or Market()
        self.agent_id = agent_id
        # A provider's price for a job, in the token's base units; below it, it counter-offers.
        self.asking_price = asking_price
        self.approver = approver
        self.on_event = on_event or (lambda event: None)
        self.offers = OfferBook()
        self.executor = Executor(account, wallet)

    @classmethod
    def from_wallet(cls, wallet: str, passphrase: str | None = None, *,
                    store: WalletStore | None = None, **kwargs) -> "Agent":
        """An agent for a wallet of this Steward home, with the `[commerce]` table of its
        mandate file."""
        store = store or WalletStore()
        account = store.unlock(wallet, passphrase if passphrase is not None else read_passphrase())
        return cls(wallet, account, load_commerce_mandate(wallet), **kwargs)

    @property
    def card(self) -> AgentCard:
        return AgentCard(name=self.wallet, address=self.address, agent_id=self.agent_id)

    def _emit(self, action: str, detail: str, **extra) -> None:
        self.on_event(MarketEvent(actor=self.wallet, action=action, detail=detail, **extra))

    # ---- the one door --------------------------------------------------------------------------
    def _call(self, contract: str, abi_name: str, function: str, *args, description: str,
              gas_hint: int = 250_000) -> Call:
        data = erc20.encode(self.market.w3, contract, abi_name, function, *args)
        return Call(to=contract, data=data, description=description, gas_hint=gas_hint)

    def _run(self, calls: list[Call], phases: list[str], summary: str, **extra) -> PlanResult:
        """Judge the plan under the wallet's mandate and sign it through the executor."""
        result = run_guarded(self.executor, self.market.chain.name, calls, summary,
                             approver=self.approver)
        for phase, step in zip(phases, result.steps):
            self._emit(phase, step.description, phase=phase, tx_hash=step.tx_hash,
                       gas_used=step.gas_used, **extra)
        return result

    # ---- identity ------------------------------------------------------------------------------
    def register(self, uri: str) -> int:
        registry = self.market.addresses["registry"]
        result = self._run([self._call(registry, "AgentRegistry", "register", uri,
                                       description=f"register agent {self.wallet}")],
                           ["register"], f"register {self.wallet} in the agent registry")
        self.agent_id = self.market.event("registry", "Registered", result.steps[0].tx_hash).agentId
        self._emit("registered", f"agent #{self.agent_id} ({uri})")
        return self.agent_id

    # ---- mandate -------------------------------------------------------------------------------
    def _token_symbol(self, token: str) -> str:
        return token_symbol(self.wallet, self.market, token)

    def _check_parties(self, offer: Offer, counterparty: str) -> None:
        for role, address in (("counterparty", counterparty), ("evaluator", offer.evaluator)):
            check_counterparty(self.wallet, self.mandate, role, address)
        check_token(self.wallet, self.mandate, self.market, offer.token)

    def _check_budget(self, token: str, amount: int, what: str) -> None:
        check_budget(self.wallet, self.mandate, self.market, token, amount, what)

    def _check_hire(self, offer: Offer, provider: AgentCard) -> None:
        """The client's mandate over a deal: parties, token, budget, the provider's standing."""
        if provider.address != offer.provider:
            raise CommerceError(f"the card is for {provider.address}, the offer for {offer.provider}")
        self._check_parties(offer, offer.provider)
        self._check_budget(offer.token, offer.price, "a price")
        standing = self.market.standing(provider.agent_id, provider.address)
        if not self.mandate.reputation_ok(standing.jobs, standing.average_x100):
            raise OutsideMandate(
                f"{self.wallet}: provider {provider.name} is {standing.describe()}; its mandate "
                f"needs {self.mandate.min_jobs}+ rated jobs and an average of "
                f"{self.mandate.min_reputation}+; nothing was signed")

    # ---- client: negotiation -------------------------------------------------------------------
    def propose(self, provider: AgentCard, evaluator: AgentCard, spec: Spec, token: str,
                price: int, *, evaluator_fee_bps: int = DEFAULT_EVALUATOR_FEE_BPS,
                job_seconds: int = DEFAULT_JOB_SECONDS,
                valid_seconds: int = DEFAULT_OFFER_SECONDS) -> SignedOffer:
        """A signed offer to `provider` (token by symbol, price in base units). For a pool job
        the pool's creator proposes as itself; the provider checks the pool on-chain."""
        now = self.market.now()
        offer = Offer(proposer=self.address, client=self.address, provider=provider.address,
                      evaluator=evaluator.address, token=self.market.token(token).address,
                      price=price, evaluator_fee_bps=evaluator_fee_bps, deadline=now + job_seconds,
                      spec_hash=spec.hash, expiry=now + valid_seconds, nonce=self.offers.used)
        self._check_hire(offer, provider)
        offer = offer.model_copy(update={"nonce": self.offers.next_nonce()})
        signed = sign_offer(offer, self._account, self.market.domain)
        self.offers.remember_own(signed)
        self._emit("offer", f"to {provider.name}: {spec.describe()} for "
                            f"{self._amount(offer.token, price)}, evaluator {evaluator.name}, "
                            f"job deadline in {job_seconds // 60} min, valid {valid_seconds // 60} min")
        return signed

    def respond(self, answer: SignedOffer, mine: SignedOffer, provider: AgentCard) -> Offer:
        """The agreed terms, when the provider accepted `mine` or sent an acceptable counter."""
        if answer == mine:
            return mine.offer
        counter = self.offers.check(answer, self.market.domain, self.market.now())
        check_counter(counter, mine.offer, self.market.domain)
        if counter.proposer != counter.provider:
            raise CommerceError("only the provider may counter this client's offer")
        self._check_hire(counter, provider)
        self._emit("accept", f"{provider.name}'s counter-offer of "
                             f"{self._amount(counter.token, counter.price)}")
        return counter

    def _amount(self, token: str, amount: int) -> str:
        info = erc20.token_info(self.market.w3, token)
        return f"{format_units(amount, info.decimals)} {info.symbol}"

    # ---- client: escrow ------------------------------------------------------------------------
    def open_job(self, agreed: Offer) -> int:
        """createJob with the agreed terms, then setBudget, approve and fund; returns the id."""
        if agreed.client != self.address:
            raise CommerceError(f"{self.wallet} is not the client of these terms")
        escrow = self.market.addresses["escrow"]
        result = self._run([self._call(escrow, "JobEscrow", "createJob", agreed.provider,
                                       agreed.evaluator, agreed.deadline, agreed.token,
                                       agreed.evaluator_fee_bps, _bytes32(agreed.spec_hash),
                                       description="create the job")],
                           ["createJob"], "create an escrowed job")
        job_id = self.market.event("escrow", "JobCreated", result.steps[0].tx_hash).jobId
        self.fund_job(job_id, agreed.price, agreed.token)
        return job_id

    def fund_job(self, job_id: int, budget: int, token: str) -> PlanResult:
        escrow = self.market.addresses["escrow"]
        info = erc20.token_info(self.market.w3, token)
        calls = [
            self._call(escrow, "JobEscrow", "setBudget", job_id, budget,
                       description=f"set job {job_id}'s budget"),
            erc20.approve_call(self.market.w3, info, escrow, budget,
                               f"approve the escrow for exactly {self._amount(token, budget)}"),
            self._call(escrow, "JobEscrow", "fund", job_id, description=f"fund job {job_id}"),
        ]
        return self._run(calls, ["setBudget", "approve", "fund"],
                         f"fund job {job_id} with {self._amount(token, budget)}", job_id=job_id)

    def claim_refund(self, job_id: int) -> int:
        """The budget back from an expired job (any non-final phase); returns the refund."""
        result = self._run([self._call(self.market.addresses["escrow"], "JobEscrow", "claimRefund",
                                       job_id, description=f"claim job {job_id}'s refund")],
                           ["claimRefund"], f"reclaim expired job {job_id}", job_id=job_id)
        return self.market.event("escrow", "JobRefunded", result.steps[0].tx_hash).refund

    def rate(self, job_id: int, provider: AgentCard, score: int, comment: str = "") -> None:
        if provider.agent_id is None:
            raise CommerceError(f"{provider.name} has no agent id to rate")
        self._run([self._call(self.market.addresses["reputation"], "Reputation", "giveFeedback",
                              provider.agent_id, job_id, score, _bytes32(reason_hash("job")),
                              _bytes32(reason_hash(comment)),
                              description=f"rate agent #{provider.agent_id} {score}/100")],
                  ["giveFeedback"], f"feedback on job {job_id}", job_id=job_id)

    # ---- provider ------------------------------------------------------------------------------
    def consider(self, signed: SignedOffer, client: AgentCard,
                 valid_seconds: int = DEFAULT_OFFER_SECONDS) -> SignedOffer:
        """Accept the offer as it is (returning it) or answer with a signed counter-offer at
        this agent's asking price. Forged, expired, replayed or out-of-mandate offers raise."""
        offer = self.offers.check(signed, self.market.domain, self.market.now())
        if offer.provider != self.address or offer.proposer != offer.client:
            raise CommerceError(f"{self.wallet} is not the provider this offer is for")
        self._check_parties(offer, offer.client)
        if self.asking_price is None or offer.price >= self.asking_price:
            self._emit("accept", f"{client.name}'s offer of {self._amount(offer.token, offer.price)}")
            return signed
        counter = offer.model_copy(update={
            "proposer": self.address, "price": self.asking_price,
            "expiry": self.market.now() + valid_seconds, "nonce": self.offers.next_nonce(),
            "previous": offer_digest(offer, self.market.domain)})
        answer = sign_offer(counter, self._account, self.market.domain)
        self.offers.remember_own(answer)
        self._emit("counter-offer", f"to {client.name}: {self._amount(offer.token, self.asking_price)}"
                                    f" instead of {self._amount(offer.token, offer.price)}")
        return answer

    def check_job(self, job_id: int, agreed: Offer, pool_id: int | None = None) -> Job:
        """The funded job on-chain must be exactly the agreed one (for a pool job, funded by
        the pool whose creator agreed)."""
        job = self.market.job(job_id)
        client = agreed.client
        if pool_id is not None:
            pool = self.market.pool_info(pool_id)
            if (pool.creator != agreed.client or pool.job_id != job_id
                    or pool.escrow != self.market.addresses["escrow"]):
                raise JobMismatch(f"pool {pool_id} did not fund job {job_id} for {agreed.client}")
            client = self.market.addresses["pool"]
        expected = {"client": client, "provider": agreed.provider, "evaluator": agreed.evaluator,
                    "token": agreed.token, "budget": agreed.price, "expires_at": agreed.deadline,
                    "evaluator_fee_bps": agreed.evaluator_fee_bps, "spec_hash": agreed.spec_hash,
                    "state": "Funded"}
        for key, value in expected.items():
            if getattr(job, key) != value:
                raise JobMismatch(f"job {job_id}: {key} is {getattr(job, key)}, agreed {value}")
        return job

    def deliver(self, job_id: int, spec: Spec, deliverable: Deliverable | None = None) -> Deliverable:
        """Do the work (or hand in `deliverable`), publish it and submit its hash."""
        job = self.market.job(job_id)
        if job.spec_hash != spec.hash:
            raise JobMismatch(f"job {job_id} is for spec {job.spec_hash}, not {spec.hash}")
        deliverable = deliverable or solve(spec)
        digest = publish(deliverable)
        self._emit("work", f"{spec.describe()} → {deliverable.describe()}", job_id=job_id)
        self._run([self._call(self.market.addresses["escrow"], "JobEscrow", "submit", job_id,
                              _bytes32(digest), description=f"submit job {job_id}'s deliverable")],
                  ["submit"], f"deliver job {job_id}", job_id=job_id)
        return deliverable

    # ---- evaluator -----------------------------------------------------------------------------
    def evaluate(self, job_id: int, spec: Spec) -> tuple[bool, str]:
        """Verify the submitted deliverable from scratch; complete or reject the job."""
        job = self.market.job(job_id)
        if job.evaluator != self.address:
            raise CommerceError(f"{self.wallet} is not job {job_id}'s evaluator")
        if job.state != "Submitted":
            raise CommerceError(f"job {job_id} is {job.state}; only a submitted job is evaluated")
        if job.spec_hash != spec.hash:
            accepted, reason = False, "the spec given to the evaluator is not the job's spec"
        else:
            try:
                accepted, reason = verify(spec, fetch(job.deliverable_hash))
            except CommerceError as missing:
                accepted, reason = False, str(missing)
        function, phase = ("complete", "complete") if accepted else ("reject", "reject")
        self._emit("verify", ("accepted: " if accepted else "refused: ") + reason, job_id=job_id)
        self._run([self._call(self.market.addresses["escrow"], "JobEscrow", function, job_id,
                              _bytes32(reason_hash(reason)),
                              description=f"{function} job {job_id}")],
                  [phase], f"{function} job {job_id}", job_id=job_id)
        return accepted, reason

    # ---- pools (temporary alliances of clients) ------------------------------------------------
    def create_pool(self, token: str, target: int, deadline_seconds: int = DEFAULT_JOB_SECONDS) -> int:
        info = self.market.token(token)
        self._check_parties_token(info.address)
        pool = self.market.addresses["pool"]
        result = self._run([self._call(pool, "AlliancePool", "createPool", info.address, target,
                                       self.market.now() + deadline_seconds,
                                       description="create an alliance pool")],
                           ["createPool"], f"create a pool for {self._amount(info.address, target)}")
        pool_id = self.market.event("pool", "PoolCreated", result.steps[0].tx_hash).poolId
        self._emit("pool", f"pool {pool_id} raising {self._amount(info.address, target)}",
                   pool_id=pool_id)
        return pool_id

    def _check_parties_token(self, token: str) -> None:
        symbol = self._token_symbol(token)
        if not self.mandate.token_allowed(symbol):
            raise OutsideMandate(f"{self.wallet}: its mandate does not allow {symbol}; "
                                 "nothing was signed")

    def contribute(self, pool_id: int, amount: int) -> None:
        """Approve exactly `amount` and contribute it; the share is held to the budget."""
        pool = self.market.pool_info(pool_id)
        if not self.mandate.counterparty_allowed(pool.creator) and pool.creator != self.address:
            raise OutsideMandate(f"{self.wallet}: the pool's creator {pool.creator} is not among "
                                 "the counterparties its mandate allows; nothing was signed")
        self._check_parties_token(pool.token)
        self._check_budget(pool.token, amount, "a contribution")
        address = self.market.addresses["pool"]
        info = erc20.token_info(self.market.w3, pool.token)
        self._run([erc20.approve_call(self.market.w3, info, address, amount,
                                      f"approve the pool for exactly {self._amount(pool.token, amount)}"),
                   self._call(address, "AlliancePool", "contribute", pool_id, amount,
                              description=f"contribute to pool {pool_id}")],
                  ["approve", "contribute"], f"contribute {self._amount(pool.token, amount)} "
                                             f"to pool {pool_id}", pool_id=pool_id)

    def fund_pool_job(self, pool_id: int, agreed: Offer) -> int:
        """As the pool's creator: turn the pool into the client of the agreed job."""
        pool = self.market.pool_info(pool_id)
        if pool.creator != self.address or agreed.client != self.address:
            raise CommerceError(f"{self.wallet} did not create pool {pool_id} or agree these terms")
        if pool.target != agreed.price or pool.token != agreed.token:
            raise CommerceError(f"pool {pool_id} raises {pool.target} of {pool.token}; the terms "
                                f"say {agreed.price} of {agreed.token}")
        address = self.market.addresses["pool"]
        result = self._run([self._call(address, "AlliancePool", "fundJob", pool_id,
                                       self.market.addresses["escrow"], agreed.provider,
                                       agreed.evaluator, agreed.deadline, agreed.evaluator_fee_bps,
                                       _bytes32(agreed.spec_hash), gas_hint=600_000,
                                       description=f"fund a job from pool {pool_id}")],
                           ["poolFundJob"], f"pool {pool_id} funds the agreed job", pool_id=pool_id)
        return self.market.event("pool", "PoolJobFunded", result.steps[0].tx_hash).jobId

    def pool_claim_refund(self, pool_id: int) -> None:
        self._run([self._call(self.market.addresses["pool"], "AlliancePool", "claimRefund", pool_id,
                              description=f"make pool {pool_id} reclaim its expired job")],
                  ["poolClaimRefund"], f"pool {pool_id} reclaims its job", pool_id=pool_id)

    def settle_pool(self, pool_id: int) -> dict[str, int]:
        """Pro-rata refunds to every contributor; returns address → amount."""
        result = self._run([self._call(self.market.addresses["pool"], "AlliancePool", "settle",
                                       pool_id, description=f"settle pool {pool_id}",
                                       gas_hint=400_000)],
                           ["settle"], f"settle pool {pool_id}", pool_id=pool_id)
        receipt = self.market.w3.eth.get_transaction_receipt(result.steps[0].tx_hash)
        refunds = self.market.pool.events.Refunded().process_receipt(receipt, errors=DISCARD)
        return {checksum(e.args.contributor): e.args.amount for e in refunds}


__all__ = ["Agent", "AgentCard", "MarketEvent", "reason_hash", "run_guarded"]
