"""Accuracy of the plain-language parser: exact intents, clarifications, wrong actions, crashes.

Every request is parsed with `steward.intents.parser.parse(text, sandbox_context())`. Sets:

* dev      `benchmarks/data/intents_corpus.jsonl` (built by `benchmarks/data/make_corpus.py`):
           the development corpus, the one the parser is tuned on;
* untuned  `benchmarks/data/intents_untuned_v2.jsonl`: written apart and never tuned on (the
           target of issue 20 is measured here); skipped with a note when absent;
* spent    `benchmarks/data/intents_spent_v1.jsonl`: the first never-tuned set, spent: looked at
           while fixing the parser after it was measured at 94.7 %; now development data;
* heldout  `benchmarks/data/intents_heldout.jsonl`: the older held-out set (45 rows);
* dataset  `../shared/datasets/requests-brian.jsonl` (from the repository root), public
           phrasings mapped onto the sandbox: a row naming a chain Steward does not know, a token
           not in the context, or an address that is not a valid 0x address must give a
           clarification; otherwise the slots the row has (action, tokens, amount, address)
           must match.

A corpus row is `{"text", "expected", "tags"}`: `expected` is an intent in the normal form of
docs/intents.md, or `{"action": "clarify", "question_contains"?: word or [words]}`. Its kind is
its `kind:` tag (none: `basic`); `attack` and `safety` tags are also tallied.

Scores, per expected action, per kind and overall:

* exact: the result equals the expected intent (a clarification: it is one, its question holds
  every `question_contains` word, case-insensitively, and no internal placeholder such as
  `zzaddr0zz` leaks into it);
* exact where an action is meant: the same over the rows whose expected action is not
  clarify (the headline of each set; target on the untuned set: at least 97 %);
* clarified instead: an intent was expected and Steward asked (a miss, but a safe one);
* wrong action: the result is an executable intent (anything but a clarification or a
  read-only balance/quote; batches and splits are executable) that is not the expected one:
  Steward would have signed something other than what was meant. Target: 0;
* crashes: the parser raised. Target: 0.

Also the parse time per request over the dev corpus, and (set `startup`) the dry-run wall time
of `steward ask` from `benchmarks/ask_startup.py --json --runs N` when that script exists.

Run:  .venv/bin/python benchmarks/intents.py [--json] [--show-misses]
          [--set dev|untuned|spent|heldout|dataset|startup ...] [--repeat N]

Exit code: 0 when the measurement completed (whatever the scores); 1 if the parser cannot be
imported; 2 if the dev corpus, the spent set, the held-out set or the dataset cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
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
DATA = ROOT / "benchmarks" / "data"
CORPORA = {"dev": DATA / "intents_corpus.jsonl", "untuned": DATA / "intents_untuned_v2.jsonl",
           "spent": DATA / "intents_spent_v1.jsonl", "heldout": DATA / "intents_heldout.jsonl"}
DATASET = ROOT / ".." / "shared" / "datasets" / "requests-brian.jsonl"
STARTUP = ROOT / "benchmarks" / "ask_startup.py"
ALL_SETS = ["dev", "untuned", "spent", "heldout", "dataset", "startup"]
READ_ONLY = {"clarify", "balance", "quote"}
ACTION_ORDER = ["transfer", "batch", "split", "swap", "bridge", "wrap", "unwrap", "approve", "revoke",
                "balance", "quote", "sequence", "clarify"]
KIND_ORDER = ["basic", "batch", "split", "question", "venue", "courtesy", "pronoun", "verbs", "slippage",
              "deadline", "token_address", "coin_as_chain", "chain_scope", "read_then_act",
              "approval_phrasing", "address_case"]
FLAG_TAGS = ("attack", "safety")  # tallied apart, across kinds
PLACEHOLDER = re.compile(r"zz[a-z]+\d*zz", re.IGNORECASE)
TARGET_MEANT_PCT = 97.0


class InputError(Exception):
    """A corpus or the dataset cannot be read."""


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
    crash: bool = False
    leak: bool = False
    meant: bool = False  # an action (not a clarification) was meant


@dataclass
class Tally:
    n: int = 0
    exact: int = 0
    clarified_instead: int = 0
    wrong_action: int = 0
    crashes: int = 0
    leaks: int = 0
    meant: int = 0
    meant_exact: int = 0
    misses: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.n += 1
        self.exact += o.exact
        self.clarified_instead += o.clarified_instead
        self.wrong_action += o.wrong_action
        self.crashes += o.crash
        self.leaks += o.leak
        self.meant += o.meant
        self.meant_exact += o.meant and o.exact
        if not o.exact:
            self.misses.append(o)

    def merge(self, other: "Tally") -> None:
        for name in ("n", "exact", "clarified_instead", "wrong_action", "crashes", "leaks", "meant",
                     "meant_exact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses.extend(other.misses)

    def summary(self) -> dict:
        def pct(k: int, n: int) -> float:
            return round(100.0 * k / n, 1) if n else 0.0

        return {"n": self.n, "exact": self.exact, "exact_pct": pct(self.exact, self.n),
                "action_meant": self.meant, "action_meant_exact": self.meant_exact,
                "action_meant_exact_pct": pct(self.meant_exact, self.meant),
                "clarified_instead": self.clarified_instead,
                "clarified_instead_pct": pct(self.clarified_instead, self.n),
                "wrong_action": self.wrong_action, "crashes": self.crashes, "placeholder_leaks": self.leaks}


def is_executable(result: Any) -> bool:
    """Would Steward go on to sign something for this result?"""
    action = getattr(result, "action", None)
    if action is None:
        return False
    if action == "sequence":
        return any(step.action not in READ_ONLY for step in result.steps)
    return action not in READ_ONLY


def signed_part(result: Any) -> list:
    """The steps Steward would sign, in order (read-only steps of a sequence left out)."""
    steps = result.steps if getattr(result, "action", None) == "sequence" else [result]
    return [step for step in steps if getattr(step, "action", None) not in READ_ONLY]


def wrong_signing(result: Any, expected: Any) -> bool:
    """A wrong action: Steward would sign something other than what was meant. A sequence whose
    signed steps are exactly the expected ones, but whose balance or quote step differs, is a
    miss, not a wrong action (nothing different is signed)."""
    if not is_executable(result):
        return False
    return expected is None or signed_part(result) != signed_part(expected)


def dump(result: Any) -> Any:
    return result.model_dump(mode="json") if hasattr(result, "model_dump") else result


def run_parse(parse, text: str, context) -> tuple[Any, bool]:
    """(result, crashed): a parser exception counts as a miss, never as a wrong action."""
    try:
        return parse(text, context), False
    except Exception as exc:  # noqa: BLE001 - a measurement: record and go on
        return f"{type(exc).__name__}: {exc}", True


def question_text(result: Any) -> str:
    return " ".join([getattr(result, "question", ""), *getattr(result, "options", [])])


def fragments(expected: dict) -> list[str]:
    wanted = expected.get("question_contains")
    if not wanted:
        return []
    return [wanted] if isinstance(wanted, str) else list(wanted)


# ------------------------------------------------------------------ corpora
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


@dataclass
class Case:
    text: str
    model: Any  # the expected intent, or None for a clarification
    expected: dict
    tags: list[str]

    @property
    def kind(self) -> str:
        return next((t[5:] for t in self.tags if t.startswith("kind:")), "basic")

    @property
    def style(self) -> str:
        return next((t[6:] for t in self.tags if t.startswith("style:")), "plain")


def load_corpus(path: Path, what: str = "corpus") -> list[Case]:
    from steward.intents import ParseResult

    adapter = TypeAdapter(ParseResult)
    cases = []
    for number, row in enumerate(load_jsonl(path, what), 1):
        try:
            text, expected, tags = row["text"], row["expected"], list(row.get("tags", []))
        except (KeyError, TypeError) as exc:
            raise InputError(f"{path}: row {number} lacks 'text' or 'expected'") from exc
        if expected.get("action") == "clarify":
            cases.append(Case(text, None, expected, tags))
            continue
        try:
            model = adapter.validate_python(expected)
        except ValidationError as exc:
            raise InputError(f"{path}: row {number} ({text!r}): expected is not an intent: {exc}") from exc
        if model.model_dump(mode="json", exclude_defaults=False) != expected:
            raise InputError(f"{path}: row {number} ({text!r}): expected is not in normal form "
                             "(re-dump it: make_corpus.py --renormalize FILE)")
        cases.append(Case(text, model, expected, tags))
    return cases


def score_case(case: Case, parse, context) -> Outcome:
    result, crashed = run_parse(parse, case.text, context)
    action = case.expected["action"]
    got_clarify = getattr(result, "action", None) == "clarify"
    leak = got_clarify and bool(PLACEHOLDER.search(question_text(result)))
    if case.model is None:
        asked = question_text(result).lower()
        exact = got_clarify and not leak and all(f.lower() in asked for f in fragments(case.expected))
        return Outcome(case.text, action, case.expected, dump(result), exact, False,
                       not crashed and not got_clarify and is_executable(result), crashed, leak)
    exact = not crashed and result == case.model
    return Outcome(case.text, action, case.expected, dump(result), exact, not crashed and got_clarify,
                   not crashed and not exact and wrong_signing(result, case.model), crashed, leak,
                   meant=True)


@dataclass
class SetScore:
    per_action: dict[str, Tally] = field(default_factory=dict)
    per_kind: dict[str, Tally] = field(default_factory=dict)
    per_style: dict[str, Tally] = field(default_factory=dict)
    per_flag: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)


def score_corpus(cases: list[Case], parse, context) -> SetScore:
    score = SetScore()
    for case in cases:
        outcome = score_case(case, parse, context)
        score.per_action.setdefault(outcome.expected_action, Tally()).add(outcome)
        score.per_kind.setdefault(case.kind, Tally()).add(outcome)
        score.per_style.setdefault(case.style, Tally()).add(outcome)
        for flag in FLAG_TAGS:
            if flag in case.tags:
                score.per_flag.setdefault(flag, Tally()).add(outcome)
        score.overall.add(outcome)
    return score


def time_corpus(cases: list[Case], parse, context, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        for case in cases:
            start = time.perf_counter()
            try:
                parse(case.text, context)
            except Exception:  # noqa: BLE001
                pass
            samples.append(time.perf_counter() - start)
    ordered_samples = sorted(samples)
    return {"requests": len(cases), "repeat": repeat,
            "median_ms": round(statistics.median(ordered_samples) * 1000, 4),
            "p90_ms": round(ordered_samples[min(len(ordered_samples) - 1, int(0.9 * len(ordered_samples)))]
                            * 1000, 4)}


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


def score_dataset(rows: list[dict], parse, context) -> tuple[dict[str, Tally], dict[str, Tally]]:
    per: dict[str, Tally] = {}
    by_target: dict[str, Tally] = {"clarify": Tally(), "compare": Tally()}
    for row in rows:
        text = row["text"]
        target = map_row(row, context)
        result, crashed = run_parse(parse, text, context)
        got_clarify = getattr(result, "action", None) == "clarify"
        must_clarify = "clarify" in target
        correct = got_clarify if must_clarify else not crashed and matches(result, target)
        wrong = not crashed and not correct and not got_clarify and is_executable(result)
        outcome = Outcome(text, row.get("action_type", row["expected"]["action"]),
                          {"row": row["expected"], "target": target}, dump(result), correct,
                          not must_clarify and got_clarify, wrong, crashed, meant=not must_clarify)
        per.setdefault(outcome.expected_action, Tally()).add(outcome)
        by_target["clarify" if must_clarify else "compare"].add(outcome)
    return per, by_target


# ------------------------------------------------------------------ startup
def measure_startup(runs: int) -> dict:
    """`steward ask`'s dry-run wall time, from benchmarks/ask_startup.py --json when it exists
    (it exits 1 when its start-up target is missed; its figures count all the same)."""
    if not STARTUP.exists():
        return {"skipped": f"{STARTUP.relative_to(ROOT)} not found: no start-up figures"}
    try:
        done = subprocess.run([sys.executable, str(STARTUP), "--json", "--runs", str(runs)], cwd=ROOT,
                              capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return {"error": f"{STARTUP.name} --json ran over 900 s"}
    try:
        figures = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"error": f"{STARTUP.name} --json exited {done.returncode} without JSON: "
                         f"{(done.stderr or done.stdout).strip()[-400:]}"}
    return {**figures, "script_exit_status": done.returncode} if isinstance(figures, dict) else {
        "error": f"{STARTUP.name} --json printed {type(figures).__name__}, not an object"}


# ------------------------------------------------------------------ output
def ordered(tallies: dict[str, Tally], order: list[str]) -> list[str]:
    return sorted(tallies, key=lambda a: (order.index(a) if a in order else 99, a))


def table(title: str, tallies: dict[str, Tally], order: list[str], exact_label: str = "exact",
          extra: dict[str, Tally] | None = None, total: Tally | None = None) -> Table:
    t = Table(title=title)
    for name, justify in (("expected", "left"), ("N", "right"), (exact_label, "right"),
                          ("clarified instead", "right"), ("wrong action", "right"), ("crashes", "right")):
        t.add_column(name, justify=justify)

    def row(name: str, tally: Tally, style: str | None = None) -> None:
        s = tally.summary()
        wrong = str(s["wrong_action"]) if not s["wrong_action"] else f"[bold red]{s['wrong_action']}[/]"
        crashes = str(s["crashes"]) if not s["crashes"] else f"[bold red]{s['crashes']}[/]"
        t.add_row(name, str(s["n"]), f"{s['exact_pct']:.1f} %", f"{s['clarified_instead_pct']:.1f} %",
                  wrong, crashes, style=style)

    for name in ordered(tallies, order):
        row(name, tallies[name])
    if extra:
        t.add_section()
        for name, tally in extra.items():
            row(name, tally)
    t.add_section()
    if total is None:
        total = Tally()
        for tally in tallies.values():
            total.merge(tally)
    row("overall", total, "bold")
    return t


def headline(name: str, overall: Tally) -> str:
    s = overall.summary()
    return (f"{name}: {s['n']} rows, exact {s['exact_pct']:.1f} %, exact where an action is meant "
            f"{s['action_meant_exact_pct']:.1f} % ({s['action_meant_exact']}/{s['action_meant']}), "
            f"wrong actions {s['wrong_action']}, crashes {s['crashes']}, placeholder leaks {s['placeholder_leaks']}")


def miss_json(o: Outcome) -> dict:
    return {"text": o.text, "expected": o.expected, "got": o.got, "clarified_instead": o.clarified_instead,
            "wrong_action": o.wrong_action, "crash": o.crash, "placeholder_leak": o.leak}


def print_misses(console: Console, title: str, misses: list[Outcome]) -> None:
    console.print(f"\n[bold]{title}: {len(misses)} misses[/]")
    for o in misses:
        mark = ("[bold red]WRONG ACTION[/] " if o.wrong_action else "[red]CRASH[/] " if o.crash else
                "[red]PLACEHOLDER[/] " if o.leak else "")
        console.print(f"{mark}[cyan]{o.text!r}[/]", highlight=False)
        console.print(f"    expected: {json.dumps(o.expected, ensure_ascii=False)}", highlight=False, markup=False)
        console.print(f"    got:      {json.dumps(o.got, ensure_ascii=False)}", highlight=False, markup=False)


def run_corpus(name: str, path: Path, parse, context, args, console: Console, report: dict) -> int:
    """Score one corpus set into the report; the exit status it asks for (2: unreadable)."""
    if name == "untuned" and not path.exists():
        note = f"{path} not found: the untuned set is skipped"
        report[name] = {"path": str(path), "skipped": note}
        if not args.json:
            console.print(f"[yellow]{note}[/]")
        return 0
    try:
        cases = load_corpus(path, f"{name} corpus")
    except InputError as exc:
        console.print(f"[red]{exc}[/]")
        report[name] = {"path": str(path), "error": str(exc)}
        return 2
    score = score_corpus(cases, parse, context)
    report[name] = {"path": str(path),
                    "overall": score.overall.summary(),
                    "per_action": {a: score.per_action[a].summary() for a in ordered(score.per_action, ACTION_ORDER)},
                    "per_kind": {k: score.per_kind[k].summary() for k in ordered(score.per_kind, KIND_ORDER)},
                    "per_style": {s: score.per_style[s].summary() for s in sorted(score.per_style)},
                    "per_tag": {f: score.per_flag[f].summary() for f in score.per_flag}}
    if name == "dev":
        report["timing"] = time_corpus(cases, parse, context, max(1, args.repeat))
    if args.show_misses:
        report[name]["misses"] = [miss_json(o) for o in score.overall.misses]
    if not args.json:
        console.print(table(f"{name}: {path.name}, per expected action", score.per_action, ACTION_ORDER,
                            total=score.overall))
        console.print(table(f"{name}: per kind", score.per_kind, KIND_ORDER,
                            extra={f"tag: {f}": t for f, t in score.per_flag.items()}, total=score.overall))
        console.print(headline(name, score.overall), highlight=False)
        if name == "dev":
            timing = report["timing"]
            console.print(f"parse time per request: median {timing['median_ms']:.3f} ms, p90 "
                          f"{timing['p90_ms']:.3f} ms ({timing['requests']} requests × {timing['repeat']})")
        if args.show_misses:
            print_misses(console, name, score.overall.misses)
    return 0


def run_dataset(path: Path, parse, context, args, console: Console, report: dict) -> int:
    try:
        rows = load_jsonl(path, "dataset")
        for number, row in enumerate(rows, 1):
            if not isinstance(row.get("text"), str) or not isinstance(row.get("expected"), dict):
                raise InputError(f"{path}: row {number} lacks 'text' or 'expected'")
    except InputError as exc:
        console.print(f"[red]{exc}[/] (the public dataset is expected at ../shared/datasets/"
                      "requests-brian.jsonl from the repository root; use --dataset PATH or another --set)")
        report["dataset"] = {"path": str(path), "error": str(exc)}
        return 2
    per, by_target = score_dataset(rows, parse, context)
    total = Tally()
    for tally in per.values():
        total.merge(tally)
    report["dataset"] = {"path": str(path), "overall": total.summary(),
                         "per_action": {a: per[a].summary() for a in ordered(per, ACTION_ORDER)},
                         "by_target": {k: v.summary() for k, v in by_target.items()}}
    if args.show_misses:
        report["dataset"]["misses"] = [miss_json(o) for o in total.misses]
    if not args.json:
        console.print(table(f"dataset: {path.name} (mapped onto the sandbox)", per, ACTION_ORDER, "correct",
                            {"→ must clarify": by_target["clarify"], "→ must match": by_target["compare"]},
                            total=total))
        console.print(headline("dataset", total), highlight=False)
        if args.show_misses:
            print_misses(console, "dataset", total.misses)
    return 0


def summarize(report: dict) -> dict:
    """One line per set scored, and whether the untuned set meets issue 20's targets."""
    lines = {name: report[name]["overall"] for name in ("dev", "untuned", "spent", "heldout", "dataset")
             if "overall" in report.get(name, {})}
    summary: dict[str, Any] = {"sets": lines}
    if "untuned" in lines:
        s = lines["untuned"]
        summary["untuned_targets_met"] = (s["action_meant_exact_pct"] >= TARGET_MEANT_PCT
                                          and s["wrong_action"] == 0 and s["crashes"] == 0)
    return summary


