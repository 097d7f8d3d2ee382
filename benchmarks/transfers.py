"""ERC-20 transfers per second: Steward's execution path vs raw web3.py, on the same backend.

For each backend (the embedded py-evm chain and a local anvil node) the script deploys an ERC-20
(6 decimals) through Steward, mints to the sender, and then times N transfers of 1 base unit
each way, in the same run and against the same `Web3` connection:

* raw web3.py: `contract.functions.transfer(...).build_transaction(...)`, sign locally with
  eth-account, `send_raw_transaction`, `wait_for_transaction_receipt`, check the status;
* Steward: one `Plan` holding one `erc20.transfer_call(...)` per transfer, run by
  `Executor.execute(plan, verdict)` (verdict check, daily-limit re-check under the wallet lock,
  affordability check, gas estimate, fee caps, nonce under the file lock, signing, journal
  rows, receipt). The guard's verdict for each plan is made before the clock starts: this
  measures the signing path; `benchmarks/guard.py` measures the guard.

The two are run in alternating rounds (A B, B A, A B, ...) after a short warm-up so that drift in
the backend (state growth, caches) falls on both equally. Each way sends to its own set of fresh
recipients, and at the end their balances must add up to exactly the transfers that way sent, so
a run with failed sends cannot report a rate.

Target: Steward's overhead, (raw rate / Steward rate - 1) * 100, is at most 10 %.

Run:  .venv/bin/python benchmarks/transfers.py [--backend embedded|anvil|all]
          [--transfers N] [--rounds R] [--warmup W] [--json]

It uses a temporary STEWARD_HOME, so it never touches ~/.steward. The exit code is 0 whether or
not the target is met (this is a measurement); 1 if a transfer failed or the balances do not
add up; 2 if a backend could not be set up (for example anvil is not installed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

TARGET_OVERHEAD_PCT = 10.0
DEFAULT_TRANSFERS = {"embedded": 100, "anvil": 200}
BACKENDS = ("embedded", "anvil")
EMBEDDED_CHAIN = "sandbox-l1"
ANVIL_CHAIN = "bench-anvil"
CHAIN_ID = 1_337_001
RECIPIENTS_PER_WAY = 8
DECIMALS = 6
MINTED = 10**9 * 10**DECIMALS


class BenchmarkFailure(Exception):
    """A transfer failed or the balances do not add up: the figures would be meaningless."""


class BackendUnavailable(Exception):
    """The backend could not be set up (anvil missing, for example)."""


@dataclass
class WayTiming:
    transfers: int = 0
    seconds: float = 0.0
    round_rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.transfers / self.seconds if self.seconds else 0.0


@dataclass
class BackendResult:
    backend: str
    transfers_each: int
    raw_seconds: float
    steward_seconds: float
    raw_tps: float
    steward_tps: float
    raw_ms_per_transfer: float
    steward_ms_per_transfer: float
    overhead_pct: float
    median_round_overhead_pct: float  # less sensitive to one disturbed round
    target_pct: float
    meets_target: bool
    raw_round_tps: list[float]
    steward_round_tps: list[float]
    balances_verified: bool


def recipients(label: str, count: int) -> list[str]:
    """Fresh, deterministic addresses nobody holds keys for (balance 0 before the run)."""
    from eth_utils import keccak, to_checksum_address

    return [to_checksum_address(keccak(text=f"steward-bench/{label}/{i}")[-20:]) for i in range(count)]


class Bench:
    """One backend: a deployed token, a sender, and the two ways of sending a transfer."""

    def __init__(self, chain_name: str):
        from steward.chains import chain_config, connect
        from steward.chains.embedded import dev_account
        from steward.contracts import initcode
        from steward.execution import Executor
        from steward.guard import approve, review
        from steward.guard.mandate import unrestricted_mandate
        from steward.planning import Call, Plan
        from steward.protocols import erc20

        self.chain = chain_config(chain_name)
        self.w3 = connect(self.chain)
        self.account = dev_account(0)
        self.sender = self.account.address
        self.executor = Executor(self.account, "bench")
        self._Plan, self._erc20 = Plan, erc20
        mandate = unrestricted_mandate("bench")
        self.judged = lambda plan: (plan, approve(review(plan, "bench", mandate=mandate), "bench"))
        self.prepared: list[tuple] = []

        deployed = self.executor.execute(*self.judged(Plan(
            chain=self.chain.name, sender=self.sender, summary="deploy the benchmark token",
            calls=[Call(to=None, data="0x" + initcode("ERC20", "Bench Token", "BENCH", DECIMALS).hex(),
                        description="deploy BENCH", gas_hint=3_000_000)],
        )))
        token_address = deployed.steps[0].contract_address
        if not token_address:
            raise BenchmarkFailure("the token deployment returned no contract address")
        self.token = erc20.token_info(self.w3, token_address)
        mint_data = erc20.encode(self.w3, token_address, "ERC20", "mint", self.sender, MINTED)
        self.executor.execute(*self.judged(Plan(
            chain=self.chain.name, sender=self.sender, summary="mint the benchmark balance",
            calls=[Call(to=token_address, data=mint_data, description="mint BENCH", gas_hint=100_000)],
        )))
        # The baseline's contract object is built once, as a web3.py user would.
        self.contract = erc20.token_contract(self.w3, token_address)
        self.raw_recipients = recipients(f"{self.chain.name}/raw", RECIPIENTS_PER_WAY)
        self.steward_recipients = recipients(f"{self.chain.name}/steward", RECIPIENTS_PER_WAY)
        self.sent = {"raw": 0, "steward": 0}

    def raw_transfer(self) -> None:
        """Idiomatic web3.py with local signing."""
        w3, sender = self.w3, self.sender
        recipient = self.raw_recipients[self.sent["raw"] % RECIPIENTS_PER_WAY]
        tx = self.contract.functions.transfer(recipient, 1).build_transaction({
            "from": sender,
            "nonce": w3.eth.get_transaction_count(sender, "pending"),
            "chainId": self.chain.chain_id,
        })
        signed = self.account.sign_transaction(tx)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise BenchmarkFailure(f"raw web3.py transfer {tx_hash.hex()} reverted")
        self.sent["raw"] += 1

    def prepare(self, way: str, count: int) -> None:
        """Untimed, before a round: the next Steward plans and the guard's verdicts for them
        (on anvil each verdict comes from a forked node, which must not run while timing)."""
        if way != "steward":
            return
        for offset in range(count):
            index = self.sent["steward"] + len(self.prepared) + offset
            recipient = self.steward_recipients[index % RECIPIENTS_PER_WAY]
            call = self._erc20.transfer_call(self.w3, self.token, recipient, 1,
                                             f"send 0.000001 {self.token.symbol} to {recipient}")
            self.prepared.append(self.judged(self._Plan(
                chain=self.chain.name, sender=self.sender, calls=[call],
                summary=f"transfer 1 base unit of {self.token.symbol} (#{index})")))

    def steward_transfer(self) -> None:
        """Steward's signing path: a judged one-call plan through `Executor.execute`."""
        plan, verdict = self.prepared.pop(0)
        result = self.executor.execute(plan, verdict)
        if len(result.steps) != 1 or result.steps[0].status != "success":
            raise BenchmarkFailure(f"Steward transfer did not succeed: {result.steps}")
        self.sent["steward"] += 1

    def verify(self) -> None:
        """The recipients of each way must hold exactly what that way sent, and no more."""
        for way, addresses in (("raw", self.raw_recipients), ("steward", self.steward_recipients)):
            held = sum(self.contract.functions.balanceOf(a).call() for a in addresses)
            if held != self.sent[way]:
                raise BenchmarkFailure(
                    f"{self.chain.name}: {way} recipients hold {held} base units, "
                    f"but {self.sent[way]} transfers were sent"
                )


