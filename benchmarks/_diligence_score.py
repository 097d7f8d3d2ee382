"""What the diligence benchmarks share: timed scans, scoring per category and overall, tables.

A token is labelled with the GoPlus-style capability fields it truly has (`CATEGORIES`) and
whether it is malicious. Per category: recall = labelled tokens whose report flags that field /
labelled tokens; precision = flagged tokens that are labelled / flagged tokens. Overall, token
level: recall = malicious tokens called danger / malicious tokens; precision = tokens called
danger that are malicious / tokens called danger; false positives = legitimate tokens called
danger; and the looser recall of "danger or caution". A scan that raises is a crash (target 0);
a token that could not be compiled or deployed is a setup failure, counted apart from crashes.
Scores are kept per split (the zoo has one; the real-world set has "dev" and "heldout").
"""

from __future__ import annotations

import statistics
import time
import traceback
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

# The capability fields the benchmarks score (the list).
CATEGORIES = (
    "is_honeypot", "sell_tax", "buy_tax", "cannot_sell_all", "is_mintable", "hidden_owner",
    "owner_change_balance", "is_blacklisted", "transfer_pausable", "trading_cooldown",
    "slippage_modifiable", "is_proxy", "can_take_back_ownership", "is_anti_whale",
    "owner_can_move_holder_tokens", "owner_can_drain_pool",
)


@dataclass
class Scan:
    """One token's labels and what the scanner made of it."""

    name: str
    malicious: bool
    labels: set[str]
    split: str = "all"
    verdict: str | None = None  # None: crashed or not set up
    flagged: set[str] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)
    crash: str | None = None  # token_report raised: type and message
    setup_failure: str | None = None  # could not compile or deploy: never scanned
    reasons: list[str] = field(default_factory=list)  # the report's caution and danger reasons

    @property
    def scanned(self) -> bool:
        return self.verdict is not None


def scan(w3, chain, address: str, record: Scan, repeat: int, warm_up: bool) -> object | None:
    """Run `token_report` `repeat` times (after one untimed scan when `warm_up`), filling
    `record`; returns the last report, or None when it raised (a crash, with its traceback tail)."""
    from steward.diligence.token import token_report

    report = None
    try:
        if warm_up:
            token_report(w3, chain, address)
        for _ in range(repeat):
            began = time.perf_counter()
            report = token_report(w3, chain, address)
            record.seconds.append(time.perf_counter() - began)
    except Exception as exc:  # noqa: BLE001 — a crash is a measured outcome, not a benchmark failure
        where = traceback.extract_tb(exc.__traceback__)[-1]
        record.crash = f"{type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})"
        return None
    record.verdict, record.flagged = report.verdict, set(report.flagged())
    record.reasons = [f.reason for f in report.findings if f.severity != "info"]
    return report


def open_world(node: str, label: str, err: Console) -> list:
    """A fresh sandbox in a temporary home: embedded, or on two new anvil nodes (returned, for
    `close_world`). The zoo is part of every sandbox."""
    from _world import fresh_anvil_sandbox, fresh_sandbox

    if node == "embedded":
        fresh_sandbox(label, err)
        return []
    return fresh_anvil_sandbox(label, err)


def close_world(nodes: list) -> None:
    from steward.simulation import stop_idle_forks

    stop_idle_forks()
    for node in nodes:
        node.stop()


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


def category_scores(scans: list[Scan], categories=CATEGORIES) -> dict[str, dict]:
    """Per category: labelled/flagged/both counts, recall and precision (None when undefined)."""
    scanned = [s for s in scans if s.scanned]
    scores = {}
    for name in categories:
        labelled = sum(name in s.labels for s in scanned)
        flagged = sum(name in s.flagged for s in scanned)
        both = sum(name in s.labels and name in s.flagged for s in scanned)
        scores[name] = {"labelled": labelled, "flagged": flagged, "hits": both,
                        "recall": _ratio(both, labelled), "precision": _ratio(both, flagged)}
    return scores


