"""What a guarded account costs: gas per action and `steward ask` latency, vs a plain wallet.

One sandbox, several wallets: `main` stays a plain EOA (the baseline); one fresh wallet per
action is upgraded in place to a guarded account (EIP-7702, `steward.accounts.manage.upgrade`),
so each action's first batch writes that account's window counters from zero.

* gas: each action is planned by Steward (`parse` → `plan_step`), judged (`review`) and signed
  by the one door (`Executor.execute`): on the plain wallet one transaction per call, on the
  guarded account one `execute(calls, nonce)` batch signed by the agent key. Gas is the sum of
  the receipts' `gasUsed`. Per action, in this order: EOA, guarded, EOA, guarded (the first of
  each is "first", the second "steady": same window, counters already written), then, after
  the chain's clock moves past the account's window, one more guarded batch ("next window").
  Before the accounts are upgraded every wallet wraps a little ETH and bob is paid once, so no
  "first" pays for a balance slot the other side had already written.
* latency: `fulfil(text)` (all of `steward ask "..." --yes`: parse, plan, simulate, judge,
  unlock, sign, receipt, journal) for a transfer, plain vs guarded in alternating rounds after
  a warm-up; the median of each and the ratio. Then one keystore decrypt at the standard scrypt
  cost, which every ask pays once (the wallet's key, or a guarded wallet's agent key).

Anchor (from the issue): ERC-7579 session-key modules cost 147–153k gas for an ERC-20 transfer,
against 63.5k for the same transfer sent directly.

Run:  .venv/bin/python benchmarks/guarded_account.py [--backend embedded|anvil|both]
          [--rounds N] [--warmup W] [--json]

`anvil` needs `make setup-tools`; `both` runs each backend in its own process (its own
temporary STEWARD_HOME, never ~/.steward). The latency part runs on the embedded chain only.
Exit code: 0 when measured; 1 if an action failed or did not move what it should; 2 if a
backend could not be set up (anvil missing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

L1 = "sandbox-l1"
PLAIN = "main"
ACTIONS = {  # action → (request, spent asset, spent amount in base units)
    "transfer USDC": ("send 1 USDC to bob on l1", "USDC", 1_000_000),
    "swap USDC→ETH": ("swap 2 USDC for ETH on l1", "USDC", 2_000_000),
    "swap ETH→USDC": ("swap 0.001 ETH for USDC on l1", "ETH", 10**15),
    "bridge USDC": ("bridge 3 USDC from l1 to l2", "USDC", 3_000_000),
    "wrap ETH": ("wrap 0.001 ETH on l1", "ETH", 10**15),
}
PREWARM = ("wrap 0.0001 ETH on l1", "send 1 USDC to bob on l1")
LATENCY_REQUEST = "pay bob 1 USDC on l1"
ANCHOR = {"erc7579_session_key_transfer_gas": [147_000, 153_000], "direct_transfer_gas": 63_500}
ANVIL_CHAIN_IDS = (31_337_101, 31_337_102)
WINDOW_JUMP_SECONDS = 86_400 + 60  # past the compiled window (`accounts.policy.WINDOW_SECONDS`)


class BenchmarkFailure(Exception):
    """An action failed or did not move what it should: its gas would mean nothing."""


class BackendUnavailable(Exception):
    """The backend could not be set up (anvil missing, for example)."""


@dataclass
class ActionGas:
    action: str
    request: str
    eoa_txs: int
    eoa_first: int
    eoa_steady: int
    guarded_first: int
    guarded_steady: int
    guarded_next_window: int | None = None

    @property
    def difference(self) -> int:
        return self.guarded_steady - self.eoa_steady

    @property
    def ratio(self) -> float:
        return self.guarded_steady / self.eoa_steady

    @property
    def first_extra(self) -> int:
        """What the guarded account's first batch costs over its steady one (counters 0 → n)."""
        return self.guarded_first - self.guarded_steady


@dataclass
class Latency:
    request: str
    rounds: int
    plain_median_ms: float
    guarded_median_ms: float
    plain_p90_ms: float
    guarded_p90_ms: float
    ratio: float
    standard_scrypt_unlock_ms: float


@dataclass
class BackendResult:
    backend: str
    gas: list[ActionGas] = field(default_factory=list)
    latency: Latency | None = None
    setup_seconds: float = 0.0
    tracked_assets: list[str] = field(default_factory=list)


def guarded_wallet(action: str) -> str:
    return "ga-" + "".join(c if c.isalnum() else "-" for c in action.lower()).strip("-")[:24]