def measure(bench: Bench, transfers: int, rounds: int, warmup: int,
            advance: Callable[[str], None]) -> tuple[WayTiming, WayTiming]:
    ways = {"raw": bench.raw_transfer, "steward": bench.steward_transfer}
    for _ in range(warmup):
        for way, send in ways.items():
            bench.prepare(way, 1)
            send()
            advance(f"warm-up ({way})")

    timings = {"raw": WayTiming(), "steward": WayTiming()}
    rounds = max(1, min(rounds, transfers))
    sizes = [transfers // rounds + (1 if i < transfers % rounds else 0) for i in range(rounds)]
    perf = time.perf_counter
    for index, size in enumerate(sizes):
        order = ("raw", "steward") if index % 2 == 0 else ("steward", "raw")
        for way in order:
            send, timing = ways[way], timings[way]
            label = f"round {index + 1}/{rounds} ({'raw web3.py' if way == 'raw' else 'Steward'})"
            elapsed = 0.0
            bench.prepare(way, size)
            for _ in range(size):
                began = perf()
                send()
                elapsed += perf() - began
                advance(label)
            timing.transfers += size
            timing.seconds += elapsed
            timing.round_rates.append(size / elapsed if elapsed else 0.0)
    return timings["raw"], timings["steward"]


def run_backend(backend: str, transfers: int, rounds: int, warmup: int,
                progress: Progress) -> BackendResult:
    from steward.chains import forget_connections, update_chain

    setup_steps = 3
    task = progress.add_task(f"{backend}: setting up", total=setup_steps + 2 * (warmup + transfers))

    def advance(label: str) -> None:
        progress.update(task, advance=1, description=f"{backend}: {label}")

    node = None
    try:
        if backend == "anvil":
            from steward.chains.anvil import AnvilNode
            from steward.errors import StewardError

            try:
                node = AnvilNode(chain_id=CHAIN_ID).start()
            except StewardError as exc:
                raise BackendUnavailable(str(exc)) from None
            update_chain(ANVIL_CHAIN, rpc_url=node.url, chain_id=CHAIN_ID)
            forget_connections()
            chain_name = ANVIL_CHAIN
        else:
            chain_name = EMBEDDED_CHAIN
        advance("deploying the token")
        bench = Bench(chain_name)
        progress.update(task, advance=1)
        raw, steward = measure(bench, transfers, rounds, warmup, advance)
        advance("verifying balances")
        bench.verify()
    finally:
        if node is not None:
            node.stop()
        forget_connections()

    overhead = (raw.rate / steward.rate - 1) * 100
    return BackendResult(
        backend=backend,
        transfers_each=transfers,
        raw_seconds=round(raw.seconds, 4),
        steward_seconds=round(steward.seconds, 4),
        raw_tps=round(raw.rate, 2),
        steward_tps=round(steward.rate, 2),
        raw_ms_per_transfer=round(1000 * raw.seconds / raw.transfers, 3),
        steward_ms_per_transfer=round(1000 * steward.seconds / steward.transfers, 3),
        overhead_pct=round(overhead, 1),
        median_round_overhead_pct=round(
            (statistics.median(raw.round_rates) / statistics.median(steward.round_rates) - 1) * 100, 1),
        target_pct=TARGET_OVERHEAD_PCT,
        meets_target=overhead <= TARGET_OVERHEAD_PCT,
        raw_round_tps=[round(r, 2) for r in raw.round_rates],
        steward_round_tps=[round(r, 2) for r in steward.round_rates],
        balances_verified=True,
    )


def render_table(results: list[BackendResult], problems: dict[str, str]) -> Table:
    table = Table(title="ERC-20 transfers/s: Steward vs raw web3.py, same backend and run")
    table.add_column("backend")
    table.add_column("N each", justify="right")
    table.add_column("raw tx/s", justify="right")
    table.add_column("Steward tx/s", justify="right")
    table.add_column("overhead", justify="right")
    table.add_column("target", justify="right")
    table.add_column("result")
    for r in results:
        verdict = "[green]PASS[/green]" if r.meets_target else "[red]over target[/red]"
        table.add_row(
            r.backend, str(r.transfers_each), f"{r.raw_tps:.1f}", f"{r.steward_tps:.1f}",
            f"{r.overhead_pct:+.1f} %", f"≤ {r.target_pct:.0f} %", verdict,
        )
    for backend, problem in problems.items():
        table.add_row(backend, "", "", "", "", f"≤ {TARGET_OVERHEAD_PCT:.0f} %",
                      f"[yellow]{problem.split(':')[0]}[/yellow]")
    return table


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=(*BACKENDS, "all"), default="all")
    parser.add_argument("--transfers", type=int, default=None, metavar="N",
                        help="timed transfers per way and backend (default: 100 embedded, 200 anvil)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="alternating rounds the transfers are split into (default 10)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed transfers each way before measuring (default 5)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.transfers is not None and args.transfers < 1:
        parser.error("--transfers must be at least 1")
    if args.rounds < 1 or args.warmup < 0:
        parser.error("--rounds must be at least 1 and --warmup at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = BACKENDS if args.backend == "all" else (args.backend,)
    out = Console()
    err = Console(stderr=True)
    results: list[BackendResult] = []
    problems: dict[str, str] = {}
    failure: str | None = None
    failed_backend: str | None = None

    with tempfile.TemporaryDirectory(prefix="steward-bench-") as home:
        os.environ["STEWARD_HOME"] = home  # before any steward module reads it
        from steward.chains.embedded import close_all

        try:
            columns = (TextColumn("{task.description:<44}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn())
            with Progress(*columns, console=err, transient=args.json) as progress:
                for backend in backends:
                    transfers = args.transfers or DEFAULT_TRANSFERS[backend]
                    try:
                        results.append(run_backend(backend, transfers, args.rounds, args.warmup, progress))
                    except BackendUnavailable as exc:
                        problems[backend] = f"skipped: {exc}"
                    except Exception as exc:  # a failed transfer: report it, and no rate
                        failure = f"{backend}: {type(exc).__name__}: {exc}"
                        problems[backend] = "FAILED"
                        failed_backend = backend
                        break
        finally:
            close_all()

    if args.json:
        print(json.dumps({
            "target_overhead_pct": TARGET_OVERHEAD_PCT,
            "results": [asdict(r) for r in results],
            "problems": problems,
            "failure": failure,
        }, indent=2))
    else:
        out.print(render_table(results, problems))
        for r in results:
            out.print(f"{r.backend}: {r.raw_ms_per_transfer:.2f} ms/transfer raw, "
                      f"{r.steward_ms_per_transfer:.2f} ms/transfer Steward; overhead from the median "
                      f"rounds {r.median_round_overhead_pct:+.1f} %; per-round tx/s raw "
                      f"{r.raw_round_tps}, Steward {r.steward_round_tps}")
        for backend, problem in problems.items():
            if backend != failed_backend:
                out.print(f"{backend}: {problem}")
        if results:
            out.print("overhead = (raw tx/s ÷ Steward tx/s − 1) × 100. Each way's recipients were "
                      "checked to hold exactly the transfers it sent.")
    if failure:
        err.print(f"[red]transfer failed[/red]: {failure}")
        return 1
    if problems:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
