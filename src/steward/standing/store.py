"""The worker's memory, in `<home>/always-on.sqlite`: peg observations, firings and decisions.

* **Observations**: one row per stablecoin per tick (the trusted peg price or why there is none,
  and every source beside it) — the peg history the debounce reads and the dashboard charts.
* **Firings**: an order's action for one period. The row is claimed (UNIQUE on wallet, order and
  period) *before* anything is proposed, so an order fires at most once per period however often
  the worker crashes and restarts; the row then follows the proposal (proposed → waiting →
  executed / blocked / failed / expired) and keeps the amount and its USD value, which is what the
  daily caps add up.
* **Decisions**: every outcome with its reason and the numbers behind it: acted, skipped,
  blocked (the mandate said no), waiting (for a person), failed, alert.

Writes are single statements in autocommit-style transactions with `synchronous=FULL`: a row
the worker relied on is on disk before it acts on it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from steward.home import home_path

Outcome = Literal["acted", "skipped", "blocked", "waiting", "failed", "alert", "dry-run"]
OUTCOMES: tuple[str, ...] = Outcome.__args__
# A firing in one of these still has a proposal that may be signed or is being settled.
OPEN_FIRINGS = ("claimed", "proposed", "waiting")
FINAL_FIRINGS = ("executed", "blocked", "failed", "expired", "rejected", "partial")

SCHEMA = """
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    symbol TEXT NOT NULL,
    price TEXT,            -- the trusted peg price as a fraction "n/d"; NULL: problem
    problem TEXT,
    depth_usd INTEGER NOT NULL DEFAULT 0,
    sources TEXT NOT NULL  -- JSON list of {kind, chain, label, usd, problem}
);
CREATE INDEX IF NOT EXISTS observations_by_symbol ON observations (symbol, at);
CREATE TABLE IF NOT EXISTS firings (
    wallet TEXT NOT NULL,
    order_id TEXT NOT NULL,
    period TEXT NOT NULL,
    day INTEGER NOT NULL,          -- UTC day number of the claim (for daily caps)
    claimed_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    proposal_id TEXT,
    intent TEXT NOT NULL,
    usd INTEGER NOT NULL DEFAULT 0,  -- usd micros the action moves (as planned)
    message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (wallet, order_id, period)
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    wallet TEXT NOT NULL,
    order_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    numbers TEXT NOT NULL,
    proposal_id TEXT
);
CREATE INDEX IF NOT EXISTS decisions_by_time ON decisions (at);
CREATE TABLE IF NOT EXISTS order_state (
    wallet TEXT NOT NULL,
    order_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (wallet, order_id, key)
);
"""

DAY = 86400


def fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def parse_fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


@dataclass
class Firing:
    wallet: str
    order_id: str
    period: str
    day: int
    claimed_at: int
    status: str
    proposal_id: str | None
    intent: dict
    usd: int
    message: str = ""


@dataclass
class DecisionRecord:
    at: int
    wallet: str
    order_id: str
    outcome: str
    reason: str
    numbers: dict[str, Any] = field(default_factory=dict)
    proposal_id: str | None = None
    id: int | None = None


@dataclass
class Observation:
    at: int
    symbol: str
    price: Fraction | None
    problem: str | None
    depth_usd: int
    sources: list[dict]


_local = threading.local()


class Store:
    def __init__(self, path=None):
        self.path = path or home_path("always-on.sqlite")

    @property
    def conn(self) -> sqlite3.Connection:
        cached = getattr(_local, "connections", {})
        conn = cached.get(str(self.path))
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(SCHEMA)
            cached[str(self.path)] = conn
            _local.connections = cached
        return conn

    # --- observations ----------------------------------------------------------------------
    def record_observation(self, reading) -> None:
        """A `signals.PegReading` as one row."""
        sources = [{"kind": s.kind, "chain": s.chain, "label": s.label,
                    "usd": None if s.usd is None else float(s.usd), "problem": s.problem}
                   for s in reading.sources]
        self.conn.execute(
            "INSERT INTO observations (at, symbol, price, problem, depth_usd, sources) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (reading.at, reading.symbol, fraction_text(reading.price), reading.problem,
             reading.depth_usd, json.dumps(sources)))

    def observations(self, symbol: str, since: int = 0, until: int | None = None,
                     limit: int = 100_000) -> list[Observation]:
        rows = self.conn.execute(
            "SELECT at, symbol, price, problem, depth_usd, sources FROM observations "
            "WHERE symbol=? AND at>=? AND at<=? ORDER BY at, id LIMIT ?",
            (symbol, since, until if until is not None else 2**62, limit)).fetchall()
        return [Observation(at, sym, parse_fraction(price), problem, depth, json.loads(sources))
                for at, sym, price, problem, depth, sources in rows]

    def history(self, symbol: str, since: int, until: int) -> list[tuple[int, Fraction | None]]:
        """(at, price or None when the reading had a problem), oldest first: what the debounce
        reads."""
        return [(o.at, o.price) for o in self.observations(symbol, since, until)]

    def symbols(self) -> list[str]:
        return [row[0] for row in self.conn.execute(
            "SELECT DISTINCT symbol FROM observations ORDER BY symbol")]

    # --- firings ---------------------------------------------------------------------------
    def claim(self, wallet: str, order_id: str, period: str, now: int, intent: dict,
              usd: int) -> Firing | None:
        """Claim the order's action for `period`; None when that period was already claimed."""
        try:
            self.conn.execute(
                "INSERT INTO firings (wallet, order_id, period, day, claimed_at, status, "
                "intent, usd) VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?)",
                (wallet, order_id, period, now // DAY, now, json.dumps(intent, sort_keys=True),
                 usd))
        except sqlite3.IntegrityError:
            return None
        return self.firing(wallet, order_id, period)

    def firing(self, wallet: str, order_id: str, period: str) -> Firing | None:
        row = self.conn.execute(
            "SELECT wallet, order_id, period, day, claimed_at, status, proposal_id, intent, usd, "
            "message FROM firings WHERE wallet=? AND order_id=? AND period=?",
            (wallet, order_id, period)).fetchone()
        return _firing(row) if row else None

    def update_firing(self, firing: Firing, status: str, *, proposal_id: str | None = None,
                      message: str = "") -> None:
        firing.status = status
        firing.proposal_id = proposal_id or firing.proposal_id
        firing.message = message or firing.message
        self.conn.execute(
            "UPDATE firings SET status=?, proposal_id=?, message=? "
            "WHERE wallet=? AND order_id=? AND period=?",
            (firing.status, firing.proposal_id, firing.message, firing.wallet, firing.order_id,
             firing.period))

    def release(self, firing: Firing) -> None:
        """Give a period back: nothing was proposed or nothing of it can land (a failed
        proposal), so the order may try again in the same period."""
        self.conn.execute("DELETE FROM firings WHERE wallet=? AND order_id=? AND period=?",
                          (firing.wallet, firing.order_id, firing.period))

    def firings(self, wallet: str | None = None, statuses: tuple[str, ...] | None = None,
                order_id: str | None = None) -> list[Firing]:
        where, args = _where(wallet=wallet, order_id=order_id, status=statuses)
        query = ("SELECT wallet, order_id, period, day, claimed_at, status, proposal_id, intent, "
                 f"usd, message FROM firings WHERE {where} ORDER BY claimed_at")
        return [_firing(row) for row in self.conn.execute(query, args)]

    def spent_on_day(self, wallet: str, order_id: str, day: int) -> int:
        """USD micros this order has claimed on UTC day `day` (claimed or landed: whatever may
        still be signed counts, so a cap holds while a proposal waits)."""
        row = self.conn.execute(
            "SELECT COALESCE(SUM(usd), 0) FROM firings WHERE wallet=? AND order_id=? AND day=? "
            "AND status NOT IN ('blocked', 'failed', 'expired', 'rejected')",
            (wallet, order_id, day)).fetchone()
        return int(row[0])

    def last_action_at(self, wallet: str, order_id: str) -> int | None:
        row = self.conn.execute(
            "SELECT MAX(claimed_at) FROM firings WHERE wallet=? AND order_id=? "
            "AND status NOT IN ('blocked', 'failed', 'expired', 'rejected')",
            (wallet, order_id)).fetchone()
        return row[0]

    # --- per-order state -------------------------------------------------------------------
    def get_state(self, wallet: str, order_id: str, key: str, default: Any = None) -> Any:
        row = self.conn.execute(
            "SELECT value FROM order_state WHERE wallet=? AND order_id=? AND key=?",
            (wallet, order_id, key)).fetchone()
        return json.loads(row[0]) if row else default

    def set_state(self, wallet: str, order_id: str, key: str, value: Any) -> None:
        self.conn.execute(
            "INSERT INTO order_state (wallet, order_id, key, value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (wallet, order_id, key) DO UPDATE SET value=excluded.value",
            (wallet, order_id, key, json.dumps(value)))

    # --- decisions -------------------------------------------------------------------------
    def record_decision(self, decision: DecisionRecord) -> DecisionRecord:
        cursor = self.conn.execute(
            "INSERT INTO decisions (at, wallet, order_id, outcome, reason, numbers, proposal_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (decision.at, decision.wallet, decision.order_id, decision.outcome, decision.reason,
             json.dumps(decision.numbers, sort_keys=True, default=str), decision.proposal_id))
        decision.id = cursor.lastrowid
        return decision

    def decisions(self, wallet: str | None = None, *, since: int = 0, limit: int = 200,
                  outcomes: tuple[str, ...] | None = None,
                  order_id: str | None = None) -> list[DecisionRecord]:
        """Newest first."""
        where, args = _where(wallet=wallet, order_id=order_id, outcome=outcomes)
        query = ("SELECT id, at, wallet, order_id, outcome, reason, numbers, proposal_id "
                 f"FROM decisions WHERE at>=? AND {where} ORDER BY at DESC, id DESC LIMIT ?")
        args = [since, *args, limit]
        return [DecisionRecord(id=row[0], at=row[1], wallet=row[2], order_id=row[3],
                               outcome=row[4], reason=row[5], numbers=json.loads(row[6]),
                               proposal_id=row[7])
                for row in self.conn.execute(query, args)]


def _where(**filters) -> tuple[str, list[Any]]:
    """SQL conditions for the given columns (a value: equal; a tuple: one of; None: any)."""
    parts, args = ["1=1"], []
    for column, value in filters.items():
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            parts.append(f"{column} IN ({', '.join('?' * len(value))})")
            args += list(value)
        else:
            parts.append(f"{column}=?")
            args.append(value)
    return " AND ".join(parts), args


def _firing(row) -> Firing:
    wallet, order_id, period, day, claimed_at, status, proposal_id, intent, usd, message = row
    return Firing(wallet, order_id, period, day, claimed_at, status, proposal_id,
                  json.loads(intent), usd, message)


def forget_connections() -> None:
    for conn in getattr(_local, "connections", {}).values():
        conn.close()
    _local.connections = {}