def overall_scores(scans: list[Scan]) -> dict:
    scanned = [s for s in scans if s.scanned]
    malicious = [s for s in scanned if s.malicious]
    legit = [s for s in scanned if not s.malicious]
    danger = [s for s in scanned if s.verdict == "danger"]
    times = [t for s in scans for t in s.seconds]
    return {
        "tokens": len(scans), "scanned": len(scanned), "malicious": len(malicious),
        "legitimate": len(legit),
        "recall": _ratio(sum(s.verdict == "danger" for s in malicious), len(malicious)),
        "precision": _ratio(sum(s.malicious for s in danger), len(danger)),
        "false_positives": sum(s.verdict == "danger" for s in legit),
        "recall_danger_or_caution": _ratio(
            sum(s.verdict in ("danger", "caution") for s in malicious), len(malicious)),
        "legit_called_caution": sum(s.verdict == "caution" for s in legit),
        "scan_median_s": round(statistics.median(times), 3) if times else None,
        "scan_p90_s": round(percentile(times, 0.9), 3) if times else None,
        "crashes": sum(s.crash is not None for s in scans),
        "setup_failures": sum(s.setup_failure is not None for s in scans),
    }


def score(scans: list[Scan], splits: list[str]) -> dict:
    """{"overall": {split: ...}, "categories": {split: ...}} for each split and "all"."""
    groups = {split: [s for s in scans if s.split == split] for split in splits}
    if len(splits) > 1:
        groups["all"] = scans
    return {"overall": {k: overall_scores(v) for k, v in groups.items()},
            "categories": {k: category_scores(v) for k, v in groups.items()}}


def as_json(scans: list[Scan]) -> list[dict]:
    return [{"name": s.name, "split": s.split, "malicious": s.malicious,
             "labels": sorted(s.labels), "verdict": s.verdict, "flagged": sorted(s.flagged),
             "missed": sorted(s.labels - s.flagged) if s.scanned else [],
             "extra": sorted((s.flagged - s.labels) & set(CATEGORIES)) if s.scanned else [],
             "seconds": [round(t, 3) for t in s.seconds], "crash": s.crash, "reasons": s.reasons,
             "setup_failure": s.setup_failure} for s in scans]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def print_scores(console: Console, title: str, scores: dict) -> None:
    """Two tables: per category (recall/precision per split) and overall (per split)."""
    splits = list(scores["overall"])
    table = Table(title=f"{title}: per category")
    table.add_column("category")
    for split in splits:
        table.add_column(f"{split} recall", justify="right")
        table.add_column(f"{split} precision", justify="right")
    for name in CATEGORIES:
        cells = []
        for split in splits:
            c = scores["categories"][split][name]
            cells += [f"{_pct(c['recall'])} ({c['hits']}/{c['labelled']})",
                      f"{_pct(c['precision'])} ({c['hits']}/{c['flagged']})"]
        table.add_row(name, *cells)
    console.print(table)
    table = Table(title=f"{title}: overall")
    table.add_column("measure")
    for split in splits:
        table.add_column(split, justify="right")
    rows = [
        ("tokens (scanned)", lambda o: f"{o['tokens']} ({o['scanned']})"),
        ("malicious / legitimate", lambda o: f"{o['malicious']} / {o['legitimate']}"),
        ("recall (malicious → danger)", lambda o: _pct(o["recall"])),
        ("precision (danger → malicious)", lambda o: _pct(o["precision"])),
        ("legitimate called danger", lambda o: str(o["false_positives"])),
        ("recall (danger or caution)", lambda o: _pct(o["recall_danger_or_caution"])),
        ("legitimate called caution", lambda o: str(o["legit_called_caution"])),
        ("scan median", lambda o: _secs(o["scan_median_s"])),
        ("scan p90", lambda o: _secs(o["scan_p90_s"])),
        ("crashes", lambda o: str(o["crashes"])),
        ("setup failures", lambda o: str(o["setup_failures"])),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(scores["overall"][split]) for split in splits))
    console.print(table)


def print_tokens(console: Console, title: str, scans: list[Scan]) -> None:
    """One row per token: verdict, labels missed, fields flagged beyond the labels, problems."""
    table = Table(title=title)
    for column in ("token", "split", "malicious", "verdict", "missed labels", "extra flags",
                   "problem"):
        table.add_column(column)
    for s in scans:
        wrong = s.scanned and ((s.verdict == "danger") != s.malicious)
        verdict = s.verdict or "—"
        table.add_row(s.name, s.split, "yes" if s.malicious else "no",
                      f"[bold red]{verdict}[/]" if wrong else verdict,
                      ", ".join(sorted(s.labels - s.flagged)) if s.scanned else "",
                      ", ".join(sorted((s.flagged - s.labels) & set(CATEGORIES))),
                      s.crash or s.setup_failure or "")
    console.print(table)
