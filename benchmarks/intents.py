"""Accuracy of the plain-language parser: exact intents, clarifications, and wrong actions.

Two sources, both parsed with `steward.intents.parser.parse(text, sandbox_context())`:

* the corpus `benchmarks/data/intents_corpus.jsonl` (built by `benchmarks/data/make_corpus.py`):
  each row is a request and the intent it must give, in the normal form of docs/intents.md, or
  `{"action": "clarify", "question_contains"?: ...}` for requests that must be asked about;
* the public dataset `../shared/datasets/requests-brian.jsonl` (relative to the repository
  root), mapped onto the sandbox: a row naming a chain Steward does not know, a token not in the
  context, or an address that is not a valid 0x address (ENS name, bad checksum) must give a
  clarification; otherwise the slots the row has (action, tokens, amount, address) must match.

Scores, per expected action and overall:

* exact: the result equals the expected intent (for a clarification: it is one, and its
  question contains `question_contains`, case-insensitively, when given);
* clarified instead: an intent was expected and Steward asked (a miss, but a safe one);
* wrong action: the result is an executable intent (anything but a clarification or a read-only
  balance/quote) that is not the expected one: Steward would have signed something other than
  what was meant. The target is 0.

Also the parse time per request over the corpus (median and p90, a few repetitions).

Run:  .venv/bin/python benchmarks/intents.py [--json] [--show-misses]
          [--corpus-only | --dataset-only] [--repeat N]

Exit code: 0 when the measurement completed (whatever the scores); 1 if the parser cannot be
imported; 2 if the corpus or the dataset cannot be read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "data" / "intents_corpus.jsonl"
DATASET = ROOT / ".." / "shared" / "datasets" / "requests-brian.jsonl"
READ_ONLY = {"clarify", "balance", "quote"}
ACTION_ORDER = ["transfer", "swap", "bridge", "wrap", "unwrap", "approve", "revoke", "balance",
                "quote", "sequence", "clarify"]


class InputError(Exception):
    """The corpus or the dataset cannot be read."""


# ------------------------------------------------------------------ scoring
@dataclass
class Outcome:
    text: str
    expected_action: str
    expected: Any  # a dict (as written) for the report
    got: Any  # a dict, or the error text
    exact: bool
    clarified_instead: bool
    wrong_action: bool
    error: bool = False


@dataclass
class Tally:
    n: int = 0
    exact: int = 0
    clarified_instead: int = 0
    wrong_action: int = 0
    errors: int = 0
    misses: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.n += 1
        self.exact += o.exact
        self.clarified_instead += o.clarified_instead
        self.wrong_action += o.wrong_action
        self.errors += o.error
        if not o.exact:
            self.misses.append(o)

    def summary(self) -> dict:
        pct = (lambda k: round(100.0 * k / self.n, 1) if self.n else 0.0)
        return {"n": self.n, "exact_pct": pct(self.exact), "exact": self.exact,
                "clarified_instead_pct": pct(self.clarified_instead),
                "clarified_instead": self.clarified_instead,
                "wrong_action": self.wrong_action, "errors": self.errors}


def is_executable(result: Any) -> bool:
    """Would Steward go on to sign something for this result?"""
    action = getattr(result, "action", None)
    if action == "sequence":
        return any(step.action not in READ_ONLY for step in result.steps)
    return action not in READ_ONLY


def dump(result: Any) -> Any:
    return result.model_dump(mode="json") if hasattr(result, "model_dump") else result


def run_parse(parse, text: str, context) -> tuple[Any, bool]:
    """(result, errored): a parser exception counts as a miss, never as a wrong action."""
    try:
        return parse(text, context), False
    except Exception as exc:  # noqa: BLE001 - a measurement: record and go on
        return f"{type(exc).__name__}: {exc}", True


# ------------------------------------------------------------------ corpus
def load_jsonl(path: Path, what: str) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the {what} {path}: {exc.strerror or exc}") from exc
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc})") from exc
    if not rows:
        raise InputError(f"the {what} {path} is empty")
    return rows


def load_corpus(path: Path) -> list[tuple[str, Any, dict]]:
    """(text, expected model or None for a clarification, expected as written)."""
    from steward.intents import ParseResult

    adapter = TypeAdapter(ParseResult)
    cases = []
    for number, row in enumerate(load_jsonl(path, "corpus"), 1):
        try:
            text, expected = row["text"], row["expected"]
        except (KeyError, TypeError) as exc:
            raise InputError(f"{path}: row {number} lacks 'text' or 'expected'") from exc
        if expected.get("action") == "clarify":
            cases.append((text, None, expected))
            continue
        try:
            model = adapter.validate_python(expected)
        except ValidationError as exc:
            raise InputError(f"{path}: row {number} ({text!r}): expected is not an intent: {exc}") from exc
        if model.model_dump(mode="json", exclude_defaults=False) != expected:
            raise InputError(f"{path}: row {number} ({text!r}): expected is not in normal form")
        cases.append((text, model, expected))
    return cases


def score_corpus(cases, parse, context) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for text, model, expected in cases:
        result, errored = run_parse(parse, text, context)
        action = expected["action"]
        got_clarify = getattr(result, "action", None) == "clarify"
        if model is None:
            fragment = expected.get("question_contains")
            exact = got_clarify and (not fragment or fragment.lower() in result.question.lower())
            outcome = Outcome(text, action, expected, dump(result), exact, False,
                              not errored and not got_clarify and is_executable(result), errored)
        else:
            exact = not errored and result == model
            outcome = Outcome(text, action, expected, dump(result), exact,
                              not errored and got_clarify,
                              not errored and not exact and is_executable(result), errored)
        tallies.setdefault(action, Tally()).add(outcome)
    return tallies


def time_corpus(cases, parse, context, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        for text, _, _ in cases:
            start = time.perf_counter()
            try:
                parse(text, context)
            except Exception:  # noqa: BLE001
                pass
            samples.append(time.perf_counter() - start)
    ordered = sorted(samples)
    return {"requests": len(cases), "repeat": repeat,
            "median_ms": round(statistics.median(ordered) * 1000, 4),
            "p90_ms": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000, 4)}


# ------------------------------------------------------------------ dataset
def normal_amount(text: str) -> str | None:
    try:
        value = Decimal(str(text).replace(",", ""))
    except InvalidOperation:
        return None
    return format(value.normalize(), "f")


def map_row(row: dict, context) -> dict:
    """What the parse of a dataset row must give: {"clarify": reason} or the slots to compare."""
    from web3 import Web3

    exp = row["expected"]
    known_tokens = {t.upper() for t in context.tokens}
    for key in ("chain", "dest_chain"):
        if exp.get(key):
            return {"clarify": f"unknown chain {exp[key]}"}
    for key in ("token1", "token2"):
        if exp.get(key) and exp[key].upper() not in known_tokens:
            return {"clarify": f"unknown token {exp[key]}"}
    slots: dict[str, Any] = {"action": exp["action"]}
    address = exp.get("address")
    if address:
        if not Web3.is_address(address):  # ENS names, short strings, bad mixed-case checksums
            return {"clarify": f"not a valid address {address}"}
        slots["address"] = Web3.to_checksum_address(address)
    if exp.get("amount") is not None:
        amount = normal_amount(exp["amount"])
        if amount is None or Decimal(amount) <= 0:
            return {"clarify": f"bad amount {exp['amount']}"}
        slots["amount"] = amount
    slots["token1"] = exp["token1"].upper() if exp.get("token1") else None
    if exp.get("token2"):
        slots["token2"] = exp["token2"].upper()
    return slots


def matches(result: Any, slots: dict) -> bool:
    action = slots["action"]
    if getattr(result, "action", None) != action:
        return False
    if "amount" in slots:
        amount = getattr(result, "amount", None)
        if amount is None or amount.kind != "exact" or amount.value != slots["amount"]:
            return False
    if action == "swap":
        tokens = (result.token_in, result.token_out)
        return tokens == (slots["token1"], slots.get("token2", result.token_out))
    if action == "transfer":
        return result.token == slots["token1"] and result.recipient == slots.get("address", result.recipient)
    if action == "approve":
        return result.token == slots["token1"] and result.spender == slots.get("address", result.spender)
    if action == "balance":
        return result.token == slots["token1"] and result.address == slots.get("address")
    if action == "bridge":
        return result.token == slots["token1"]
    return False


def score_dataset(rows: list[dict], parse, context) -> tuple[dict[str, Tally], Tally]:
    per: dict[str, Tally] = {}
    target_tally: dict[str, Tally] = {"clarify": Tally(), "compare": Tally()}
    for row in rows:
        text = row["text"]
        target = map_row(row, context)
        result, errored = run_parse(parse, text, context)
        got_clarify = getattr(result, "action", None) == "clarify"
        if "clarify" in target:
            correct = got_clarify
            clarified_instead = False
        else:
            correct = not errored and matches(result, target)
            clarified_instead = got_clarify
        wrong = not errored and not correct and not got_clarify and is_executable(result)
        outcome = Outcome(text, row.get("action_type", row["expected"]["action"]),
                          {"row": row["expected"], "target": target}, dump(result), correct,
                          clarified_instead, wrong, errored)
        per.setdefault(outcome.expected_action, Tally()).add(outcome)
        target_tally["clarify" if "clarify" in target else "compare"].add(outcome)
    return per, target_tally


# ------------------------------------------------------------------ output
def overall(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for tally in tallies.values():
        total.n += tally.n
        total.exact += tally.exact
        total.clarified_instead += tally.clarified_instead
        total.wrong_action += tally.wrong_action
        total.errors += tally.errors
        total.misses.extend(tally.misses)
    return total


def ordered(tallies: dict[str, Tally]) -> list[str]:
    return sorted(tallies, key=lambda a: (ACTION_ORDER.index(a) if a in ACTION_ORDER else 99, a))


def table(title: str, tallies: dict[str, Tally], exact_label: str, extra: dict[str, Tally] | None = None) -> Table:
    t = Table(title=title)
    t.add_column("expected")
    t.add_column("N", justify="right")
    t.add_column(exact_label, justify="right")
    t.add_column("clarified instead", justify="right")
    t.add_column("wrong action", justify="right")
    t.add_column("errors", justify="right")

    def row(name: str, tally: Tally, style: str | None = None) -> None:
        s = tally.summary()
        wrong = str(s["wrong_action"]) if not s["wrong_action"] else f"[bold red]{s['wrong_action']}[/]"
        t.add_row(name, str(s["n"]), f"{s['exact_pct']:.1f} %", f"{s['clarified_instead_pct']:.1f} %",
                  wrong, str(s["errors"]), style=style)

    for action in ordered(tallies):
        row(action, tallies[action])
    if extra:
        t.add_section()
        for name, tally in extra.items():
            row(name, tally)
    t.add_section()
    row("overall", overall(tallies), "bold")
    return t


def miss_json(o: Outcome) -> dict:
    return {"text": o.text, "expected": o.expected, "got": o.got,
            "clarified_instead": o.clarified_instead, "wrong_action": o.wrong_action, "error": o.error}


def print_misses(console: Console, title: str, tallies: dict[str, Tally]) -> None:
    console.print(f"\n[bold]{title}: misses[/]")
    for action in ordered(tallies):
        for o in tallies[action].misses:
            mark = "[bold red]WRONG ACTION[/] " if o.wrong_action else ("[red]ERROR[/] " if o.error else "")
            console.print(f"{mark}[cyan]{o.text!r}[/]", highlight=False)
            console.print(f"    expected: {json.dumps(o.expected)}", highlight=False, markup=False)
            console.print(f"    got:      {json.dumps(o.got)}", highlight=False, markup=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--show-misses", action="store_true", help="list every miss")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--corpus-only", action="store_true")
    only.add_argument("--dataset-only", action="store_true")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions over the corpus")
    args = parser.parse_args(argv)
    console = Console(stderr=args.json)

    try:
        from steward.intents.parser import parse, sandbox_context
    except ImportError as exc:
        console.print(f"[red]The parser is not available ({exc}).[/] This benchmark needs "
                      "steward.intents.parser with parse(text, context) and sandbox_context().")
        return 1
    context = sandbox_context()
    report: dict[str, Any] = {}
    status = 0

    if not args.dataset_only:
        try:
            cases = load_corpus(args.corpus)
        except InputError as exc:
            console.print(f"[red]{exc}[/]")
            return 2
        tallies = score_corpus(cases, parse, context)
        timing = time_corpus(cases, parse, context, max(1, args.repeat))
        report["corpus"] = {"path": str(args.corpus),
                            "per_action": {a: tallies[a].summary() for a in ordered(tallies)},
                            "overall": overall(tallies).summary(), "timing": timing}
        if args.show_misses:
            report["corpus"]["misses"] = [miss_json(o) for o in overall(tallies).misses]
        if not args.json:
            console.print(table(f"Corpus: {args.corpus.name}", tallies, "exact"))
            console.print(f"parse time per request: median {timing['median_ms']:.3f} ms, "
                          f"p90 {timing['p90_ms']:.3f} ms ({timing['requests']} requests × "
                          f"{timing['repeat']})")
            if args.show_misses:
                print_misses(console, "Corpus", tallies)

    if not args.corpus_only:
        try:
            rows = load_jsonl(args.dataset, "dataset")
            for number, row in enumerate(rows, 1):
                if not isinstance(row.get("text"), str) or not isinstance(row.get("expected"), dict):
                    raise InputError(f"{args.dataset}: row {number} lacks 'text' or 'expected'")
        except InputError as exc:
            console.print(f"[red]{exc}[/] (the public dataset is expected at "
                          f"../shared/datasets/requests-brian.jsonl from the repository root; "
                          f"use --dataset PATH or --corpus-only)")
            report["dataset"] = {"path": str(args.dataset), "error": str(exc)}
            status = 2
        else:
            per, by_target = score_dataset(rows, parse, context)
            report["dataset"] = {"path": str(args.dataset),
                                 "per_action": {a: per[a].summary() for a in ordered(per)},
                                 "by_target": {k: v.summary() for k, v in by_target.items()},
                                 "overall": overall(per).summary()}
            if args.show_misses:
                report["dataset"]["misses"] = [miss_json(o) for o in overall(per).misses]
            if not args.json:
                console.print(table(f"Dataset: {args.dataset.name} (mapped onto the sandbox)", per,
                                    "correct", {"→ must clarify": by_target["clarify"],
                                                "→ must match": by_target["compare"]}))
                if args.show_misses:
                    print_misses(console, "Dataset", per)

    if args.json:
        print(json.dumps(report, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
