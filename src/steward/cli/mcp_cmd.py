"""`steward mcp`: serve Steward's tools to an MCP client (Claude Desktop, agent frameworks).

stdout carries the protocol and nothing else; anything for people goes to stderr. The client
starts this command itself, so the passphrase comes from STEWARD_PASSPHRASE in its env.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("mcp")
    def mcp() -> None:
        """Serve Steward as an MCP server on stdio: portfolio, propose, execute (only what the
        mandate allowed or a person approved), checks and the journal."""
        from steward.mcp import run_stdio  # the MCP SDK loads only for this command

        run_stdio()
