"""Reading a wallet passphrase: from `STEWARD_PASSPHRASE`, or from the terminal, never echoed."""

from __future__ import annotations

import getpass
import os
import sys

from steward.errors import WalletError

PASSPHRASE_ENV = "STEWARD_PASSPHRASE"
MIN_PASSPHRASE_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5
PASSPHRASE_RULE = (f"at least {MIN_PASSPHRASE_LENGTH} characters, not a repeated pattern, an "
                   "alphabet, digit or keyboard run, or a common password (a few unrelated "
                   "words, like 'correct horse battery staple', work well)")
# Runs that people type as "random": alphabet, digits, and the common keyboard rows.
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiopasdfghjklzxcvbnm",
         "qwertzuiopasdfghjklyxcvbnm", "azertyuiopqsdfghjklmwxcvbn")
# The words at the top of every leaked-password list (letters only, lower case).
_COMMON = {"password", "passphrase", "passwort", "letmein", "iloveyou", "qwerty", "admin",
           "welcome", "monkey", "dragon", "football", "baseball", "sunshine", "princess",
           "trustno", "changeme", "secret", "master", "login", "abc", "steward", "wallet",
           "ethereum", "bitcoin", "metamask", "crypto", "test", "default", "hello"}


def passphrase_problem(passphrase: str) -> str | None:
    """Why a passphrase is too weak for a new keystore, or None when it is acceptable."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"it has only {len(passphrase)} character{'' if len(passphrase) == 1 else 's'}"
    lowered = passphrase.lower()
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        return f"it uses fewer than {MIN_DISTINCT_CHARACTERS} different characters"
    core = "".join(ch for ch in lowered if ch.isalnum())
    for size in range(1, len(core) // 2 + 1):
        if len(core) % size == 0 and core == core[:size] * (len(core) // size):
            return "it repeats one short pattern"
    for run in _RUNS:
        if core and (core in run * 3 or core in run[::-1] * 3):
            return "it is an alphabet, digit or keyboard run"
    letters = "".join(ch for ch in core if ch.isalpha())
    if not letters or letters in _COMMON:
        return "it is a common password with digits or symbols around it"
    return None


def check_new_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too weak to protect a new keystore (existing ones still unlock)."""
    if not isinstance(passphrase, str) or passphrase == "":
        raise WalletError("the passphrase must not be empty")
    problem = passphrase_problem(passphrase)
    if problem:
        raise WalletError(f"the passphrase is too weak ({problem}): use {PASSPHRASE_RULE}")


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
        check_new_passphrase(passphrase)  # before asking again, so a weak one is said at once
        if getpass.getpass("Repeat passphrase: ") != passphrase:
            raise WalletError("the passphrases do not match")
    return passphrase
