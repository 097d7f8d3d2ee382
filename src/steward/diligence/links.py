"""Link due diligence: is this URL the dApp it claims to be, or a phishing lookalike?

`check_url(url)` normalises the host and applies, in order:

1. the whitelist — Steward's known-good list (`data/known_good.json`) plus the whitelist of the
   phishing config — which wins over everything else, for the host or any parent domain;
2. the config's blacklist (the host or a parent domain) → danger;
3. homoglyphs: a host written with characters from other scripts (Cyrillic `а`, Greek `ο`, …)
   or with digit/letter swaps (`0`/`o`, `1`/`l`, `rn`/`m`) whose ASCII skeleton reads as a
   known-good host → danger;
4. the config's fuzzylist, as MetaMask's eth-phishing-detect does it: the host without `www.`
   and without its TLD within `tolerance` Levenshtein edits (and not equal) of a fuzzylist
   entry without its TLD → danger; the registrable name alone is compared the same way;
5. a known-good domain or brand embedded in another host (`uniswap.org.claim-airdrop.xyz`,
   `app-uniswap-org.com`, `aave-claim.com`) → danger;
6. plain `http` → warning; credentials before an `@` → danger; an IP address → warning;
   anything unknown and unflagged → caution ("nothing established").

The phishing config has the format of MetaMask's eth-phishing-detect `config.json`
(`{version, tolerance, fuzzylist, whitelist, blacklist}`); drop one in with
`load_phishing_config(path)`. The built-in default whitelists the known-good list and
fuzzy-matches its registrable names of five characters or more with tolerance 2 (shorter names
such as `aave` or `cow` would match half the dictionary; they are covered by rules 3 and 5).

Nothing here touches the network: a verdict is established from the text of the URL alone.
"""

from __future__ import annotations

import codecs
import ipaddress
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError, field_validator

from steward.display import skeleton
from steward.errors import StewardError

Severity = Literal["info", "warning", "danger"]
VerdictWord = Literal["safe", "caution", "danger"]
KNOWN_GOOD_SOURCE = "Steward's known-good list (steward/diligence/data/known_good.json)"
DEFAULT_TOLERANCE = 2
MIN_FUZZY_NAME = 5  # names shorter than this are not fuzzy-matched by the default config
MIN_BRAND_TOKEN = 4  # a brand name this long is matched as a word of another host
MIN_BRAND_SUBSTRING = 6  # … and this long anywhere inside a word ("uniswapclaim")


class Finding(BaseModel):
    """One thing noticed: a short code, how much it matters, one sentence, and its evidence."""

    code: str
    severity: Severity
    message: str
    how: str  # how it was established


def verdict_of(findings: list[Finding]) -> tuple[VerdictWord, list[str]]:
    """The worst severity decides: info → safe, warning → caution, danger → danger.
    The reasons are the warning and danger messages (danger first), or all of them when safe."""
    order = {"info": 0, "warning": 1, "danger": 2}
    worst = max((order[f.severity] for f in findings), default=0)
    verdict: VerdictWord = ("safe", "caution", "danger")[worst]  # type: ignore[assignment]
    if worst == 0:
        return verdict, [f.message for f in findings]
    ranked = sorted((f for f in findings if order[f.severity] > 0),
                    key=lambda f: -order[f.severity])
    return verdict, [f.message for f in ranked]


# --- the phishing config (MetaMask eth-phishing-detect format) ----------------------------


class PhishingConfig(BaseModel):
    """MetaMask's eth-phishing-detect `config.json`; `source` says where it came from."""

    version: int | str = 2
    tolerance: int = Field(default=DEFAULT_TOLERANCE, ge=0)
    fuzzylist: list[str] = []
    whitelist: list[str] = []
    blacklist: list[str] = []
    source: str = "a phishing config"

    model_config = {"extra": "ignore"}

    @field_validator("fuzzylist", "whitelist", "blacklist")
    @classmethod
    def _normalised(cls, entries: list[str]) -> list[str]:
        out = []
        for entry in entries:
            host = entry.strip().lower().rstrip(".")
            if host:
                out.append(_decode_host(host) if "xn--" in host else host)
        return out


