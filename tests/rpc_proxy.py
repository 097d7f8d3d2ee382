"""One JSON-RPC stand-in for the tests: a proxy in front of a real node, or a node of its own.

`JsonRpcProxy` listens on 127.0.0.1 (a free port; `.url`). For each JSON-RPC request in an HTTP
body (a single request or a batch, element by element):

- `on_request(request)` may answer it itself with a whole JSON-RPC response object (an error, a
  canned result); `None` lets it through;
- the rest go to `upstream` (a batch stays one batch there) and `on_answer(request, answer)` may
  rewrite each answer.

`.requests` counts HTTP requests, `.connections` TCP connections, and `.asked` lists the methods
asked, in order. With `drop_connections=True` it speaks HTTP/1.1 but closes every connection
after one answer without saying so, as a node or load balancer dropping an idle keep-alive
connection does. Use it as a context manager, or call `close()`.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OnRequest = Callable[[dict], "dict | None"]
OnAnswer = Callable[[dict, dict], dict]


def rpc_error(request: dict, code: int, message: str) -> dict:
    """The JSON-RPC error response to `request`."""
    return {"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": code, "message": message}}


def rpc_result(request: dict, result) -> dict:
    """The JSON-RPC success response to `request`."""
    return {"jsonrpc": "2.0", "id": request.get("id"), "result": result}


def without_method(method: str, message: str = "Method not found") -> OnRequest:
    """An `on_request` for a node that lacks `method`: JSON-RPC's "method not found" (-32601)."""

    def answer(request: dict) -> dict | None:
        return rpc_error(request, -32601, message) if request.get("method") == method else None

    return answer


class JsonRpcProxy:
    def __init__(self, upstream: str | None = None, *, on_request: OnRequest | None = None,
                 on_answer: OnAnswer | None = None, drop_connections: bool = False):
        self.upstream, self.on_request, self.on_answer = upstream, on_request, on_answer
        self.requests = 0
        self.connections = 0
        self.asked: list[str] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, drop_connections))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> JsonRpcProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, body):
        """The answer to one HTTP body: a request object or a batch of them."""
        batch = body if isinstance(body, list) else [body]
        with self._lock:
            self.requests += 1
            self.asked.extend(request.get("method") for request in batch)
        mine = [self.on_request(request) if self.on_request else None for request in batch]
        passed = [request for request, answer in zip(batch, mine) if answer is None]
        upstream = self._forward(passed if isinstance(body, list) else passed[0]) if passed else []
        if not isinstance(upstream, list):
            upstream = [upstream]
        by_id = {answer.get("id"): answer for answer in upstream}
        answers = []
        for request, answer in zip(batch, mine):
            if answer is None:
                answer = by_id[request.get("id")]
                if self.on_answer:
                    answer = self.on_answer(request, answer)
            answers.append(answer)
        return answers if isinstance(body, list) else answers[0]

    def _forward(self, body):
        if self.upstream is None:
            raise AssertionError(f"no upstream to ask for {body!r}")
        request = urllib.request.Request(self.upstream, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


def _handler(proxy: JsonRpcProxy, drop_connections: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if drop_connections else "HTTP/1.0"

        def setup(self):
            super().setup()
            with proxy._lock:
                proxy.connections += 1

        def do_POST(self):  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            out = json.dumps(proxy.answer(body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            if drop_connections:
                self.close_connection = True

        def log_message(self, *args):
            pass

    return Handler