def print_summary(console: Console, summary: dict, startup: dict | None) -> None:
    t = Table(title="Summary (targets on the untuned set: ≥ 97 % exact where an action is meant, "
                    "0 wrong actions, 0 crashes)")
    for name in ("set", "N", "exact", "exact, action meant", "clarified instead", "wrong action", "crashes"):
        t.add_column(name, justify="left" if name == "set" else "right")
    for name, s in summary["sets"].items():
        t.add_row(name, str(s["n"]), f"{s['exact_pct']:.1f} %",
                  f"{s['action_meant_exact_pct']:.1f} % ({s['action_meant_exact']}/{s['action_meant']})",
                  f"{s['clarified_instead_pct']:.1f} %", str(s["wrong_action"]), str(s["crashes"]))
    if summary["sets"]:
        console.print(t)
    if "untuned_targets_met" in summary:
        console.print("untuned targets: " + ("[green]met[/]" if summary["untuned_targets_met"] else
                                             "[red]not met[/]"))
    if startup is not None:
        print_startup(console, startup)


def print_startup(console: Console, startup: dict) -> None:
    if "requests" not in startup:
        console.print(f"steward ask dry-run start-up: {startup.get('skipped') or startup.get('error')}",
                      highlight=False, markup=False)
        return
    target = startup.get("startup_target_s")
    console.print(f"steward ask --dry-run (median of {startup.get('runs')} fresh processes; start-up target "
                  f"< {target} s: {'met' if startup.get('startup_met') else 'not met'}); import of the CLI "
                  f"{startup.get('import_cli_wall_s')} s, python -c pass {startup.get('python_pass_s')} s",
                  highlight=False, markup=False)
    for label, row in startup["requests"].items():
        console.print(f"  {label}: {row.get('request')!r}: wall {row.get('wall_s')} s, start-up to parse "
                      f"{row.get('startup_s')} s", highlight=False, markup=False)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--show-misses", action="store_true", help="list every miss, per set")
    parser.add_argument("--set", action="append", choices=ALL_SETS, dest="sets",
                        help="run only this set (repeatable); default: all")
    parser.add_argument("--corpus-only", action="store_true", help="dev, untuned, spent and heldout")
    parser.add_argument("--dataset-only", action="store_true", help="the public dataset only")
    parser.add_argument("--corpus", type=Path, default=CORPORA["dev"], help="the dev corpus")
    parser.add_argument("--untuned", type=Path, default=CORPORA["untuned"])
    parser.add_argument("--spent", type=Path, default=CORPORA["spent"])
    parser.add_argument("--heldout", type=Path, default=CORPORA["heldout"])
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--repeat", type=int, default=5, help="timing repetitions over the dev corpus")
    parser.add_argument("--startup-runs", type=int, default=5,
                        help="fresh processes per figure for ask_startup.py (its median)")
    args = parser.parse_args(argv)
    if args.corpus_only:
        args.sets = [*(args.sets or []), "dev", "untuned", "spent", "heldout"]
    if args.dataset_only:
        args.sets = [*(args.sets or []), "dataset"]
    args.sets = [s for s in ALL_SETS if s in (args.sets or ALL_SETS)]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
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
    paths = {"dev": args.corpus, "untuned": args.untuned, "spent": args.spent, "heldout": args.heldout}
    for name in ("dev", "untuned", "spent", "heldout"):
        if name in args.sets:
            status = max(status, run_corpus(name, paths[name], parse, context, args, console, report))
    if "dataset" in args.sets:
        status = max(status, run_dataset(args.dataset, parse, context, args, console, report))
    startup = None
    if "startup" in args.sets:
        startup = report["startup"] = measure_startup(max(1, args.startup_runs))
    report["summary"] = summarize(report)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_summary(console, report["summary"], startup)
    return status


if __name__ == "__main__":
    sys.exit(main())
