"""The service layer: what the CLI, the JSON API, the dashboard and the MCP server do, once.

Plain functions returning Pydantic models — wallets, the portfolio, checks, requests and
proposals, the journal, chains — and one error vocabulary (`ServiceError`: a stable code, its
HTTP status, the message). The faces choose how to show the models (tables, JSON, HTML, MCP
answers) and keep display safety their own (`steward.display`); they do not repeat the glue.

It sits below the faces and above fulfilment, proposals, the portfolio and diligence: nothing
lower imports it. It chooses the bridge relayer fulfilment is given (`default_relayer`).

Each name loads its module on first use (PEP 562): a command that only parses a request must not
pay for web3, py-evm and the contract zoo at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from steward.service.chains import get_chain, list_chains
    from steward.service.checks import check_address, check_token, check_url
    from steward.service.errors import (CODES, ErrorBody, ErrorOut, ServiceError,
                                        as_service_error, error_code, http_status, translated)
    from steward.service.journal import JournalOut, get_journal
    from steward.service.portfolio import (ChainTotal, HoldingOut, PortfolioOut, WalletTotal,
                                           get_portfolio, portfolio_out)
    from steward.service.proposals import (SIGNABLE, approve, ask, default_relayer, deliver,
                                           execute, get_proposal, list_proposals, propose,
                                           reject)
    from steward.service.understanding import Understood, understand_request
    from steward.service.wallets import (NO_WALLET, WalletCreated, create_wallet, default_wallet,
                                         get_wallet, import_wallet, list_wallets, own_wallets,
                                         owner_address, remove_wallet, resolve_wallet,
                                         set_default_wallet, wallet_address, wallet_addresses)

_MODULES = {
    "chains": ["get_chain", "list_chains"],
    "checks": ["check_address", "check_token", "check_url"],
    "errors": ["CODES", "ErrorBody", "ErrorOut", "ServiceError", "as_service_error", "error_code",
               "http_status", "translated"],
    "journal": ["JournalOut", "get_journal"],
    "portfolio": ["ChainTotal", "HoldingOut", "PortfolioOut", "WalletTotal", "get_portfolio",
                  "portfolio_out"],
    "proposals": ["SIGNABLE", "approve", "ask", "default_relayer", "deliver", "execute",
                  "get_proposal", "list_proposals", "propose", "reject"],
    "understanding": ["Understood", "understand_request"],
    "wallets": ["NO_WALLET", "WalletCreated", "create_wallet", "default_wallet", "get_wallet",
                "import_wallet", "list_wallets", "own_wallets", "owner_address", "remove_wallet",
                "resolve_wallet", "set_default_wallet", "wallet_address", "wallet_addresses"],
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


__all__ = sorted(_HOME)
