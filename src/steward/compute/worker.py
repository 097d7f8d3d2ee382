"""The provider worker process: `steward market compute-provider`. It serves its results over HTTP, registers (stakes) once, then ticks:
each tick is one turn on the chains (`payments.chain_turn`) in which `Provider.tick` does what
each of its jobs needs.

It prints one JSON line when it is ready (`{"ready": true, "url": ..., "address": ...}`) and one
line per action after that, so a supervisor (the demo, a test) can follow it. SIGTERM and SIGINT
stop it between ticks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from steward.compute import capability
from steward.compute.field import available_backend
from steward.compute.market import L1, ComputeMarket
from steward.compute.provider import Provider
from steward.compute.server import ProviderServer
from steward.errors import StewardError
from steward.execution import Executor
from steward.chains.turn import chain_turn
from steward.wallets import WalletStore, read_passphrase


@dataclass
class WorkerOptions:
    wallet: str
    strategy: str = "honest"
    port: int = 0
    stake: int = 50 * 10**6
    hardware: str | None = None
    claim_gflops: int | None = None
    backend: str = "auto"
    poll_seconds: float = 0.3
    min_price: int = 0
    chain: str = L1


def _say(**fields) -> None:
    print(json.dumps(fields), flush=True)


def _claim(options: WorkerOptions, backend: str) -> tuple[str, int]:
    """(hardware, GFLOPS) to list: an honest provider claims half of what it measures."""
    hardware = options.hardware or f"{backend} ({'GPU' if backend != 'numpy' else 'CPU'})"
    if options.claim_gflops is not None:
        return hardware, options.claim_gflops
    return hardware, max(1, int(capability.measure_gflops(backend) / 2))


def _list(provider: Provider, market: ComputeMarket, options: WorkerOptions, url: str,
          backend: str) -> None:
    listing = market.provider(provider.address)
    hardware, gflops = _claim(options, backend)
    if not listing.registered:
        provider.register(options.stake, hardware, gflops, url)
        return
    if (listing.endpoint, listing.hardware, listing.claimed_gflops) != (url, hardware, gflops):
        provider.run([provider.call("update_listing", hardware, gflops, url,
                                    description="update the provider's listing")],
                     "update the compute provider's listing (endpoint, hardware claim)")
    if listing.stake < options.stake:  # slashed before: back to the stake it chose to keep
        short = options.stake - listing.stake
        provider.run([provider.approve(short),
                      provider.call("add_stake", short, description="top up the stake")],
                     f"top the compute provider's stake up by {short} base units")


def run_worker(options: WorkerOptions, passphrase: str | None = None,
               stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    backend = available_backend(options.backend)
    account = WalletStore().unlock(options.wallet,
                                   passphrase if passphrase is not None else read_passphrase())
    with chain_turn():
        market = ComputeMarket(options.chain)
        provider = Provider(options.wallet, Executor(account, options.wallet), market,
                            strategy=options.strategy, backend=backend,
                            min_price=options.min_price,
                            log=lambda message: _say(wallet=options.wallet, action=message))
    server = ProviderServer(provider.results, {"address": provider.address,
                                                "wallet": options.wallet,
                                                "strategy": options.strategy},
                            port=options.port, backend=backend).start()
    try:
        with chain_turn():
            _list(provider, market, options, server.url, backend)
        _say(ready=True, url=server.url, address=provider.address, wallet=options.wallet,
             strategy=options.strategy, backend=backend)
        while not stop.is_set():
            try:
                with chain_turn():
                    provider.tick()
            except StewardError as exc:  # one bad tick (a node hiccup) must not end the worker
                _say(wallet=options.wallet, error=str(exc))
            stop.wait(options.poll_seconds)
    finally:
        server.stop()


def main(options: WorkerOptions) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        run_worker(options, stop=stop)
    except StewardError as exc:
        _say(wallet=options.wallet, fatal=str(exc))
        sys.exit(1)



READY_SECONDS = 180
WAIT_SECONDS = 120


def wait_until(check: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    """Poll `check` in chain turns (so workers get theirs in between) until it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with chain_turn():
            if check():
                return
        time.sleep(0.05)
    raise StewardError(f"timed out after {timeout:.0f} s waiting for {what}")


def wait_for_state(market: ComputeMarket, job_id: int, states: set[str],
                   timeout: float = WAIT_SECONDS) -> None:
    wait_until(lambda: market.job(job_id).state in states,
               f"job {job_id} to be {' or '.join(sorted(states))}", timeout)


class WorkerProcesses:
    """Provider workers as separate processes (`steward market compute-provider`): started,
    followed through their JSON lines, stopped with SIGTERM. The demo, the benchmark and the
    tests supervise them with this."""

    def __init__(self, log: Callable[[str], None] = lambda message: None,
                 env: dict[str, str] | None = None):
        self.log = log
        self.env = env
        self.processes: dict[str, subprocess.Popen] = {}
        self.ready: dict[str, dict] = {}
        self.lines: list[dict] = []
        self._lock = threading.Lock()

    def start(self, wallet: str, strategy: str = "honest", extra: list[str] | None = None) -> None:
        command = [sys.executable, "-m", "steward.cli", "market", "compute-provider",
                   "--wallet", wallet, "--strategy", strategy, *(extra or [])]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, env=self.env or os.environ.copy())
        self.processes[wallet] = process
        threading.Thread(target=self._follow, args=(wallet, process), daemon=True).start()

    def _follow(self, wallet: str, process: subprocess.Popen) -> None:
        for line in process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                self.lines.append(event)
                if event.get("ready"):
                    self.ready[wallet] = event
            message = event.get("action") or event.get("fatal") or event.get("error")
            if message:
                self.log(f"{wallet}: {message}")

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.ready) == len(self.processes):
                return
            dead = [wallet for wallet, process in self.processes.items()
                    if process.poll() is not None]
            if dead:
                raise StewardError(f"provider worker(s) {', '.join(dead)} exited before they "
                                   "were ready")
            time.sleep(0.2)
        raise StewardError(f"provider workers not ready after {timeout:.0f} s")

    def stop(self, wallet: str | None = None, *, kill: bool = False) -> None:
        chosen = [self.processes[wallet]] if wallet else list(self.processes.values())
        for process in chosen:
            if process.poll() is None:
                process.kill() if kill else process.terminate()
        for process in chosen:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> "WorkerProcesses":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
