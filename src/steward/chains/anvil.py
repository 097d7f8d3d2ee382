"""Anvil, Foundry's local Ethereum node, as a child process bound to 127.0.0.1.

`make setup-anvil` installs the npm package `@foundry-rs/anvil` into `.tools/`; npm puts the
native binary in the per-platform package `@foundry-rs/anvil-<os>-<arch>/bin/anvil`, which is run
directly (the `node_modules/.bin/anvil` wrapper starts Node first and adds about 0.1 s).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from steward.errors import ChainConnectionError, StewardError

ANVIL_ENV = "STEWARD_ANVIL"
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 5.0
NOT_FOUND = "anvil not found: run `make setup-anvil` (installs @foundry-rs/anvil into .tools/)"

_REPO_ROOT = Path(__file__).resolve().parents[3]


def _platform_package() -> tuple[str, str]:
    """(npm package, binary file name) of the native anvil for this machine."""
    machine = platform.machine().lower()
    arch = "arm64" if machine in ("arm64", "aarch64") else "amd64"
    if sys.platform == "win32":
        return "anvil-win32-amd64", "anvil.exe"
    os_name = "darwin" if sys.platform == "darwin" else "linux"
    return f"anvil-{os_name}-{arch}", "anvil"


def _candidates(tools: Path) -> list[Path]:
    package, binary = _platform_package()
    modules = tools / "node_modules"
    return [
        modules / "@foundry-rs" / package / "bin" / binary,  # the optional platform package
        modules / "@foundry-rs" / "anvil" / binary,  # where its postinstall downloads it instead
        modules / ".bin" / binary,  # the Node wrapper (slower start)
    ]


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_anvil() -> Path:
    """The anvil binary: `STEWARD_ANVIL`, else `.tools/` (in the cwd, then the repo), else PATH."""
    override = os.environ.get(ANVIL_ENV)
    if override:
        path = Path(override).expanduser()
        if not _runnable(path):
            raise StewardError(f"{ANVIL_ENV} is {override}, which is not an executable file")
        return path
    roots = [Path.cwd() / ".tools", _REPO_ROOT / ".tools"]
    for root in dict.fromkeys(r.resolve() for r in roots):
        for candidate in _candidates(root):
            if _runnable(candidate):
                return candidate
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise StewardError(NOT_FOUND)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _rpc_chain_id(url: str, timeout: float = 1.0) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(json.loads(response.read())["result"], 16)


def _tail(handle: IO[bytes] | None, limit: int = 2000) -> str:
    if handle is None:
        return ""
    try:
        handle.flush()
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - limit))
        return handle.read().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""


def _terminate(process: subprocess.Popen, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class AnvilNode:
    """An anvil node on 127.0.0.1, started by `start()` or `with AnvilNode(...) as node:`.

    `url` is its HTTP JSON-RPC endpoint, `chain_id` the chain id it serves. Without a `port` a
    free one is picked (and another tried if anvil loses the race for it).
    """

    def __init__(
        self,
        chain_id: int = 31337,
        port: int | None = None,
        fork_url: str | None = None,
        extra_args: Sequence[str] = (),
    ):
        self.chain_id = int(chain_id)
        self.port = port
        self.fork_url = fork_url
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen | None = None
        self.binary: Path | None = None
        self.startup_seconds: float | None = None
        self._stderr: IO[bytes] | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise StewardError("the anvil node has not been started")
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _command(self, port: int) -> list[str]:
        command = [
            str(self.binary),
            "--host", HOST,
            "--port", str(port),
            "--chain-id", str(self.chain_id),
            "--quiet",
        ]  # fmt: skip
        if self.fork_url:
            command += ["--fork-url", self.fork_url]
        return command + self.extra_args

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> AnvilNode:
        """Launch anvil and wait until it answers `eth_chainId`; returns self."""
        if self.running:
            return self
        self.binary = find_anvil()
        chosen_port = self.port
        attempts = 1 if chosen_port is not None else 3
        for attempt in range(attempts):
            port = chosen_port if chosen_port is not None else free_port()
            try:
                self._launch(port, timeout)
                return self
            except _PortLost:
                self.port = chosen_port
                if chosen_port is not None:
                    raise ChainConnectionError(
                        f"cannot start anvil: port {chosen_port} on {HOST} is already in use"
                    ) from None
        raise ChainConnectionError(f"anvil could not bind a free port on {HOST} after {attempts} tries")

    def _launch(self, port: int, timeout: float) -> None:
        self._stderr = tempfile.TemporaryFile()
        began = time.monotonic()
        self.process = subprocess.Popen(
            self._command(port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        self._finalizer = weakref.finalize(self, _terminate, self.process, 1.0)
        self.port = port
        url = self.url
        deadline = began + timeout
        while True:
            code = self.process.poll()
            if code is not None:
                tail = _tail(self._stderr)
                self._cleanup()
                if "address already in use" in tail.lower():
                    raise _PortLost()
                raise ChainConnectionError(
                    f"anvil ({self.binary}) exited with code {code} while starting"
                    + (f": {tail}" if tail else "")
                )
            try:
                served = _rpc_chain_id(url)
            except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError):
                served = None
            if served is not None:
                if served != self.chain_id:
                    self.stop()
                    raise ChainConnectionError(
                        f"anvil at {url} serves chain id {served}, not {self.chain_id}"
                    )
                self.startup_seconds = time.monotonic() - began
                return
            if time.monotonic() > deadline:
                tail = _tail(self._stderr)
                self.stop()
                raise ChainConnectionError(
                    f"anvil did not answer at {url} within {timeout:.0f} s"
                    + (f": {tail}" if tail else "")
                )
            time.sleep(0.02)

    def stop(self) -> None:
        """Terminate anvil (kill it if it does not exit in a few seconds). Safe to call twice."""
        if self.process is not None:
            _terminate(self.process)
        self._cleanup()

    def _cleanup(self) -> None:
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> AnvilNode:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        where = f" at {self.url}" if self.port is not None else ""
        return f"<AnvilNode chain {self.chain_id}{where} {state}>"


class _PortLost(Exception):
    """anvil exited because another process took the port between choosing and binding it."""


__all__ = ["AnvilNode", "find_anvil", "free_port", "ANVIL_ENV", "NOT_FOUND"]
