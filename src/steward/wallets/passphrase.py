"""Reading a wallet passphrase: from `STEWARD_PASSPHRASE`, or from the terminal, never echoed."""

from __future__ import annotations

import getpass
import os
import sys

from steward.errors import WalletError

PASSPHRASE_ENV = "STEWARD_PASSPHRASE"


def read_passphrase(confirm: bool = False, prompt: str = "Passphrase: ") -> str:
    """The passphrase from `STEWARD_PASSPHRASE` if set, else asked in the terminal.

    With `confirm` (creating or importing a wallet) the terminal asks twice and refuses an empty
    or mismatched answer. Without a terminal and without the variable this is an error, so a
    script never hangs waiting for input.
    """
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        raise WalletError(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal")
    passphrase = getpass.getpass(prompt)
    if confirm:
        if not passphrase:
            raise WalletError("the passphrase must not be empty")
        if getpass.getpass("Repeat passphrase: ") != passphrase:
            raise WalletError("the passphrases do not match")
    return passphrase
