"""A provider's HTTP face: results, rows with their Merkle proofs, and capability challenges.

Plain stdlib HTTP on a thread beside the worker's chain loop (the provider is a small process;
it needs no framework). Everything it serves is checked by the buyer against what was committed
on chain, so the server is trusted for nothing; it only has to be available.

- `GET /health` → `{"address", "wallet", "strategy"}`
- `GET /jobs/<id>/result` → matrix jobs: the n×n result as little-endian uint64 bytes;
  hash-chain jobs: `{"items": ["<decimal>", ...]}`
- `GET /jobs/<id>/rows/<i>` → `{"values": ["<decimal>", ...], "proof": ["<hex>", ...]}`
- `POST /capability` with `{"seed": "<hex of 32 bytes>", "n": <int>}` → `{"root": "<hex>"}`
- `GET /capability/<seed hex>/rows/<i>` → `{"values": [...], "proof": [...]}`
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

from steward.compute import capability

CAPABILITY_N = (64, 4096)  # sizes a provider agrees to prove itself on
KEEP_CHALLENGES = 8
MAX_BODY = 4096


class ProviderServer:
    """Serves a provider's results (from `results`, a `provider.ResultStore`) on loopback."""

    def __init__(self, results, identity: dict, *, port: int = 0, backend: str = "auto",
                 respond: Callable[[bytes, int], capability.RowCommitment] | None = None):
        self.results = results
        self.identity = identity
        self.backend = backend
        # How this provider answers a capability challenge (a stand-in for slow hardware is
        # the same honest computation on the hardware it really has).
        self.respond = respond or (lambda seed, n: capability.respond(seed, n, backend=backend))
        self.challenges: OrderedDict[bytes, capability.RowCommitment] = OrderedDict()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> "ProviderServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ---- answers -------------------------------------------------------------------------------
    def job_result(self, job_id: int) -> tuple[str, bytes] | None:
        held = self.results.get(job_id)
        if held is None or held.values is None:
            return None
        if held.kind == "matmul":
            return "application/octet-stream", np.ascontiguousarray(held.values,
                                                                    dtype="<u8").tobytes()
        return "application/json", json.dumps({"items": [str(v) for v in held.values]}).encode()

    def job_row(self, job_id: int, index: int) -> dict | None:
        held = self.results.get(job_id)
        if held is None or held.tree is None or not 0 <= index < held.tree.count:
            return None
        return {"values": [str(v) for v in held.row(index)],
                "proof": [node.hex() for node in held.tree.proof(index)]}

    def capability_root(self, seed: bytes, n: int) -> dict:
        commitment = self.respond(seed, n)
        with self._lock:
            self.challenges[seed] = commitment
            while len(self.challenges) > KEEP_CHALLENGES:
                self.challenges.popitem(last=False)
        return {"root": commitment.root.hex()}

    def capability_row(self, seed: bytes, index: int) -> dict | None:
        with self._lock:
            commitment = self.challenges.get(seed)
        if commitment is None or not 0 <= index < commitment.matrix.shape[0]:
            return None
        values, proof = commitment.open(index)
        return {"values": [str(v) for v in values], "proof": [node.hex() for node in proof]}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
                return

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, value: dict | None, missing: str) -> None:
                if value is None:
                    self._send(404, json.dumps({"error": missing}).encode())
                else:
                    self._send(200, json.dumps(value).encode())

            def do_GET(self):  # noqa: N802 - the stdlib's name
                path = self.path.split("?", 1)[0]
                if path == "/health":
                    return self._json(server.identity, "")
                if match := re.fullmatch(r"/jobs/(\d{1,12})/result", path):
                    found = server.job_result(int(match[1]))
                    if found is None:
                        return self._json(None, "no result held for that job")
                    return self._send(200, found[1], found[0])
                if match := re.fullmatch(r"/jobs/(\d{1,12})/rows/(\d{1,9})", path):
                    return self._json(server.job_row(int(match[1]), int(match[2])),
                                      "no such row held")
                if match := re.fullmatch(r"/capability/([0-9a-f]{64})/rows/(\d{1,9})", path):
                    return self._json(server.capability_row(bytes.fromhex(match[1]),
                                                            int(match[2])), "no such challenge row")
                return self._json(None, "not found")

            def do_POST(self):  # noqa: N802
                if self.path != "/capability":
                    return self._json(None, "not found")
                length = int(self.headers.get("Content-Length") or 0)
                if not 0 < length <= MAX_BODY:
                    return self._send(400, b'{"error": "a small JSON body is required"}')
                try:
                    body = json.loads(self.rfile.read(length))
                    seed, n = bytes.fromhex(body["seed"]), int(body["n"])
                except (ValueError, KeyError, TypeError):
                    return self._send(400, b'{"error": "send {\\"seed\\": hex, \\"n\\": int}"}')
                if len(seed) != 32 or not CAPABILITY_N[0] <= n <= CAPABILITY_N[1]:
                    return self._send(400, json.dumps({
                        "error": f"seed must be 32 bytes and n within {CAPABILITY_N}"}).encode())
                return self._json(server.capability_root(seed, n), "")

        return Handler


__all__ = ["ProviderServer"]
