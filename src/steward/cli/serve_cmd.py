"""`steward serve` (the JSON API and the dashboard) and `steward token` (the API's bearer token).

The token never reaches a log: it is printed only when asked (`steward token`, `serve
--show-token`), and the server's logs hide any `token=` parameter (however its name is
percent-encoded) and the token's value anywhere in a line, in any case or encoding.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from typing import Annotated
from urllib.parse import unquote_plus

import typer

from steward.api.token import ensure_token, new_token, token_path
from steward.cli.render import console, err_console
from steward.errors import StewardError, WalletError
from steward.wallets import WalletStore, read_passphrase

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# A query parameter as sent (name and value still percent-encoded).
_PARAMETER = re.compile(r"([^?&;\s=\"'/]+)=([^&;\s\"']*)")
# Pieces of a logged line between URL and log delimiters; each is judged after decoding.
_PIECE = re.compile(r"[^/?&;#\s\"',]+")
REDACTED = "…"


def _decoded(text: str) -> str:
    """`text` percent-decoded (and '+' as a space) until it stops changing: `%2574` is `t`."""
    for _ in range(5):
        plain = unquote_plus(text)
        if plain == text:
            break
        text = plain
    return text.lower()


def redact_tokens(text: str, token: str | None = None) -> str:
    """`text` with the value of every parameter whose decoded name says "token" hidden, and
    every piece that decodes to the API token itself (in the path, a Referer, any case or
    percent-encoding) hidden; if the token still shows after decoding, the whole text goes."""
    secret = token.lower() if token else None

    def parameter(match: re.Match) -> str:
        if "token" in _decoded(match.group(1)):
            return f"{match.group(1)}={REDACTED}"
        return match.group(0)

    def piece(match: re.Match) -> str:
        plain = _decoded(match.group(0))
        if (secret and secret in plain) or ("token=" in plain
                                            and not plain.endswith("=" + REDACTED)):
            return REDACTED
        return match.group(0)

    text = _PIECE.sub(piece, _PARAMETER.sub(parameter, text))
    if secret and secret in _decoded(text):
        return "[redacted: it held the API token]"
    return text


class RedactTokens(logging.Filter):
    """Hides the API token in log records (the access log, whatever its format): `token=…`
    parameters however their name is encoded, and the token's value anywhere, in any case or
    percent-encoding (the dashboard's sign-in link carries one; a client may send it anywhere)."""

    def __init__(self, token: str | None = None):
        super().__init__()
        self.token = token

    def _clean(self, value):
        return redact_tokens(value, self.token) if isinstance(value, str) else value

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: self._clean(value) for key, value in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = self._clean(record.msg)
        return True


def install_log_redaction(token: str) -> None:
    """Every record of uvicorn's loggers passes `RedactTokens` before any handler sees it."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RedactTokens)]:
            logger.removeFilter(old)
        logger.addFilter(RedactTokens(token))


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
        install_log_redaction(token)
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


__all__ = ["RedactTokens", "install_log_redaction", "is_loopback", "redact_tokens", "register"]