# ---- the world --------------------------------------------------------------------------------

def build_world(backend: str, home: str, nodes: list, err: Console) -> None:
    """The sandbox in `home` (never ~/.steward), with the plain wallet and one wallet per
    guarded action (all funded by `sandbox.up`); anvil nodes it starts go into `nodes`, for
    the caller to stop."""
    os.environ["STEWARD_HOME"] = home  # before any steward module reads it
    os.environ.setdefault("STEWARD_PASSPHRASE", "benchmark-only")
    os.environ.setdefault("STEWARD_KEYSTORE_SCRYPT_N", "1024")
    from steward import sandbox
    from steward.guard.mandate import write_default_mandate
    from steward.wallets import WalletStore

    passphrase = os.environ["STEWARD_PASSPHRASE"]
    store = WalletStore()
    for name in (PLAIN, *map(guarded_wallet, ACTIONS)):
        store.create(name, passphrase)
        write_default_mandate(name)
    urls: dict[str, str] = {}
    if backend == "anvil":
        from steward.chains.anvil import AnvilNode
        from steward.errors import StewardError

        for chain_id in ANVIL_CHAIN_IDS:
            try:
                nodes.append(AnvilNode(chain_id=chain_id).start())
            except StewardError as exc:
                raise BackendUnavailable(str(exc)) from None
        urls = {"l1_url": nodes[0].url, "l2_url": nodes[1].url}
    with err.status(f"{backend}: building the sandbox with {1 + len(ACTIONS)} wallets…"):
        sandbox.up(**urls)


class Runner:
    """Steward's own path for one request from one wallet: parse, plan, review, sign."""

    def __init__(self, passphrase: str):
        from steward.fulfilment import context_for
        from steward.wallets import WalletStore

        self.passphrase = passphrase
        self.store = WalletStore()
        self.context = context_for(self.store)
        self.own = {w.name: w.address for w in self.store.list() if w.address}
        self.executors: dict[str, object] = {}

    def executor(self, wallet: str):
        # Made afresh after an upgrade: the executor holds the agent key only if it exists.
        from steward.execution import Executor

        if wallet not in self.executors:
            self.executors[wallet] = Executor.unlock(wallet, self.passphrase, self.store)
        return self.executors[wallet]

    def run(self, wallet: str, text: str, spent: str | None = None, amount: int = 0) -> list[int]:
        """Sign `text` from `wallet`; the gasUsed of each receipt. With `spent`, checks that the
        wallet's balance of it fell by at least `amount` (the batch really did the action)."""
        from steward.guard import approve, review
        from steward.intents import Clarification
        from steward.intents.parser import parse
        from steward.planning.requests import plan_step

        intent = parse(text, self.context)
        if isinstance(intent, Clarification):
            raise BenchmarkFailure(f"{text!r} was not understood: {intent.question}")
        address = self.own[wallet]
        plan = plan_step(intent, address).plan
        verdict = review(plan, wallet, own_wallets=self.own)
        if verdict.decision == "deny":
            raise BenchmarkFailure(f"{wallet}: {text!r} was denied: {verdict.explanation}")
        before = self.balance(address, spent) if spent else 0
        result = self.executor(wallet).execute(plan, approve(verdict, by="person"))
        if any(step.status != "success" for step in result.steps):
            raise BenchmarkFailure(f"{wallet}: {text!r} did not succeed: {result.steps}")
        if spent and before - self.balance(address, spent) < amount:
            raise BenchmarkFailure(f"{wallet}: {text!r} did not spend {amount} of {spent}")
        return [step.gas_used for step in result.steps]

    @staticmethod
    def balance(address: str, symbol: str) -> int:
        from steward.chains import chain_config, connect
        from steward.protocols import erc20

        chain = chain_config(L1)
        w3 = connect(chain)
        if symbol == chain.native_symbol:
            return w3.eth.get_balance(address)
        return erc20.balance_of(w3, chain.tokens[symbol], address)


def next_window(backend: str) -> None:
    """Move the chain's clock past the account's window, then refresh the sandbox's price
    feeds (a day-old feed would leave the guard without prices)."""
    from steward.chains import chain_config, connect
    from steward.sandbox import SandboxBuilder

    chain = chain_config(L1)
    w3 = connect(chain)
    target = w3.eth.get_block("latest")["timestamp"] + WINDOW_JUMP_SECONDS
    if backend == "anvil":
        w3.provider.make_request("evm_setNextBlockTimestamp", [target])
        w3.provider.make_request("evm_mine", [])
    else:
        w3.provider.embedded_chain.tester.time_travel(target)
    SandboxBuilder().ensure_feeds(chain)


