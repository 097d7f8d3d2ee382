"""`steward run`: the worker that keeps standing orders, tick after tick, within the mandate.

Each tick:
1. settles the firings still open from earlier ticks (or from a process that died): a proposal a
   person has since approved is executed, one that was rejected or expired is closed;
2. reads the peg of every stablecoin an order watches (`signals.read_peg`) and stores it;
3. scores the coins' relative risk;
4. asks each order what it would do now (`evaluate.decide`); an action claims its period in the
   store *first* (at most one firing per order and period, whatever crashes), then goes through
   the proposal queue exactly as a person's request does: planned, simulated, judged by the
   guard; allowed → signed; the mandate says confirm → waits for a person (`steward approve`,
   the dashboard); denied → blocked and reported, never signed.
Every outcome is a decision in the store with its reason and numbers; alerts also go to the
optional webhook.

Stopping: SIGTERM or SIGINT lets the current tick finish (an action being signed completes and
is recorded) and then exits; a SIGKILL mid-action is settled at the next start by
`proposals.recovery.reconcile` (journal ⇄ chain, then proposals) and the firing rows.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from datetime import UTC, datetime
from typing import Callable

from steward import chains as chain_registry
from steward import proposals
from steward.chains.config import ChainConfig, load_config
from steward.errors import StewardError
from steward.standing import evaluate, orders as orders_file
from steward.standing.evaluate import Action, Skip, View
from steward.standing.store import OPEN_FIRINGS, DecisionRecord, Firing, Store

log = logging.getLogger("steward.standing")
# Skips repeat every tick; the same outcome and reason are recorded again at most this often.
REPEAT_SECONDS = 3600
Notify = Callable[[DecisionRecord], None]


class Worker:
    def __init__(self, wallets: list[str] | None = None, *, interval: int = 60,
                 passphrase: str | None = None, relayer=None, notify: Notify | None = None,
                 dry_run: bool = False, store: Store | None = None):
        self.wallets = wallets
        self.interval = interval
        self.passphrase = passphrase
        self.relayer = relayer
        self.notify = notify or (lambda decision: None)
        self.dry_run = dry_run
        self.store = store or Store()
        self._powers: dict[tuple[str, str], dict[str, bool]] = {}
        self.last_now = 0

    # --- the loop --------------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None, ticks: int | None = None) -> int:
        """Tick every `interval` seconds until SIGTERM/SIGINT (or `stop`, or `ticks` ticks);
        returns the number of ticks."""
        stop = stop or threading.Event()
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, lambda *_: stop.set())
        count = 0
        try:
            self.recover()
            while not stop.is_set() and (ticks is None or count < ticks):
                try:
                    self.tick()
                except Exception as exc:  # one bad tick (a node down) must not stop the worker
                    self._tick_failed(exc)
                count += 1
                if ticks is None or count < ticks:
                    stop.wait(self.interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return count

    def _tick_failed(self, exc: Exception) -> None:
        log.warning("steward run: a tick failed (%s)", type(exc).__name__, exc_info=True)
        # A StewardError says what was wrong; anything else is a bug or a lost connection,
        # named by its type only (its text may hold internals).
        message = str(exc) if isinstance(exc, StewardError) else type(exc).__name__
        self._record("*", "*", "alert", f"the tick failed, nothing was done: {message}; the "
                                        "next tick tries again", int(time.time()))

    def recover(self) -> None:
        """What a crash left: the journal and proposals settled from the chains."""
        from steward.proposals.recovery import reconcile

        reconcile()

    def tick(self, now: int | None = None) -> list[DecisionRecord]:
        config = load_config()
        wallets = self.wallets if self.wallets is not None else orders_file.wallets_with_orders()
        files, made = {}, []
        for wallet in wallets:
            try:
                files[wallet] = orders_file.load_orders(wallet, config)
            except StewardError as exc:
                made += self._record(wallet, "*", "alert", f"the orders file cannot be used: "
                                                           f"{exc}", now or int(time.time()))
        chains = _evm_chains(config)
        try:
            if now is None:
                from steward.standing.signals import chain_now

                now = chain_now(chains)
            self.last_now = now
            if not self.dry_run:
                made += self._settle_open(now)
            pegs, scores = self._measure(files, chains, now)
            for wallet, found in files.items():
                made += self._wallet(wallet, found, config, pegs, scores, now)
        finally:
            chain_registry.end_all_sessions()
        return made

    # --- measuring -------------------------------------------------------------------------
    def _measure(self, files, chains: list[ChainConfig], now: int):
        from steward.standing.facts import load_facts
        from steward.standing.risk import issuer_powers, risk_score
        from steward.standing.signals import read_peg

        symbols = sorted({symbol for found in files.values() for order in found.orders
                          if order.enabled for symbol in _watched(order)})
        facts = load_facts()
        pegs, scores = {}, {}
        today = datetime.fromtimestamp(now, UTC).date()
        for symbol in symbols:
            holding = [chain for chain in chains if symbol in chain.tokens]
            pegs[symbol] = reading = read_peg(symbol, holding, now, facts=facts)
            self.store.record_observation(reading)
            powers = self._issuer_powers(symbol, holding, issuer_powers)
            scores[symbol] = risk_score(reading, facts, powers, today)
        return pegs, scores

    def _issuer_powers(self, symbol: str, chains: list[ChainConfig], read) -> dict[str, bool]:
        if not chains:
            return {}
        key = (chains[0].name, symbol)
        if key not in self._powers:
            try:
                self._powers[key] = read(symbol, chains[0])
            except StewardError:
                self._powers[key] = {}
        return self._powers[key]

    # --- one wallet ------------------------------------------------------------------------
    def _wallet(self, wallet, found, config, pegs, scores, now) -> list[DecisionRecord]:
        reader = _Reader(config, wallet)
        view = View(wallet=wallet, now=now, store=self.store, interval=self.interval,
                    pegs=pegs, scores=scores, balance=reader.balance, decimals=reader.decimals,
                    usd_value=reader.usd_value)
        made = []
        for order in found.orders:
            if not order.enabled:
                continue
            try:
                decision = evaluate.decide(order, view)
            except StewardError as exc:
                decision = Skip(order.id, f"could not be evaluated: {exc}", "alert")
            if isinstance(decision, Skip):
                made += self._record(wallet, order.id, decision.outcome, decision.reason, now,
                                     decision.numbers, webhook=found.alerts.webhook_url,
                                     key=decision.key)
            elif self.dry_run:
                made += self._record(wallet, order.id, "dry-run",
                                     f"would: {decision.reason}{_judged(decision, wallet)}",
                                     now, decision.numbers | {"intent": decision.intent},
                                     force=True)
            else:
                made += self._act(wallet, decision, now, found.alerts.webhook_url)
        return made

    def _act(self, wallet: str, action: Action, now: int, webhook) -> list[DecisionRecord]:
        firing = self.store.claim(wallet, action.order_id, action.period, now, action.intent,
                                  action.usd)
        if firing is None:  # another worker (or an earlier life of this one) has the period
            return []
        try:
            proposal = proposals.propose(intent=action.intent, wallet=wallet,
                                         origin=f"standing order {action.order_id} "
                                                f"(steward run)")
        except StewardError as exc:
            self.store.update_firing(firing, "failed", message=str(exc))
            return self._record(wallet, action.order_id, "failed", f"{action.reason} — could not "
                                f"be planned: {exc}", now, action.numbers, webhook=webhook,
                                force=True)
        self.store.update_firing(firing, "proposed", proposal_id=proposal.id)
        return self._follow(firing, proposal, now, action.reason, action.numbers, webhook)

    def _follow(self, firing: Firing, proposal, now: int, reason: str, numbers: dict,
                webhook=None) -> list[DecisionRecord]:
        """Carry a firing's proposal as far as it can go now."""
        wallet, order_id = firing.wallet, firing.order_id
        numbers = numbers | {"proposal": proposal.id}
        status = proposal.status
        if status in ("allowed", "approved"):
            if not self.passphrase:
                self.store.update_firing(firing, "waiting", message="no passphrase to sign")
                return self._record(wallet, order_id, "waiting", f"{reason} — allowed, but the "
                                    "worker has no passphrase to sign with", now, numbers,
                                    proposal.id, webhook=webhook, force=True)
            try:
                proposal = proposals.execute_proposal(proposal.id, self.passphrase,
                                                      relayer=self.relayer)
            except StewardError as exc:
                proposal = proposals.get_proposal(proposal.id)
                if proposal.status in ("allowed", "approved", "pending"):
                    self.store.update_firing(firing, "failed", message=str(exc))
                    return self._record(wallet, order_id, "failed", f"{reason} — {exc}", now,
                                        numbers, proposal.id, webhook=webhook, force=True)
            status = proposal.status
        if status == "executed":
            self.store.update_firing(firing, "executed", message=proposal.message)
            hashes = [h for step in proposal.steps for h in step.tx_hashes]
            return self._record(wallet, order_id, "acted", reason, now,
                                numbers | {"tx": hashes}, proposal.id, force=True)
        if status == "pending":
            if firing.status == "waiting":
                return []
            self.store.update_firing(firing, "waiting")
            return self._record(wallet, order_id, "waiting", f"{reason} — the mandate asks a "
                                f"person first: `steward approve {proposal.id}` or the "
                                "dashboard", now, numbers, proposal.id, webhook=webhook,
                                force=True)
        if status == "denied":
            self.store.update_firing(firing, "blocked", message=proposal.message)
            return self._record(wallet, order_id, "blocked", f"{reason} — blocked: "
                                f"{proposal.message}", now, numbers, proposal.id,
                                webhook=webhook, force=True)
        if status in ("needs_clarification", "answered"):
            why = proposal.question or "it planned no transaction"
            self.store.update_firing(firing, "failed", message=why)
            return self._record(wallet, order_id, "failed", f"{reason} — {why}", now, numbers,
                                proposal.id, webhook=webhook, force=True)
        if status in ("stale", "failed"):
            # Nothing of it landed: the period is given back and tried again next tick.
            self.store.release(firing)
            return self._record(wallet, order_id, "failed", f"{reason} — {status}: "
                                f"{proposal.message}; will try again", now, numbers,
                                proposal.id, webhook=webhook, key=f"{status}: {reason}")
        final = {"rejected": "rejected", "expired": "expired", "partial": "partial",
                 "tampered": "failed"}.get(status)
        if final:
            self.store.update_firing(firing, final, message=proposal.message)
            outcome = "skipped" if final in ("rejected", "expired") else "failed"
            return self._record(wallet, order_id, outcome, f"{reason} — {status}: "
                                f"{proposal.message or 'a person did not approve it in time'}",
                                now, numbers, proposal.id, webhook=webhook, force=True)
        return []  # executing in another process: looked at again next tick

    def _settle_open(self, now: int) -> list[DecisionRecord]:
        made = []
        for firing in self.store.firings(statuses=OPEN_FIRINGS):
            if self.wallets is not None and firing.wallet not in self.wallets:
                continue
            if firing.proposal_id is None:
                # The worker died between claiming and proposing: nothing was proposed.
                self.store.release(firing)
                continue
            try:
                proposal = proposals.get_proposal(firing.proposal_id)
            except StewardError:
                self.store.release(firing)
                continue
            if proposal.status == "pending" and firing.status == "waiting":
                continue
            made += self._follow(firing, proposal, now, _intent_text(firing.intent), {})
        return made

    # --- recording -------------------------------------------------------------------------
    def _record(self, wallet: str, order_id: str, outcome: str, reason: str, now: int,
                numbers: dict | None = None, proposal_id: str | None = None, *,
                webhook: str | None = None, force: bool = False,
                key: str | None = None) -> list[DecisionRecord]:
        """Record a decision, unless it repeats the order's last outcome and key (the reason,
        or the kind of skip whose numbers move every tick) within REPEAT_SECONDS. A dry run
        records nothing: it only says what it would do."""
        if self.dry_run:
            return [DecisionRecord(at=now, wallet=wallet, order_id=order_id, outcome=outcome,
                                   reason=reason, numbers=numbers or {},
                                   proposal_id=proposal_id)]
        key = key or reason
        last = self.store.get_state(wallet, order_id, "last", {})
        recent = now - last.get("at", -REPEAT_SECONDS) < REPEAT_SECONDS
        if not force and recent and (last.get("outcome"), last.get("key")) == (outcome, key):
            return []
        self.store.set_state(wallet, order_id, "last", {"outcome": outcome, "key": key, "at": now})
        decision = self.store.record_decision(DecisionRecord(
            at=now, wallet=wallet, order_id=order_id, outcome=outcome, reason=reason,
            numbers=numbers or {}, proposal_id=proposal_id))
        self.notify(decision)
        if webhook and outcome in ("alert", "blocked", "waiting", "failed", "acted"):
            from steward.standing.alerts import post_webhook

            post_webhook(webhook, decision)
        return [decision]


