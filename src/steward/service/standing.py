"""Standing orders for every face: the orders file, dry runs, the worker, decisions, the peg
history and strategies, as Pydantic models (the CLI, the API and the dashboard share them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Callable

from pydantic import BaseModel

from steward.service.errors import ServiceError, translated


class OrderOut(BaseModel):
    id: str
    kind: str
    summary: str
    enabled: bool


class OrdersOut(BaseModel):
    wallet: str
    source: str
    exists: bool
    orders: list[OrderOut]
    webhook: bool


class DecisionOut(BaseModel):
    at: datetime
    wallet: str
    order_id: str
    outcome: str
    reason: str
    numbers: dict[str, Any] = {}
    proposal_id: str | None = None


class StrategyOut(BaseModel):
    kind: str
    title: str
    reasoning: list[str]
    numbers: dict[str, Any] = {}
    toml: str = ""


class PegPointOut(BaseModel):
    at: datetime
    price: float | None
    problem: str | None
    sources: list[dict[str, Any]]


def _wallet_name(wallet: str | None) -> str:
    from steward.wallets import WalletStore

    return WalletStore().resolve(wallet)


def _decision_out(record) -> DecisionOut:
    return DecisionOut(at=datetime.fromtimestamp(record.at, UTC), wallet=record.wallet,
                       order_id=record.order_id, outcome=record.outcome, reason=record.reason,
                       numbers=record.numbers, proposal_id=record.proposal_id)


@translated
def list_orders(wallet: str | None = None) -> OrdersOut:
    """The wallet's standing orders, checked strictly (an invalid file is an error)."""
    from steward.chains.config import load_config
    from steward.standing import orders

    name = _wallet_name(wallet)
    path = orders.orders_path(name)
    found = orders.load_orders(name, load_config())
    return OrdersOut(wallet=name, source=str(path), exists=path.exists(), webhook=bool(
        found.alerts.webhook_url), orders=[OrderOut(id=o.id, kind=o.kind,
                                                     summary=orders.describe(o),
                                                     enabled=o.enabled) for o in found.orders])


@translated
def write_sample_orders(wallet: str | None = None, overwrite: bool = False) -> str:
    from steward.standing import orders

    name = _wallet_name(wallet)
    path = orders.orders_path(name)
    if path.exists() and not overwrite:
        raise ServiceError("invalid_input", f"{path} exists; pass --force to replace it")
    return str(orders.write_sample_orders(name, overwrite=overwrite))


@translated
def dry_run(wallet: str | None = None) -> list[DecisionOut]:
    """What each order would do now and why, with the guard's word on each action; nothing is
    claimed, proposed, signed or recorded."""
    from steward.standing.store import Store
    from steward.standing.worker import Worker

    name = _wallet_name(wallet)
    worker = Worker([name], dry_run=True, store=Store())
    return [_decision_out(record) for record in worker.tick()]


@translated
def run_worker(*, wallets: list[str] | None, interval: int, passphrase: str | None,
               ticks: int | None = None,
               notify: Callable[[DecisionOut], None] = lambda decision: None) -> int:
    """`steward run`: tick until SIGTERM (or `ticks`); returns the number of ticks."""
    from steward.service.proposals import default_relayer
    from steward.standing.worker import Worker

    names = [_wallet_name(w) for w in wallets] if wallets else None
    worker = Worker(names, interval=interval, passphrase=passphrase,
                    relayer=default_relayer(),
                    notify=lambda record: notify(_decision_out(record)))
    return worker.run(ticks=ticks)


@translated
def decisions(wallet: str | None = None, *, limit: int = 50, since: datetime | None = None,
              outcome: str | None = None) -> list[DecisionOut]:
    """The worker's decisions, newest first."""
    from steward.standing.store import OUTCOMES, Store

    if outcome is not None and outcome not in OUTCOMES:
        raise ServiceError("invalid_input", f"unknown outcome {outcome!r}; valid: "
                                            f"{', '.join(OUTCOMES)}")
    name = _wallet_name(wallet) if wallet else None
    start = int(since.timestamp()) if since else 0
    found = Store().decisions(name, since=start, limit=limit,
                              outcomes=(outcome,) if outcome else None)
    return [_decision_out(record) for record in found]


@translated
def peg_history(symbol: str, *, since: datetime | None = None,
                limit: int = 5000) -> list[PegPointOut]:
    """A stablecoin's observed peg, oldest first."""
    from steward.standing.store import Store

    store = Store()
    symbol = symbol.upper()
    known = store.symbols()
    if symbol not in known:
        raise ServiceError("unknown_name", f"no peg history for {symbol!r}; observed: "
                                           f"{', '.join(known) or 'none yet (run steward run)'}")
    start = int(since.timestamp()) if since else 0
    points = store.observations(symbol, since=start)[-limit:]
    return [PegPointOut(at=datetime.fromtimestamp(o.at, UTC),
                        price=None if o.price is None else float(o.price), problem=o.problem,
                        sources=o.sources) for o in points]


@translated
def strategies(wallet: str | None = None) -> list[StrategyOut]:
    """Changes to the standing orders worth making, with reasons and numbers, sized within the
    mandate; nothing is proposed."""
    from steward.standing.strategies import recommend

    return [StrategyOut(kind=r.kind, title=r.title, reasoning=r.reasoning, numbers=r.numbers,
                        toml=r.toml) for r in recommend(_wallet_name(wallet))]


@translated
def observed_symbols() -> list[str]:
    from steward.standing.store import Store

    return Store().symbols()


__all__ = ["DecisionOut", "OrderOut", "OrdersOut", "PegPointOut", "decisions", "dry_run",
           "StrategyOut", "list_orders", "observed_symbols", "peg_history", "run_worker", "strategies",
           "write_sample_orders"]