def load_phishing_config(path: str | Path) -> PhishingConfig:
    """Read a MetaMask-format phishing config; a bad file is a StewardError naming it."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise StewardError(f"no phishing config at {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise StewardError(f"{path} is not a readable JSON phishing config: {exc}") from None
    if not isinstance(raw, dict):
        raise StewardError(f"{path} is not a phishing config: expected a JSON object with "
                           "tolerance, fuzzylist, whitelist and blacklist")
    try:
        return PhishingConfig(**{**raw, "source": f"the phishing config {path}"})
    except (ValidationError, TypeError) as exc:
        raise StewardError(f"{path} is not a valid phishing config: {exc}") from None


@lru_cache(maxsize=1)
def _known_good_raw() -> dict:
    text = resources.files("steward.diligence").joinpath("data", "known_good.json").read_text()
    return json.loads(text)


def known_good() -> dict[str, str]:
    """Known-good host → its category (dex, bridges, wallets, …)."""
    return {host: category for category, hosts in _known_good_raw()["categories"].items()
            for host in hosts}


def _common_words() -> set[str]:
    return set(_known_good_raw().get("common_word_names", []))


def registrable(host: str) -> str:
    """The last two labels (good enough for the known-good list; no public-suffix list)."""
    return ".".join(host.split(".")[-2:])


def _strip_tld(host: str) -> str:
    return ".".join(host.split(".")[:-1])


def default_phishing_config() -> PhishingConfig:
    hosts = known_good()
    common = _common_words()
    fuzzy = sorted({registrable(h) for h in hosts
                    if len(_strip_tld(registrable(h))) >= MIN_FUZZY_NAME
                    and _strip_tld(registrable(h)) not in common})
    return PhishingConfig(tolerance=DEFAULT_TOLERANCE, whitelist=sorted(hosts), fuzzylist=fuzzy,
                          blacklist=[], source="Steward's built-in phishing config")


# --- the report ---------------------------------------------------------------------------


class LinkReport(BaseModel):
    url: str  # as given
    scheme: str  # "https", "http", or "https" assumed for a bare host
    host: str  # normalised: lower-case, no www., punycode decoded to Unicode
    host_ascii: str  # the same host as DNS sees it (punycode)
    known_good: str | None = None  # the known-good entry it matches (itself or a parent)
    config_source: str
    findings: list[Finding]
    verdict: VerdictWord
    reasons: list[str]


# --- normalisation ------------------------------------------------------------------------

_SCHEME_ONLY = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_ASCII_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def _garbage(url: str, why: str) -> StewardError:
    return StewardError(f"'{url}' is not a web address ({why}); give a URL such as "
                        "https://app.uniswap.org/swap or a bare host such as app.uniswap.org")


def _decode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return codecs.decode(label[4:].encode("ascii"), "punycode").lower()
    except (UnicodeError, ValueError):
        raise StewardError(f"'{label}' is not valid punycode") from None


def _encode_label(label: str) -> str:
    if label.isascii():
        return label
    return "xn--" + codecs.encode(label, "punycode").decode("ascii")


def _decode_host(host: str) -> str:
    return ".".join(_decode_label(label) for label in host.split("."))


def _parse(url: str) -> tuple[str, bool, str, str | None]:
    """(scheme, scheme_was_given, host, userinfo) or a StewardError."""
    text = url.strip()
    if not text:
        raise _garbage(url, "it is empty")
    if any(ch.isspace() for ch in text):
        raise _garbage(url, "it contains spaces")
    given = "://" in text
    if not given:
        if _SCHEME_ONLY.match(text):
            scheme = text.split(":", 1)[0].lower()
            raise _garbage(url, f"'{scheme}:' links are not web pages")
        text = "https://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise _garbage(url, str(exc)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _garbage(url, f"only http and https links are checked, not {scheme or 'this'}")
    host = parts.hostname or ""
    if not host:
        raise _garbage(url, "it has no host")
    userinfo = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else None
    return scheme, given, host, userinfo


def _normalise_host(url: str, host: str) -> tuple[str, str]:
    """(unicode host, ascii host); lower-case, NFKC, no trailing dot, no leading www."""
    host = unicodedata.normalize("NFKC", host.translate(_DOTS)).lower().rstrip(".")
    if len(host) > 253:
        raise _garbage(url, "the host is longer than 253 characters")
    labels = host.split(".")
    if any(not label for label in labels):
        raise _garbage(url, "the host has an empty label")
    decoded, encoded = [], []
    for label in labels:
        try:
            unicode_label = _decode_label(label)
        except StewardError:
            raise _garbage(url, f"'{label}' is not valid punycode") from None
        ascii_label = _encode_label(unicode_label)
        if len(ascii_label) > 63 or not _ASCII_LABEL.match(ascii_label):
            raise _garbage(url, f"'{label}' is not a valid host label")
        decoded.append(unicode_label)
        encoded.append(ascii_label)
    if decoded[0] == "www" and len(decoded) > 2:
        decoded, encoded = decoded[1:], encoded[1:]
    return ".".join(decoded), ".".join(encoded)


# --- Levenshtein and homoglyph skeletons --------------------------------------------------


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insert, delete, substitute), two-row dynamic programming."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _scripts(label: str) -> set[str]:
    scripts = set()
    for ch in label:
        if ch.isascii():
            if ch.isalpha():
                scripts.add("LATIN")
            continue
        name = unicodedata.name(ch, "")
        scripts.add(name.split(" ")[0] if name else "unknown")
    return scripts


# --- the check ------------------------------------------------------------------------------


def _matches(host: str, entries: set[str] | dict[str, str]) -> str | None:
    """The entry that is `host` or a parent domain of it (eth-phishing-detect's rule)."""
    labels = host.split(".")
    for i in range(len(labels)):
        candidate = ".".join(labels[i:])
        if candidate in entries:
            return candidate
    return None


def _tokens(host: str) -> list[str]:
    return [t for t in re.split(r"[.\-_]", host) if t]


def _contains_run(tokens: list[str], run: list[str]) -> bool:
    return any(tokens[i:i + len(run)] == run for i in range(len(tokens) - len(run) + 1))


def _embedded_brand(host: str, good: dict[str, str]) -> tuple[str, str] | None:
    """(known-good domain, how) when `host` carries a known-good domain or brand name."""
    tokens = _tokens(host)
    entries = sorted(set(good) | {registrable(h) for h in good}, key=lambda h: -len(h))
    for entry in entries:
        if _contains_run(tokens, entry.split(".")):
            return entry, f"the labels '{entry}' appear inside the host"
    common = _common_words()
    word_only = set(_known_good_raw().get("word_only_names", []))
    for domain in sorted({registrable(h) for h in good}):
        name = _strip_tld(domain)
        if name in common or len(name) < MIN_BRAND_TOKEN:
            continue
        if name in tokens:
            return domain, f"'{name}' (the name of {domain}) is a word of the host"
        if len(name) >= MIN_BRAND_SUBSTRING and name not in word_only \
                and any(name in t for t in tokens):
            return domain, f"'{name}' (the name of {domain}) is written inside the host"
    return None


def _fuzzy(host: str, config: PhishingConfig) -> tuple[str, int, str] | None:
    """eth-phishing-detect's fuzzy rule: (entry, distance, compared form) or None."""
    if config.tolerance <= 0:
        return None
    forms = [_strip_tld(host)]
    name = _strip_tld(registrable(host))
    if name != forms[0]:
        forms.append(name)  # also the registrable name alone: catches app.uniswaap.org
    for entry in config.fuzzylist:
        target = _strip_tld(entry) or entry
        for form in forms:
            distance = levenshtein(form, target)
            if 0 < distance <= config.tolerance:
                return entry, distance, form
    return None


def check_url(url: str, config: PhishingConfig | None = None) -> LinkReport:
    """Judge a URL or bare host; see the module docstring for the rules, in order."""
    config = config or default_phishing_config()
    scheme, scheme_given, raw_host, userinfo = _parse(url)
    good = known_good()
    findings: list[Finding] = []

    def note(code: str, severity: Severity, message: str, how: str) -> None:
        findings.append(Finding(code=code, severity=severity, message=message, how=how))

    if scheme == "http":
        note("not_https", "warning", "the link uses plain http: what you see and send can be "
             "read or changed on the way; the real site uses https",
             "the URL's scheme is http")
    if userinfo is not None:
        note("credentials_in_url", "danger" if "." in userinfo else "warning",
             f"the text before '@' ('{userinfo}') is not the site; this link really opens "
             f"{raw_host}, a classic way to disguise a phishing link",
             "the URL has a user-info part before '@'")

    try:
        ip = ipaddress.ip_address(raw_host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        note("ip_address", "warning", f"the link points at the bare IP address {ip}, not a "
             "named site; no dApp is served that way", "the host parses as an IP address")
        return _report(url, scheme, str(ip), str(ip), None, config, findings)

    host, host_ascii = _normalise_host(url, raw_host)
    if "." not in host:
        raise _garbage(url, f"'{host}' is not a domain name")
    whitelist = set(config.whitelist) | set(good)
    allowed = _matches(host, whitelist)
    known = _matches(host, good)
    if allowed:
        if known:
            note("known_good", "info", f"{host} is {'' if known == host else 'under '}{known}, "
                 f"on Steward's known-good list ({good[known]})",
                 f"{'exact' if known == host else 'parent-domain'} match against "
                 f"{KNOWN_GOOD_SOURCE}")
        else:
            note("whitelisted", "info", f"{host} is whitelisted ({allowed})",
                 f"{'exact' if allowed == host else 'parent-domain'} match against the "
                 f"whitelist of {config.source}")
        if not scheme_given:
            note("scheme_assumed", "info", "no scheme was given; https was assumed",
                 "the input was a bare host")
        return _report(url, scheme, host, host_ascii, known, config, findings)

    listed = _matches(host, set(config.blacklist))
    if listed:
        note("blacklisted", "danger", f"{host} is a known phishing site"
             f"{'' if listed == host else f' (under the blacklisted {listed})'}",
             f"{'exact' if listed == host else 'parent-domain'} match against the blacklist "
             f"of {config.source}")

    if not host.isascii():
        _check_idn(host, host_ascii, good, note)
    else:
        # ASCII digit/letter swaps: 1inch.io → linch.io, rnetamask.io → metamask.io
        _check_skeleton(host, good, note, ascii_only=True)

    fuzzy = _fuzzy(host, config)
    if fuzzy:
        entry, distance, form = fuzzy
        note("fuzzy_lookalike", "danger",
             f"{host} is a near-miss spelling of {entry}: a typo-squatting phishing pattern",
             f"Levenshtein distance {distance} between '{form}' and '{_strip_tld(entry)}' is "
             f"within the tolerance {config.tolerance} of {config.source} (eth-phishing-detect "
             "fuzzy rule)")

    embedded = _embedded_brand(host, good)
    if embedded:
        domain, how = embedded
        note("brand_embedded", "danger",
             f"{host} borrows the name of {domain} but is a different site: the real one is "
             f"{domain}", f"{how}; the host is not {domain} nor a subdomain of it")

    if not any(f.severity == "danger" for f in findings):
        note("unknown_site", "warning", f"{host} is not on Steward's known-good list or your "
             "whitelist; no phishing signal was found, but nothing about it is established",
             f"no match in {KNOWN_GOOD_SOURCE}, the whitelist, blacklist or fuzzylist of "
             f"{config.source}, or the homoglyph and brand checks")
    return _report(url, scheme, host, host_ascii, known, config, findings)


def _check_idn(host: str, host_ascii: str, good: dict[str, str], note) -> None:
    """An internationalised host: mixed scripts or a label made wholly of look-alikes."""
    if _check_skeleton(host, good, note, ascii_only=False):
        return
    for label in host.split("."):
        if label.isascii():
            continue
        scripts = _scripts(label)
        reads_as = skeleton(label)
        if len(scripts) > 1:
            note("homoglyph", "danger",
                 f"the label '{label}' mixes {' and '.join(sorted(scripts))} letters, which "
                 "is how look-alike phishing domains are built",
                 f"Unicode script names of the characters of {host_ascii} decoded from punycode")
            return
        if reads_as.isascii() and scripts != {"LATIN"}:
            note("homoglyph", "danger",
                 f"'{label}' is written in {''.join(scripts)} letters that read as the Latin "
                 f"'{reads_as}': {host} only looks like {skeleton(host)}",
                 f"punycode {host_ascii} decoded and mapped to ASCII look-alikes (confusables)")
            return
    note("punycode", "warning", f"{host} is an internationalised name (DNS: {host_ascii}); "
         "make sure it is the site you mean", "the host has non-ASCII labels")


def _check_skeleton(host: str, good: dict[str, str], note, ascii_only: bool) -> bool:
    """Does the ASCII skeleton of `host` read as a known-good host or carry a brand?"""
    read = skeleton(host)
    targets = {skeleton(h): h for h in good} | {skeleton(registrable(h)): registrable(h)
                                                  for h in good}
    labels = read.split(".")
    for i in range(len(labels) - 1):
        suffix = ".".join(labels[i:])
        target = targets.get(suffix)
        if target and host != target and not host.endswith("." + target):
            what = "non-Latin look-alike characters" if not ascii_only else \
                "digit/letter swaps (0/o, 1/l, rn/m)"
            note("homoglyph", "danger", f"{host} imitates {target} using {what}",
                 f"the host's ASCII skeleton '{read}' equals the skeleton of the known-good "
                 f"{target}")
            return True
    if not ascii_only:
        embedded = _embedded_brand(read, good)
        if embedded:
            note("homoglyph", "danger",
                 f"{host} reads as '{read}' with look-alike characters and borrows the name of "
                 f"{embedded[0]}", f"ASCII skeleton of the decoded host; {embedded[1]}")
            return True
    return False


def _report(url: str, scheme: str, host: str, host_ascii: str, known: str | None,
            config: PhishingConfig, findings: list[Finding]) -> LinkReport:
    verdict, reasons = verdict_of(findings)
    return LinkReport(url=url, scheme=scheme, host=host, host_ascii=host_ascii, known_good=known,
                      config_source=config.source, findings=findings, verdict=verdict,
                      reasons=reasons)
