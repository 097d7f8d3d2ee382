"""The address book: named counterparties, and how a recipient written by a person is resolved.

A recipient is a contact name, one of the owner's own wallet names, or a 0x address. A
mixed-case address must carry a valid EIP-55 checksum; an all-lower-case one is accepted as
unchecked (the guard compares it with every known address: a near miss is a look-alike); an
all-capitals one is refused, since it looks deliberate but carries no checksum. Nothing is ever
guessed.
"""

from __future__ import annotations

import json

from eth_utils import is_address, is_checksum_address, to_checksum_address
from pydantic import BaseModel

from steward.errors import StewardError
from steward.home import home_path, write_private


class Contact(BaseModel):
    name: str
    address: str
    note: str = ""


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
    contact = Contact(name=name.lower(), address=checked_address(address), note=note)
    contacts = load_contacts()
    contacts[contact.name] = contact
    write_private(_path(), json.dumps(
        {c.name: c.model_dump(exclude={"name"}) for c in contacts.values()}, indent=2))
    return contact


def remove_contacts() -> None:
    _path().unlink(missing_ok=True)


def checked_address(text: str) -> str:
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
    digits = text.strip()[2:]
    return digits != digits.lower() and is_checksum_address(text.strip())


def short(address: str) -> str:
    return f"{address[:6]}…{address[-4:]}"


def resolve_recipient(text: str, own_wallets: dict[str, str] | None = None) -> Recipient:
    """A contact, an own wallet (name → address) or an explicit address; anything else is an error."""
    wanted = text.strip()
    if wanted.lower().startswith("0x"):
        address = checked_address(wanted)
        # Lower case is accepted but unchecked: the guard compares it with known addresses.
        source = "address" if has_checksum(wanted) else "address (no checksum: unchecked)"
        return Recipient(address=address, label=short(address), source=source)
    contacts = load_contacts()
    if wanted.lower() in contacts:
        contact = contacts[wanted.lower()]
        return Recipient(address=contact.address, label=contact.name, source="address book")
    own = own_wallets or {}
    if wanted.lower() in own:
        return Recipient(address=own[wanted.lower()], label=f"wallet {wanted.lower()}",
                         source="own wallet")
    known = sorted(contacts) + [f"wallet {name}" for name in sorted(own)]
    raise StewardError(
        f"unknown recipient '{text}'; known: {', '.join(known) or 'none'} "
        "(or give a 0x address; add contacts with `steward contacts add`)"
    )
