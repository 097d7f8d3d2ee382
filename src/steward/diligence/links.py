"""Link due diligence: is this URL the dApp it claims to be, or a phishing lookalike?

`check_url(url)` normalises the host and applies, in order:

1. the whitelist — Steward's known-good list (`data/known_good.json`) plus the whitelist of the
   phishing list — which wins over everything else, for the host or any parent domain (unless
   the list blacklists a narrower entry: a subdomain of a host it whitelists);
2. the phishing list (MetaMask's eth-phishing-detect, installed into the home on first use; see
   `phishing_list`), in MetaMask's order: its blacklist (the host or a parent) → danger, then
   its fuzzylist by MetaMask's own rule (the host without its TLD within `tolerance` edits of
   an entry without its TLD) → danger;
3. Steward's heuristics, with its built-in known-good config:
   homoglyphs (other scripts, digit/letter swaps whose skeleton reads as a known-good host) →
   danger; look-alikes of a known-good brand judged by the kind of edit (`lookalike`: a swap,
   a dropped or doubled letter, a confusable or neighbouring key → danger; an edit that makes
   another word → caution, "near miss"); a giveaway lure beside a coin's or celebrity's name →
   danger; a known-good domain or brand embedded in another host → danger, but the brand alone
   under another TLD (`uniswap.xyz`) → caution;
4. plain `http` → warning; credentials before an `@` → danger; an IP address → warning;
   anything unknown and unflagged → caution ("nothing established").

Every report names the phishing list that was consulted and its version/date, or says that
none is installed. `check_url(url, use_list=False)` is the heuristics alone;
`check_url(url, load_phishing_config(path))` consults that list instead of the installed one.
The heuristics were tuned on a development part of MetaMask's list and measured on a held-out
part (`benchmarks/links.py`).

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

from steward.diligence.lookalike import best_lookalike
from steward.diligence.phishing_list import NO_LIST_LINE, ListInfo
from steward.display import skeleton
from steward.errors import StewardError

Severity = Literal["info", "warning", "danger"]
VerdictWord = Literal["safe", "caution", "danger"]
KNOWN_GOOD_SOURCE = "Steward's known-good list (steward/diligence/data/known_good.json)"
DEFAULT_TOLERANCE = 2
MIN_FUZZY_NAME = 5  # names shorter than this are not fuzzy-matched by the default config
MIN_BRAND_TOKEN = 4  # a brand name this long is matched as a word of another host
MIN_BRAND_SUBSTRING = 6  # … and this long anywhere inside a word ("uniswapclaim")
# … but not with one or two letters added ("openseas", "coinbased", "uniswapex"): on MetaMask's
# whitelist those are honest names, and a real doubling ("openseaa") is a typo-squat anyway
MAX_BRAND_SUFFIX = 2


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
    # "list": a real phishing list (MetaMask's rule: whitelist, blacklist, fuzzylist decide);
    # "builtin": Steward's known-good config, whose fuzzylist feeds the tuned look-alike rule
    kind: Literal["list", "builtin"] = "list"

    model_config = {"extra": "ignore"}

    def whitelist_set(self) -> frozenset[str]:
        return _host_set(tuple(self.whitelist))

    def blacklist_set(self) -> frozenset[str]:
        return _host_set(tuple(self.blacklist))

    @field_validator("fuzzylist", "whitelist", "blacklist")
    @classmethod
    def _normalised(cls, entries: list[str]) -> list[str]:
        out = []
        for entry in entries:
            host = entry.strip().lower().rstrip(".")
            if host:
                out.append(_decode_host(host) if "xn--" in host else host)
        return out


@lru_cache(maxsize=8)
def _host_set(entries: tuple[str, ...]) -> frozenset[str]:
    # A 14,000-entry list is turned into a set once, not once per link checked.
    return frozenset(entries)


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


@lru_cache(maxsize=1)
def _default_config() -> PhishingConfig:
    hosts = known_good()
    common = _common_words()
    fuzzy = sorted({registrable(h) for h in hosts
                    if len(_strip_tld(registrable(h))) >= MIN_FUZZY_NAME
                    and _strip_tld(registrable(h)) not in common})
    return PhishingConfig(tolerance=DEFAULT_TOLERANCE, whitelist=sorted(hosts), fuzzylist=fuzzy,
                          blacklist=[], source="Steward's built-in phishing config",
                          kind="builtin")


def default_phishing_config() -> PhishingConfig:
    """Steward's built-in known-good config: the heuristics alone, no phishing list."""
    return _default_config().model_copy(deep=True)


# --- the report ---------------------------------------------------------------------------