class _Reader:
    """Balances, decimals and trusted USD values for one wallet, read once per tick."""

    def __init__(self, config, wallet: str):
        from steward.wallets import WalletStore

        self.config = config
        self.address = WalletStore().get(wallet).address
        self._prices: dict[str, object] = {}

    def _chain(self, name: str) -> ChainConfig:
        return self.config.chain(name)

    def _token(self, chain: ChainConfig, symbol: str) -> str | None:
        return None if symbol == chain.native_symbol else chain.tokens[symbol]

    def balance(self, chain_name: str, symbol: str) -> int:
        """What the wallet can spend on the chain: its guarded account's balance where it has
        one (that is what plans spend from), else its own."""
        from steward.accounts.store import acting_address
        from steward.protocols import erc20

        chain = self._chain(chain_name)
        w3 = chain_registry.connect(chain)
        token = self._token(chain, symbol)
        holder = acting_address(self.address, chain.name)
        return w3.eth.get_balance(holder) if token is None else \
            erc20.balance_of(w3, token, holder)

    def decimals(self, chain_name: str, symbol: str) -> int:
        from steward.protocols import erc20

        chain = self._chain(chain_name)
        token = self._token(chain, symbol)
        if token is None:
            return 18
        recorded = chain.recorded_decimals(token)
        return recorded if recorded is not None else \
            erc20.token_info(chain_registry.connect(chain), token).decimals

    def usd_value(self, chain_name: str, symbol: str, amount: int) -> int | None:
        from steward.protocols.pricing import PriceSource

        chain = self._chain(chain_name)
        if chain_name not in self._prices:
            self._prices[chain_name] = PriceSource(chain_registry.connect(chain), chain)
        return self._prices[chain_name].usdc_value(self._token(chain, symbol), amount)


