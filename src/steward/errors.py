"""Errors a user can act on. Their message is one line that says what was wrong and what is valid.

Nothing secret ever goes into a message: callers pass names, addresses and amounts, never keys.
"""


class StewardError(Exception):
    """An error the CLI prints as one line, with a non-zero exit and no traceback."""


class UnknownNameError(StewardError):
    """A token, chain, wallet or contact name that is not known; the message lists the valid ones."""

    def __init__(self, kind: str, name: str, valid: list[str] | tuple[str, ...], where: str = ""):
        listed = ", ".join(sorted(valid)) if valid else "none configured"
        place = f" on {where}" if where else ""
        super().__init__(f"unknown {kind} '{name}'{place}; valid {kind}s{place}: {listed}")
        self.kind, self.name, self.valid = kind, name, list(valid)


class NoRouteError(StewardError):
    """No pool with liquidity connects two tokens (a fact the chain gave, not a node failure)."""


class ChainConnectionError(StewardError):
    """An RPC endpoint that cannot be reached or that serves another chain."""


class WalletError(StewardError):
    """A wallet that cannot be created, unlocked or read."""


class InsufficientFundsError(StewardError):
    """Not enough balance for an amount plus gas; raised before anything is signed."""


class TransactionFailed(StewardError):
    """A transaction that would revert or did revert, with the decoded reason."""
