"""Guarded accounts: the owner's mandate enforced on chain, so even a stolen agent key cannot
exceed it (`contract`: the Vyper account from Python)."""
