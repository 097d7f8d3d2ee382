"""The service layer: what the CLI, the JSON API, the dashboard and the MCP server do, once.

Plain functions returning Pydantic models — wallets, the portfolio, checks, requests and
proposals, the journal, chains — and one error vocabulary (`ServiceError`: a stable code, its
HTTP status, the message). The faces choose how to show the models (tables, JSON, HTML, MCP
answers) and keep display safety their own (`steward.display`); they do not repeat the glue.

It sits below the faces and above fulfilment, proposals, the portfolio and diligence: nothing
lower imports it. It chooses the bridge relayer fulfilment is given (`default_relayer`).
"""

from __future__ import annotations

from steward.service.chains import get_chain, list_chains
from steward.service.checks import check_address, check_token, check_url
from steward.service.errors import (CODES, ErrorBody, ErrorOut, ServiceError, as_service_error,
                                    error_code, http_status, translated)
from steward.service.journal import JournalOut, get_journal
from steward.service.portfolio import (ChainTotal, HoldingOut, PortfolioOut, WalletTotal,
                                       get_portfolio, portfolio_out)
from steward.service.proposals import (SIGNABLE, approve, ask, default_relayer, deliver, execute,
                                       get_proposal, list_proposals, propose, reject)
from steward.service.wallets import (NO_WALLET, WalletCreated, create_wallet, default_wallet,
                                     get_wallet, import_wallet, list_wallets, own_wallets, owner_address,
                                     remove_wallet, resolve_wallet, set_default_wallet,
                                     wallet_address, wallet_addresses)

__all__ = [
    "CODES", "ChainTotal", "ErrorBody", "ErrorOut", "HoldingOut", "JournalOut", "NO_WALLET",
    "PortfolioOut", "SIGNABLE", "ServiceError", "WalletCreated", "WalletTotal", "approve",
    "as_service_error", "ask", "check_address", "check_token", "check_url", "create_wallet",
    "default_relayer", "default_wallet", "deliver", "error_code", "execute", "get_chain",
    "get_journal", "get_portfolio", "get_proposal", "get_wallet", "http_status", "import_wallet",
    "list_chains", "list_proposals", "list_wallets", "own_wallets", "owner_address",
    "portfolio_out", "propose", "reject", "remove_wallet", "resolve_wallet",
    "set_default_wallet", "translated", "wallet_address", "wallet_addresses",
]