def _judged(action: Action, wallet: str) -> str:
    """What the guard would say about the action now (simulated, nothing stored or signed)."""
    from steward.fulfilment import fulfil

    try:
        report = fulfil(json.dumps(action.intent, sort_keys=True), wallet, lambda outcome: False,
                        dry_run=True, intent=proposals.parse_intent(action.intent))
    except StewardError as exc:
        return f"; it could not be planned now: {exc}"
    if report.clarification is not None:
        return f"; Steward would ask: {report.clarification.question}"
    verdicts = [step.verdict for step in report.steps if step.verdict is not None]
    if not verdicts:
        return ""
    worst = max(verdicts, key=lambda v: {"allow": 0, "confirm": 1, "deny": 2}[v.decision])
    said = {"allow": "the mandate allows it", "confirm": "the mandate would ask a person first",
            "deny": "the mandate would block it"}[worst.decision]
    return f"; {said} ({worst.explanation})"


def _watched(order) -> list[str]:
    if order.kind == "risk":
        return [order.token, order.into]
    if order.kind == "mix":
        return list(order.tokens)
    return []


def _evm_chains(config) -> list[ChainConfig]:
    return [chain for chain in config.chains.values() if chain.family == "evm"]


def _intent_text(intent: dict) -> str:
    amount = intent.get("amount", {}).get("value", "")
    if intent.get("action") == "swap":
        return f"swap {amount} {intent['token_in']} into {intent['token_out']} on {intent['chain']}"
    if intent.get("action") == "bridge":
        return f"bridge {amount} {intent['token']} from {intent['chain']} to {intent['to_chain']}"
    return str(intent)