# ---- gas --------------------------------------------------------------------------------------

def measure_gas(backend: str, runner: Runner, passphrase: str, err: Console) -> list[ActionGas]:
    from steward.accounts import manage

    with err.status(f"{backend}: warming balance slots, upgrading {len(ACTIONS)} wallets…"):
        for wallet in (PLAIN, *map(guarded_wallet, ACTIONS)):
            runner.run(wallet, PREWARM[0])
        runner.run(PLAIN, PREWARM[1])
        for action in ACTIONS:
            wallet = guarded_wallet(action)
            record = manage.upgrade(wallet, L1, passphrase)
            if record.address != runner.own[wallet]:
                raise BenchmarkFailure(f"{wallet}: the 7702 account is not at its own address")
            runner.executors.pop(wallet, None)
    rows = []
    for action, (text, spent, amount) in ACTIONS.items():
        with err.status(f"{backend}: gas of {action}…"):
            wallet = guarded_wallet(action)
            eoa_first = runner.run(PLAIN, text, spent, amount)
            guarded_first = runner.run(wallet, text, spent, amount)
            eoa_steady = runner.run(PLAIN, text, spent, amount)
            guarded_steady = runner.run(wallet, text, spent, amount)
        if len(guarded_first) != 1 or len(guarded_steady) != 1:
            raise BenchmarkFailure(f"{action}: the guarded account sent {len(guarded_first)} "
                                   "transactions, not one batch")
        rows.append(ActionGas(action=action, request=text, eoa_txs=len(eoa_steady),
                              eoa_first=sum(eoa_first), eoa_steady=sum(eoa_steady),
                              guarded_first=guarded_first[0], guarded_steady=guarded_steady[0]))
    with err.status(f"{backend}: next window…"):
        next_window(backend)
        for row, (text, spent, amount) in zip(rows, ACTIONS.values()):
            row.guarded_next_window = runner.run(guarded_wallet(row.action), text, spent,
                                                 amount)[0]
    return rows


def tracked_assets(runner: Runner) -> list[str]:
    """The assets every batch reads before and after (the same policy on each account), after
    checking that each account executed exactly its three batches."""
    from steward.accounts import contract
    from steward.chains import chain_config, connect

    chain = chain_config(L1)
    w3 = connect(chain)
    symbols = {address.lower(): symbol for symbol, address in chain.tokens.items()}
    symbols[contract.NATIVE.lower()] = chain.native_symbol
    tracked: list[str] = []
    for action in ACTIONS:
        state = contract.read_state(w3, runner.own[guarded_wallet(action)])
        if state.nonce != 3:
            raise BenchmarkFailure(f"{action}: the account executed {state.nonce} batches, not 3")
        tracked = [symbols.get(rule.token.lower(), rule.token) for rule in state.policy.tokens]
    return tracked


# ---- latency ----------------------------------------------------------------------------------

def ask_ms(wallet: str, passphrase: str) -> float:
    from steward.fulfilment import fulfil

    began = time.perf_counter()
    report = fulfil(LATENCY_REQUEST, wallet, lambda outcome: True, passphrase=lambda: passphrase)
    elapsed = (time.perf_counter() - began) * 1000
    if not report.done:
        raise BenchmarkFailure(f"{wallet}: {LATENCY_REQUEST!r} not done: "
                               f"{report.clarification or [s.message for s in report.steps]}")
    return elapsed


def standard_unlock_ms() -> float:
    """One keystore decrypt at the standard scrypt cost (what each ask pays per key unlocked
    outside this benchmark's cheap test setting)."""
    from steward.wallets import SCRYPT_N_ENV, WalletStore

    with tempfile.TemporaryDirectory(prefix="steward-scrypt-") as home:
        saved = os.environ.pop(SCRYPT_N_ENV, None)
        try:
            store = WalletStore(home=Path(home))
            store.create("scrypt", "benchmark-only")
            began = time.perf_counter()
            store.unlock("scrypt", "benchmark-only")
            return (time.perf_counter() - began) * 1000
        finally:
            if saved is not None:
                os.environ[SCRYPT_N_ENV] = saved


