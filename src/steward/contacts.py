"""The address book: named counterparties, and how a recipient written by a person is resolved.

A recipient is a contact name, one of the owner's own wallet names, or an address of the chain's
family: on an EVM chain a 0x address, on a Solana chain a base58 public key. A contact may hold
one address of each family; the one used is the one of the chain being paid on, and an address
of the other family is refused, never converted (the two families' keys are unrelated, so
"converting" would pay a stranger).

EVM: a mixed-case address must carry a valid EIP-55 checksum; an all-lower-case one is accepted
as unchecked (the guard compares it with every known address: a near miss is a look-alike); an
all-capitals one is refused, since it looks deliberate but carries no checksum.

Solana: a base58 public key must decode to exactly 32 bytes. Base58 is case-sensitive and has
no checksum, so a key is kept exactly as written (changing a letter's case is another key) and
every literal one is unchecked. Nothing is ever guessed.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, model_validator

from steward.chains.config import BASE58_PUBKEY, is_solana_address
from steward.errors import StewardError
from steward.home import home_path, write_private

Family = Literal["evm", "solana"]


class Contact(BaseModel):
    name: str
    address: str | None = None  # the EVM (0x, EIP-55) address; None: known on Solana only
    note: str = ""
    solana_address: str | None = None  # a base58 public key, exactly as given

    @model_validator(mode="after")
    def _has_an_address(self) -> "Contact":
        if self.address is None and self.solana_address is None:
            raise ValueError(f"contact '{self.name}' has no address")
        if self.solana_address is not None and not is_solana_address(self.solana_address):
            raise ValueError(f"contact '{self.name}': {self.solana_address!r} is not a Solana "
                             "public key")
        return self

    def address_for(self, family: Family) -> str | None:
        return self.solana_address if family == "solana" else self.address


class Recipient(BaseModel):
    address: str
    label: str  # how to show it: "bob", "wallet savings", or the short address
    source: str  # "address book", "own wallet" or "address"


def _path():
    return home_path("addressbook.json")


def load_contacts() -> dict[str, Contact]:
    path = _path()
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text())
        return {name: Contact(name=name, **entry) for name, entry in raw.items()}
    except (ValueError, TypeError) as exc:
        raise StewardError(f"{path} is not a valid address book: {exc}") from None


def save_contact(name: str, address: str, note: str = "") -> Contact:
    """Add or update a contact. A 0x address becomes its EVM address, a base58 public key its
    Solana address; the address it holds for the other family is kept, and so is its note when
    no new one is given."""
    family, checked = address_family(address)
    contacts = load_contacts()
    key = name.lower()
    if is_solana_address(name.strip()) or name.strip().lower().startswith("0x"):
        raise StewardError(f"'{name}' looks like an address; a contact's name must be a name")
    existing = contacts.get(key)
    fields = existing.model_dump(exclude={"name"}) if existing else {}
    fields["address" if family == "evm" else "solana_address"] = checked
    fields["note"] = note or (existing.note if existing else "")
    contact = Contact(name=key, **fields)
    contacts[contact.name] = contact
    # exclude_none: an EVM-only book is written exactly as before Solana existed
    write_private(_path(), json.dumps(
        {c.name: c.model_dump(exclude={"name"}, exclude_none=True) for c in contacts.values()},
        indent=2))
    return contact


def remove_contacts() -> None:
    _path().unlink(missing_ok=True)


def address_family(text: str) -> tuple[Family, str]:
    """Which family an address written by a person belongs to, and its checked form (EIP-55 for
    EVM; a Solana key unchanged). Anything that is neither is an error saying why."""
    text = text.strip()
    if text.lower().startswith("0x"):
        return "evm", checked_address(text)
    return "solana", checked_solana_address(text)


def checked_solana_address(text: str) -> str:
    """A Solana public key exactly as written, or an error saying why it is not one."""
    text = text.strip()
    if BASE58_PUBKEY.match(text):
        letters = sum(c.isalpha() for c in text)
        # A real key mixes cases (one whose 16+ letters share a case: odds below 1 in 10**9);
        # a single-case one was lower- or upper-cased on its way here, and may well decode to
        # a different, valid key: someone else's, or no one's.
        if letters >= 16 and (text == text.lower() or text == text.upper()):
            raise StewardError(
                f"'{text}' is written all in {'lower' if text == text.lower() else 'upper'} "
                "case; a Solana address is case-sensitive and a real one mixes cases, so this "
                "one was probably re-cased on its way here (which makes it another account); "
                "copy it again exactly from a trusted source")
    if is_solana_address(text):
        return text
    if BASE58_PUBKEY.match(text):
        raise StewardError(f"'{text}' is not a Solana address: it does not decode to a 32-byte "
                           "public key (a character is wrong or missing); copy it again from a "
                           "trusted source")
    raise StewardError(f"'{text}' is not an address: expected 0x followed by 40 hex digits (EVM) "
                       "or a base58 Solana public key (32 to 44 characters, no 0, O, I or l)")


def checked_address(text: str) -> str:
    from eth_utils import is_address, is_checksum_address, to_checksum_address  # first use only

    text = text.strip()
    if not is_address(text) and not (text.startswith("0x") and len(text) == 42):
        raise StewardError(f"'{text}' is not an address: expected 0x followed by 40 hex digits")
    if not is_address(text):
        raise StewardError(f"'{text}' is not an address: it has characters that are not hex digits")
    digits = text[2:]
    # A valid checksum can make every letter upper- (or lower-) case, so it is tried first.
    if digits != digits.lower() and not is_checksum_address(text):
        if digits == digits.upper():
            # All capitals carry no checksum, so a one-character typo would pass unseen.
            raise StewardError(
                f"{text} is written in capitals, which carries no EIP-55 checksum, so a typo "
                "in it cannot be caught; give it in its mixed-case (checksummed) form, or in "
                "lower case to have it compared with your contacts and history"
            )
        raise StewardError(
            f"{text} has a bad EIP-55 checksum (a typo or a tampered address); "
            "copy it again from a trusted source"
        )
    return to_checksum_address(text)


def has_checksum(text: str) -> bool:
    """Whether an address as written carries an EIP-55 checksum (some letters upper-case)."""
    from eth_utils import is_checksum_address

    digits = text.strip()[2:]
    return digits != digits.lower() and is_checksum_address(text.strip())


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


_FAMILY_NAMES = {"evm": "an EVM (0x) address", "solana": "a Solana (base58) address"}
_CHAIN_KINDS = {"evm": "an EVM chain", "solana": "a Solana chain"}
_ADD_FORMS = {"evm": "<0x address>", "solana": "<solana address>"}
_ADDRESS_KINDS = {"evm": "EVM (0x) address", "solana": "Solana address"}


def _wrong_family(text: str, found: Family, wanted: Family) -> StewardError:
    return StewardError(
        f"'{text}' is {_FAMILY_NAMES[found]}, but this is {_CHAIN_KINDS[wanted]}, which needs "
        f"{_FAMILY_NAMES[wanted]}; addresses are never converted between the two (the result "
        "would be someone else's account): give the recipient's address for this chain, or "
        "send on a chain of the other family")


def resolve_recipient(text: str, own_wallets: dict[str, str] | None = None,
                      family: Family = "evm") -> Recipient:
    """A contact, an own wallet (name → address of `family`, supplied by the caller) or an
    explicit address of the chain's `family`; anything else, an address of the other family
    included, is an error."""
    if family not in _FAMILY_NAMES:
        raise StewardError(f"unknown address family '{family}' (evm or solana)")
    wanted = text.strip()
    if family == "solana":
        if wanted.lower().startswith("0x"):
            raise _wrong_family(wanted, "evm", "solana")
        if is_solana_address(wanted):
            # Kept exactly as written (case is part of the key). Base58 has no checksum, so it
            # is unchecked: the guard compares it with every known address.
            checked_solana_address(wanted)
            return Recipient(address=wanted, label=short(wanted),
                             source="address (no checksum: unchecked)")
    elif wanted.lower().startswith("0x"):
        address = checked_address(wanted)
        # Lower case is accepted but unchecked: the guard compares it with known addresses.
        source = "address" if has_checksum(wanted) else "address (no checksum: unchecked)"
        return Recipient(address=address, label=short(address), source=source)
    elif is_solana_address(wanted):
        raise _wrong_family(wanted, "solana", "evm")
    return _named_recipient(text, wanted, own_wallets or {}, family)


def _named_recipient(text: str, wanted: str, own: dict[str, str], family: Family) -> Recipient:
    contacts = load_contacts()
    if wanted.lower() in contacts:
        contact = contacts[wanted.lower()]
        address = contact.address_for(family)
        if address is None:
            raise StewardError(
                f"contact '{contact.name}' has no {_ADDRESS_KINDS[family]}, and "
                f"{_CHAIN_KINDS[family]} needs one; add it with `steward contacts add "
                f"{contact.name} {_ADD_FORMS[family]}` (the contact keeps its other address)")
        return Recipient(address=address, label=contact.name, source="address book")
    if wanted.lower() in own:
        return Recipient(address=own[wanted.lower()], label=f"wallet {wanted.lower()}",
                         source="own wallet")
    if family == "solana" and BASE58_PUBKEY.match(wanted):
        checked_solana_address(wanted)  # says why this near-key is not one
    known = sorted(contacts) + [f"wallet {name}" for name in sorted(own)]
    literal = "a base58 Solana address" if family == "solana" else "a 0x address"
    raise StewardError(
        f"unknown recipient '{text}'; known: {', '.join(known) or 'none'} "
        f"(or give {literal}; add contacts with `steward contacts add`)"
    )