class LinkReport(BaseModel):
    url: str  # as given
    scheme: str  # "https", "http", or "https" assumed for a bare host
    host: str  # normalised: lower-case, no www., punycode decoded to Unicode
    host_ascii: str  # the same host as DNS sees it (punycode)
    known_good: str | None = None  # the known-good entry it matches (itself or a parent)
    config_source: str
    # the phishing list that was consulted (None: none installed or given) and, in one line,
    # which list and version/date it is — or that there is none
    phishing_list: ListInfo | None = None
    phishing_list_line: str = NO_LIST_LINE
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
                and any(name in t and len(t) - len(name) > MAX_BRAND_SUFFIX for t in tokens):
            return domain, f"'{name}' (the name of {domain}) is written inside the host"
    return None


def _list_fuzzy(host: str, listed: PhishingConfig) -> tuple[str, int, str] | None:
    """eth-phishing-detect's fuzzy rule, exactly: the host without its TLD within `tolerance`
    Levenshtein edits of a fuzzylist entry without its TLD (distance 0 included: the brand
    under another TLD). (entry, distance, compared form) or None."""
    if listed.tolerance <= 0:
        return None
    form = _strip_tld(host).replace("www.", "", 1)  # as eth-phishing-detect does
    for entry in listed.fuzzylist:
        target = _strip_tld(entry) or entry
        if abs(len(form) - len(target)) > listed.tolerance:
            continue
        distance = levenshtein(form, target)
        if distance <= listed.tolerance:
            return entry, distance, form
    return None


def _brands(config: PhishingConfig) -> list[str]:
    return list(dict.fromkeys(_strip_tld(entry) or entry for entry in config.fuzzylist))


def _resolve_list(config: PhishingConfig | None,
                  use_list: bool) -> tuple[PhishingConfig | None, ListInfo | None, str]:
    """(the list to consult, what is installed, the report's one line about it)."""
    if config is not None:
        if config.kind == "builtin":
            return None, None, "phishing list: off (Steward's built-in known-good config only)"
        return config, None, (f"phishing list: {config.source} (list v{config.version}), "
                              "given for this check")
    if not use_list:
        return None, None, "phishing list: off (Steward's built-in known-good config only)"
    from steward.diligence.phishing_list import active_list

    found = active_list()
    if found is None:
        return None, None, NO_LIST_LINE
    return found[0], found[1], found[1].line()


def check_url(url: str, config: PhishingConfig | None = None, *,
              use_list: bool = True) -> LinkReport:
    """Judge a URL or bare host; see the module docstring for the rules, in order. `config`:
    a phishing list to consult instead of the installed one (a builtin config: none);
    `use_list=False` consults none (the heuristics alone)."""
    listed, info, line = _resolve_list(config, use_list)
    builtin = _default_config()
    scheme, scheme_given, raw_host, userinfo = _parse(url)
    good = known_good()
    findings: list[Finding] = []

    def note(code: str, severity: Severity, message: str, how: str) -> None:
        findings.append(Finding(code=code, severity=severity, message=message, how=how))

    def report(host: str, host_ascii: str, known: str | None) -> LinkReport:
        return _report(url, scheme, host, host_ascii, known, listed or builtin, findings,
                       info, line)

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
        if listed:
            _check_list(str(ip), listed, note)
        return report(str(ip), str(ip), None)

    host, host_ascii = _normalise_host(url, raw_host)
    if "." not in host:
        raise _garbage(url, f"'{host}' is not a domain name")
    known = _matches(host, good)
    # the list may name the www. host itself (www.openrec.tv), which normalising dropped
    spelled = [host, "www." + host] if raw_host.lower().startswith("www.") else [host]
    allowed = known or (next((m for h in spelled if (m := _matches(h, listed.whitelist_set()))),
                             None) if listed else None)
    blocked = _matches(spelled[-1], listed.blacklist_set()) if listed else None
    if allowed and not known and blocked and len(blocked) > len(allowed):
        # the list blacklists a subdomain of a host it whitelists (eth-giveaway.updog.co under
        # updog.co): the narrower entry is the list's word on this host
        allowed = None
    if allowed:
        _note_allowed(host, known, allowed, good, listed, note)
        if not scheme_given:
            note("scheme_assumed", "info", "no scheme was given; https was assumed",
                 "the input was a bare host")
        return report(host, host_ascii, known)

    if listed:
        _check_list(spelled[-1], listed, note)
    _check_heuristics(host, host_ascii, good, builtin, note)
    if not any(f.severity == "danger" for f in findings):
        note("unknown_site", "warning", f"{host} is not on Steward's known-good list or your "
             "whitelist; no phishing signal was found, but nothing about it is established",
             f"no match in {KNOWN_GOOD_SOURCE}"
             + (f", the whitelist, blacklist or fuzzylist of {listed.source}" if listed else "")
             + ", or the homoglyph, look-alike and brand checks")
    return report(host, host_ascii, known)


def _note_allowed(host, known, allowed, good, listed, note) -> None:
    match = "exact" if allowed == host else "parent-domain"
    if known:
        note("known_good", "info", f"{host} is {'' if known == host else 'under '}{known}, "
             f"on Steward's known-good list ({good[known]})",
             f"{match} match against {KNOWN_GOOD_SOURCE}")
    else:
        note("whitelisted", "info", f"{host} is whitelisted ({allowed}) by {listed.source}",
             f"{match} match against the whitelist of {listed.source}; a whitelisted host is "
             "never judged by the heuristics")