def measure_latency(passphrase: str, rounds: int, warmup: int, err: Console) -> Latency:
    guarded = guarded_wallet("transfer USDC")
    ways = {"plain": PLAIN, "guarded": guarded}
    times: dict[str, list[float]] = {way: [] for way in ways}
    with err.status("embedded: steward ask latency, warming up…") as status:
        for _ in range(warmup):
            for wallet in ways.values():
                ask_ms(wallet, passphrase)
        for index in range(rounds):
            status.update(f"embedded: steward ask latency, round {index + 1}/{rounds}…")
            order = list(ways) if index % 2 == 0 else list(reversed(ways))
            for way in order:
                times[way].append(ask_ms(ways[way], passphrase))
        status.update("embedded: one keystore decrypt at the standard scrypt cost…")
        unlock = standard_unlock_ms()

    def p90(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]

    plain, guarded_ms = statistics.median(times["plain"]), statistics.median(times["guarded"])
    return Latency(request=LATENCY_REQUEST, rounds=rounds, plain_median_ms=round(plain, 1),
                   guarded_median_ms=round(guarded_ms, 1), plain_p90_ms=round(p90(times["plain"]), 1),
                   guarded_p90_ms=round(p90(times["guarded"]), 1),
                   ratio=round(guarded_ms / plain, 3), standard_scrypt_unlock_ms=round(unlock, 1))


# ---- running and printing ---------------------------------------------------------------------

def run_backend(backend: str, rounds: int, warmup: int, err: Console) -> BackendResult:
    from steward.chains import forget_connections
    from steward.chains.embedded import close_all

    began = time.perf_counter()
    home = tempfile.mkdtemp(prefix=f"steward-guarded-{backend}-bench-")
    nodes: list = []
    try:
        build_world(backend, home, nodes, err)
        passphrase = os.environ["STEWARD_PASSPHRASE"]
        runner = Runner(passphrase)
        result = BackendResult(backend=backend)
        result.setup_seconds = round(time.perf_counter() - began, 1)
        result.gas = measure_gas(backend, runner, passphrase, err)
        result.tracked_assets = tracked_assets(runner)
        if backend == "embedded" and rounds > 0:
            result.latency = measure_latency(passphrase, rounds, warmup, err)
        return result
    finally:
        close_all()
        forget_connections()
        for node in nodes:
            node.stop()
        shutil.rmtree(home, ignore_errors=True)


def gas_table(result: BackendResult) -> Table:
    table = Table(title=f"gas per action: plain EOA vs guarded account (EIP-7702), {result.backend}")
    for column in ("action", "EOA txs", "EOA gas", "guarded gas", "difference", "ratio"):
        table.add_column(column, justify="left" if column == "action" else "right")
    for row in result.gas:
        table.add_row(row.action, str(row.eoa_txs), f"{row.eoa_steady:,}",
                      f"{row.guarded_steady:,}", f"{row.difference:+,}", f"{row.ratio:.2f}×")
    return table


def window_table(result: BackendResult) -> Table:
    table = Table(title=f"guarded gas by the state of the account's counters, {result.backend}")
    for column in ("action", "first", "steady", "extra", "next window",
                   "EOA first"):
        table.add_column(column, justify="left" if column == "action" else "right")
    for row in result.gas:
        table.add_row(row.action, f"{row.guarded_first:,}", f"{row.guarded_steady:,}",
                      f"{row.first_extra:+,}",
                      f"{row.guarded_next_window:,}" if row.guarded_next_window else "-",
                      f"{row.eoa_first:,}")
    return table


def latency_table(latency: Latency) -> Table:
    table = Table(title=f"steward ask latency (fulfil {latency.request!r}), embedded, "
                        f"{latency.rounds} alternating rounds")
    for column in ("wallet", "median", "p90", "ratio"):
        table.add_column(column, justify="left" if column == "wallet" else "right")
    table.add_row("plain EOA (baseline)", f"{latency.plain_median_ms:.1f} ms",
                  f"{latency.plain_p90_ms:.1f} ms", "1.00×")
    table.add_row("guarded account", f"{latency.guarded_median_ms:.1f} ms",
                  f"{latency.guarded_p90_ms:.1f} ms", f"{latency.ratio:.2f}×")
    return table


