"""`steward serve` (the JSON API and the dashboard) and `steward token` (the API's bearer token).

The token never reaches a log: it is printed only when asked (`steward token`, `serve
--show-token`), and the access log hides any `token=` in a request's query string.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from typing import Annotated

import typer

from steward.api.token import ensure_token, new_token, token_path
from steward.cli.render import console, err_console
from steward.errors import StewardError, WalletError
from steward.wallets import WalletStore, read_passphrase

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_TOKEN_IN_QUERY = re.compile(r"(token=)[^&\s]*", re.IGNORECASE)


class RedactTokens(logging.Filter):
    """Hides `token=…` in access-log lines (the dashboard's sign-in link carries one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_TOKEN_IN_QUERY.sub(r"\1…", arg) if isinstance(arg, str) else arg
                                for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = _TOKEN_IN_QUERY.sub(r"\1…", record.msg)
        return True


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def unlock_check(passphrase: str) -> str:
    """The default wallet's name, once the passphrase has been shown to unlock it."""
    store = WalletStore()
    name = store.default_name()
    if name is None:
        raise StewardError("no wallet yet: run `steward sandbox up` or `steward wallet create "
                           "NAME`, then `steward serve`")
    try:
        store.unlock(name, passphrase)
    except WalletError as exc:
        raise WalletError(f"the passphrase does not unlock the default wallet '{name}' ({exc}); "
                          "set STEWARD_PASSPHRASE to its passphrase (or type it at the prompt) "
                          "and start again") from None
    return name


def check_port_free(host: str, port: int) -> None:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host.strip("[]"), port))
    except OSError as exc:
        raise StewardError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pick "
                           "another --port or --host") from None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="Address to listen on; loopback keeps it on this "
                                               "machine.")] = DEFAULT_HOST,
        port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = DEFAULT_PORT,
        show_token: Annotated[bool, typer.Option(
            "--show-token", help="Print the dashboard's sign-in link, token included.")] = False,
    ) -> None:
        """Serve the JSON API (/api/…, bearer token) and the dashboard (/) over HTTP."""
        import uvicorn

        from steward import chains as chain_registry
        from steward.api import create_app

        token, created = ensure_token()
        passphrase = read_passphrase(prompt="Wallet passphrase (to sign approved proposals): ")
        wallet = unlock_check(passphrase)
        chain_registry.end_all_sessions()
        check_port_free(host, port)
        if not is_loopback(host):
            err_console.print(f"[bold yellow]warning:[/] listening on {host}, not loopback: "
                              "other machines can reach this server; anyone with the token can "
                              "approve and sign, and plain HTTP can be read on the way — put TLS "
                              "in front of it or use --host 127.0.0.1")
        base = f"http://{_url_host(host)}:{port}"
        console.print(f"Steward on {base} (default wallet {wallet}); Ctrl-C stops it",
                      soft_wrap=True)
        console.print(f"API: {base}/api/ (spec {base}/openapi.json, docs {base}/docs); bearer "
                      f"token in {token_path()}" + (" (created now)" if created else ""),
                      soft_wrap=True)
        if show_token:
            console.print(f"Dashboard: {base}/login?token={token}", soft_wrap=True,
                          highlight=False)
        else:
            console.print(f"Dashboard: {base}/ (sign in with the token; `steward serve "
                          "--show-token` prints a sign-in link)")
        logging.getLogger("uvicorn.access").addFilter(RedactTokens())
        uvicorn.run(create_app(token=token, passphrase=passphrase), host=host.strip("[]"),
                    port=port, log_level="info", server_header=False)

    @app.command("token")
    def token_cmd(
        new: Annotated[bool, typer.Option(
            "--new", help="Replace the token (restart `steward serve` to use it).")] = False,
    ) -> None:
        """Print the API's bearer token (created if missing). Whoever holds it acts as you."""
        token = new_token() if new else ensure_token()[0]
        err_console.print(f"[dim]from {token_path()}[/]")
        console.print(token, soft_wrap=True, highlight=False)


__all__ = ["RedactTokens", "is_loopback", "register"]