def _check_list(host: str, listed: PhishingConfig, note) -> None:
    """MetaMask's order after the whitelist: the blacklist, then the fuzzylist."""
    entry = _matches(host, listed.blacklist_set())
    if entry:
        note("blacklisted", "danger", f"{host} is a known phishing site"
             f"{'' if entry == host else f' (under the blacklisted {entry})'}, listed by "
             f"{listed.source}",
             f"{'exact' if entry == host else 'parent-domain'} match against the blacklist "
             f"of {listed.source}")
        return
    fuzzy = _list_fuzzy(host, listed)
    if fuzzy:
        entry, distance, form = fuzzy
        note("fuzzylisted", "danger",
             f"{host} is within {distance} edit{'s' * (distance != 1)} of {entry}, a site "
             f"{listed.source} protects: it blocks such look-alikes unless it whitelists them",
             f"Levenshtein distance {distance} between '{form}' and '{_strip_tld(entry)}' is "
             f"within the tolerance {listed.tolerance} of {listed.source} (eth-phishing-detect "
             "fuzzy rule)")


# A giveaway lure next to a coin's or a celebrity's name ("eth-giveaway", "elonmusk-promo",
# "claimbtc") is the shape of the double-your-coins scam; either word alone is not evidence.
_LURES = ("giveaway", "givaway", "give-away", "giving", "gift", "promo", "bonus", "airdrop",
          "doubler", "double", "prize", "freebie", "claim", "reward")
_BAIT = ("eth", "btc", "bitcoin", "crypto", "elon", "musk", "tesla", "xrp", "doge", "bnb",
         "binance", "coinbase", "usdt")


def _giveaway(host: str) -> tuple[str, str] | None:
    name = _strip_tld(host)
    lure = next((word for word in _LURES if word in name), None)
    bait = next((word for word in _BAIT if word in name.replace(lure or "", " ")), None)
    return (lure, bait) if lure and bait else None


def _check_heuristics(host: str, host_ascii: str, good: dict[str, str],
                      builtin: PhishingConfig, note) -> None:
    if not host.isascii():
        _check_idn(host, host_ascii, good, note)
    else:
        # ASCII digit/letter swaps: 1inch.io → linch.io, rnetamask.io → metamask.io
        _check_skeleton(host, good, note, ascii_only=True)
    near = best_lookalike(host, _brands(builtin), builtin.tolerance)
    if near and near.strength == "strong":
        note("fuzzy_lookalike", "danger",
             f"{host} is a near-miss spelling of {near.brand}: a typo-squatting phishing pattern",
             f"Levenshtein distance {near.distance} between '{near.form}' and '{near.brand}' "
             f"({', '.join(near.edits)}): each edit keeps the name reading as {near.brand}, "
             f"within the tolerance {builtin.tolerance} of {builtin.source}")
    elif near:
        note("near_miss", "warning",
             f"{host} is close to {near.brand} but reads as a different word; make sure it is "
             "the site you mean",
             f"Levenshtein distance {near.distance} between '{near.form}' and '{near.brand}' "
             f"({', '.join(near.edits)}); an edit that makes another word is weak evidence")
    lure = _giveaway(host)
    if lure:
        note("giveaway_lure", "danger",
             f"{host} pairs '{lure[0]}' with '{lure[1]}': the shape of a crypto giveaway scam "
             "(send coins, get more back — nothing comes back)",
             f"the host contains the lure word '{lure[0]}' and the bait word '{lure[1]}'")
    embedded = _embedded_brand(host, good)
    if embedded and _strip_tld(host) == _strip_tld(embedded[0]):
        # uniswap.xyz: the brand alone under another TLD. MetaMask whitelists many of these
        # (uniswap.vision, binance.cloud, opensea.ru, etherscan.com): a warning, not danger.
        domain = embedded[0]
        note("brand_other_tld", "warning",
             f"{host} is not {domain}: the same name under another top-level domain; the real "
             f"site is {domain}", f"{embedded[1]}; only the top-level domain differs")
    elif embedded:
        domain, how = embedded
        note("brand_embedded", "danger",
             f"{host} borrows the name of {domain} but is a different site: the real one is "
             f"{domain}", f"{how}; the host is not {domain} nor a subdomain of it")


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
            config: PhishingConfig, findings: list[Finding], info: ListInfo | None,
            line: str) -> LinkReport:
    verdict, reasons = verdict_of(findings)
    return LinkReport(url=url, scheme=scheme, host=host, host_ascii=host_ascii, known_good=known,
                      config_source=config.source, phishing_list=info, phishing_list_line=line,
                      findings=findings, verdict=verdict, reasons=[*reasons, line])