def print_report(results: list[BackendResult], problems: dict[str, str]) -> None:
    out = Console()
    low, high = ANCHOR["erc7579_session_key_transfer_gas"]
    direct = ANCHOR["direct_transfer_gas"]
    for result in results:
        out.print(gas_table(result))
        out.print(f"Steady state: the second of each action in the same window (EOA = the sum "
                  f"of the plan's transactions, guarded = its one batch). Every batch reads the "
                  f"balances of the {len(result.tracked_assets)} tracked assets "
                  f"({', '.join(result.tracked_assets)}) before and after.")
        transfer = next((g for g in result.gas if g.action == "transfer USDC"), None)
        if transfer:
            out.print(f"Anchor: ERC-7579 session keys cost {low // 1000}–{high // 1000}k gas per "
                      f"ERC-20 transfer vs {direct / 1000:.1f}k direct ({low / direct:.2f}–"
                      f"{high / direct:.2f}×, +{(low - direct) / 1000:.1f} to "
                      f"+{(high - direct) / 1000:.1f}k); here a transfer costs "
                      f"{transfer.guarded_steady / 1000:.1f}k guarded vs "
                      f"{transfer.eoa_steady / 1000:.1f}k direct ({transfer.ratio:.2f}×, "
                      f"{transfer.difference / 1000:+.1f}k; first batch "
                      f"{transfer.guarded_first / 1000:.1f}k).")
        out.print(window_table(result))
        out.print("first: the account's first batch ever, so its nonce and the counters it "
                  "touches (the spent asset's and the USD one) are written from zero (extra: "
                  "over steady). next "
                  "window: the first batch after the chain's clock passed the window; the "
                  "counters then hold the old window's figures, so it costs what steady does. "
                  "EOA first: the plain wallet's first of the action, run before any guarded one "
                  "(a pool's first swap of the run writes one of its own slots from zero).")
    for result in results:
        if result.latency:
            out.print(latency_table(result.latency))
            out.print(f"Every ask decrypts one keystore (the wallet's key, or a guarded wallet's "
                      f"agent key). This run's keystores use a cheap scrypt cost; one decrypt at the standard "
                      f"cost (N = 2**18) takes {result.latency.standard_scrypt_unlock_ms:.0f} ms "
                      f"here.")
    for backend, problem in problems.items():
        out.print(f"[yellow]{backend}: {problem}[/yellow]")


def as_json(results: list[BackendResult], problems: dict[str, str]) -> dict:
    def row(gas: ActionGas) -> dict:
        return asdict(gas) | {"difference": gas.difference, "ratio": round(gas.ratio, 3),
                              "first_extra": gas.first_extra}

    return {"anchor": ANCHOR,
            "results": [{"backend": r.backend, "setup_seconds": r.setup_seconds,
                         "tracked_assets": r.tracked_assets,
                         "gas": [row(g) for g in r.gas],
                         "latency": asdict(r.latency) if r.latency else None} for r in results],
            "problems": problems}


def from_json(data: dict) -> list[BackendResult]:
    results = []
    for r in data["results"]:
        derived = ("difference", "ratio", "first_extra")
        gas = [ActionGas(**{k: v for k, v in g.items() if k not in derived}) for g in r["gas"]]
        latency = Latency(**r["latency"]) if r["latency"] else None
        results.append(BackendResult(r["backend"], gas, latency, r["setup_seconds"],
                                     r["tracked_assets"]))
    return results


def run_each_in_a_process(args: argparse.Namespace) -> tuple[list[BackendResult], dict[str, str], int]:
    """`--backend both`: one child per backend, so each has its own home and module state."""
    results, problems, code = [], {}, 0
    for backend in ("embedded", "anvil"):
        child = subprocess.run(
            [sys.executable, __file__, "--backend", backend, "--rounds", str(args.rounds),
             "--warmup", str(args.warmup), "--json"], stdout=subprocess.PIPE, text=True)
        code = max(code, child.returncode)
        try:
            data = json.loads(child.stdout)
        except json.JSONDecodeError:
            problems[backend] = f"no figures (exit {child.returncode})"
            continue
        results += from_json(data)
        problems |= data["problems"]
    return results, problems, code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("embedded", "anvil", "both"), default="embedded")
    parser.add_argument("--rounds", type=int, default=30,
                        help="alternating latency rounds, one ask each way per round (0: skip)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed asks each way first")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.rounds < 0 or args.warmup < 0:
        parser.error("--rounds and --warmup must not be negative")
    err = Console(stderr=True)
    if args.backend == "both":
        results, problems, code = run_each_in_a_process(args)
    else:
        results, problems, code = [], {}, 0
        try:
            results.append(run_backend(args.backend, args.rounds, args.warmup, err))
        except BackendUnavailable as exc:
            problems[args.backend], code = f"skipped: {exc}", 2
        except BenchmarkFailure as exc:
            problems[args.backend], code = f"FAILED: {exc}", 1
    if args.json:
        print(json.dumps(as_json(results, problems), indent=2))
    else:
        print_report(results, problems)
    return code


if __name__ == "__main__":
    sys.exit(main())
