"""Steward as an MCP server (`steward mcp`): tools for other agents, the guard in the loop.

`build_server()` gives the `MCPServer`; `run_stdio()` serves it on stdin/stdout. Imported
lazily so `import steward.mcp` does not load the MCP SDK.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_server", "run_stdio"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from steward.mcp import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
