"""The deterministic plain-language parser: one request in, a typed intent or a question out.

A hand-written lexer and a small pattern grammar, no model: the text is normalised (politeness
and filler dropped, punctuation unified), split into sentences and steps; sentences that carry
nothing (courtesy, context) are dropped and pronouns resolved within the request; each step is
lexed into items (`steward.intents.lexer`), its terms taken out (`phrasing`), and the reader of
its action (`grammar`, over a `step.StepReader`) fills the intent's slots. Payments joined by
"and" become one batch; a chain named once at the end applies to the whole sequence. Anything
unknown or ambiguous becomes a `Clarification` whose question names what was not understood
and the valid options (docs/intents.md). Pure, offline and deterministic.
"""

from __future__ import annotations

import re
from decimal import InvalidOperation

from steward.intents import (
    Approve,
    Balance,
    Batch,
    Bridge,
    Clarification,
    ParseContext,
    ParseResult,
    Payment,
    Quote,
    Revoke,
    Sequence,
    Swap,
    Transfer,
    Unwrap,
    Wrap,
)
from steward.intents.framing import condition, form_order, unframed
from steward.intents.grammar import (
    TRADE_VERBS,
    read_approve,
    read_balance,
    read_quote,
    read_revoke,
    read_swap,
    read_transfer,
    read_wrap,
    shown,
)
from steward.intents.lexer import (
    CAN_DO,
    CAPABILITIES,
    FUZZY_VERBS,
    PLACEHOLDER_RE,
    SOFT,
    TOKEN_NAMES,
    VENUE_WORDS,
    VERB_ALT,
    Ask,
    Item,
    Tables,
    clarify,
    clean_step,
    edit1,
    lex,
    prepare,
    split_steps,
    tables_for,
    without_addresses,
    words_of,
)
from steward.intents.phrasing import FINISH, Terms, injected, is_question, other_question, take_terms
from steward.intents.step import Previous, StepReader

__all__ = ["TOKEN_NAMES", "VENUE_WORDS", "parse", "sandbox_context"]


def sandbox_context() -> ParseContext:
    """The fixed context of the sandbox: two chains, four tokens, three contacts, two wallets."""
    return ParseContext(
        chains={"sandbox-l1": ["l1", "sandbox l1", "layer 1", "layer one"],
                "sandbox-l2": ["l2", "sandbox l2", "layer 2", "layer two"]},
        tokens=["ETH", "USDC", "USDT", "WETH"],
        native={"sandbox-l1": "ETH", "sandbox-l2": "ETH"},
        contacts=["alice", "bob", "carol"],
        wallets=["main", "savings"],
        default_chain=None,
        # The sandbox's tokens sit at the addresses of the chains it mirrors (ethereum, optimism).
        token_addresses={
            "sandbox-l1": {"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48": "USDC",
                           "0xdac17f958d2ee523a2206206994597c13d831ec7": "USDT",
                           "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2": "WETH"},
            "sandbox-l2": {"0x0b2c639c533813f4aa9d7837caf62653d097ff85": "USDC",
                           "0x94b008aa00579c1307b0ef2c499ad98a8ce58e58": "USDT",
                           "0x4200000000000000000000000000000000000006": "WETH"}},
        venues={name: VENUE_WORDS[name] for name in ("uniswap-v3", "uniswap-v2")},
    )


# --------------------------------------------------------------------------- step parsing

_NEGATION_RE = re.compile(r"^(?:don't|dont|do not|never|not|stop|no)\b|\b(?:don't|dont|do not|"
                          r"never|shouldn't|should not|won't)\s+(?:\w+\s+){0,2}(?:" + VERB_ALT +
                          r")\b")
_QUOTE_WORDS = {"quote", "price", "prices", "pricing", "rate", "quotes"}
# Words that set an allowance to an amount ("set/change/lower … allowance to 40"); never "increase
# by", which would add to it.
_SETTING = {"set", "change", "update", "adjust", "lower", "raise", "cap", "limit", "make"}
_BALANCE_WORDS = {"balance", "balances", "portfolio", "holdings", "holding", "bal", "funds",
                  "assets", "networth"}


def _parse_step(text: str, tb: Tables, prev: Previous | None, addrs: list[str],
                caps: set[str], asked: bool = False) -> object:
    words = words_of(text)
    if not words:
        raise Ask("What would you like to do? " + CAN_DO, CAPABILITIES)
    if _NEGATION_RE.search(text):
        raise Ask("That sounds like something not to do; nothing will be sent. What would you "
                   "like to do? " + CAN_DO, CAPABILITIES)
    if "or" in words or "either" in words:
        raise Ask(f"'{text}' leaves a choice open: which one exactly? (one token, one amount and "
                   "one recipient or chain per step)")
    words, terms = take_terms(words)
    items = lex(words, tb, addrs, caps)
    step = StepReader(items, tb, prev, text)
    if other_question(text) or (asked and _YES_NO_RE.match(text)):
        raise Ask(f"That reads as a question, so nothing will be done: '{shown(text)}'. Steward "
                  "answers balances and quotes; to act, say it as an order (for example 'send 5 "
                  "USDC to alice').")
    trade_like = len({it.value for it in items if it.kind == "TOK"}) >= 2 and any(
        it.kind == "AMT" for it in items)
    question = is_question(text) or (asked and trade_like
                                      and not any(it.kind == "VERB" for it in items))
    intent = _read_step(step, text, question)  # "1 eth in usdc?": a question, not an order
    return _with_how(step, intent, terms)


def _with_how(step: StepReader, intent: object, terms: Terms) -> object:
    """The venue and the terms the person stated, on the intents they apply to (asked about
    where they do not apply: a slippage on a transfer is a misunderstanding, not a detail)."""
    venue = step.venue()
    if venue is not None:
        if isinstance(intent, (Swap, Quote)):
            intent = intent.model_copy(update={"venue": venue})
        elif not isinstance(intent, (Approve, Revoke)):
            raise Ask(f"{venue} is an exchange; a {getattr(intent, 'action', 'request')} does not "
                      "go through one. Did you mean a swap?")
    if terms.any:
        if isinstance(intent, Swap):
            intent = intent.model_copy(update={"slippage_bps": terms.slippage_bps,
                                               "deadline_minutes": terms.deadline_minutes})
        elif not isinstance(intent, Quote):
            raise Ask(f"'{terms.said}' applies to swaps, but this is a "
                      f"{getattr(intent, 'action', 'request')}: what should happen?")
    return intent


def _read_step(step: StepReader, text: str, question: bool) -> object:
    items, tb = step.items, step.tb
    # the first content item decides when it is a verb
    first = None
    for idx, it in enumerate(items):
        if it.kind == "WORD" and it.text in ("and", "also", "then", "now", "just", "i", "we",
                                             "want", "to", "a", "an"):
            continue
        first = idx
        break
    verb_index = first if first is not None and items[first].kind == "VERB" else None
    if verb_index is None and first is not None and items[first].kind == "WORD" and len(
            items[first].text) >= 4 and items[first].text not in SOFT:
        hits = {a for v, a in FUZZY_VERBS.items() if edit1(items[first].text, v)}
        if len(hits) == 1:
            items[first].kind = "VERB"
            items[first].value = hits.pop()
            verb_index = first
    if first is not None and items[first].text == "let" and any(
            it.text in ("spend", "use", "pull", "move") for it in items):
        items[first].kind = "VERB"
        items[first].value = "approve"
        verb_index = first
    if (first is not None and items[first].kind == "PREP" and items[first].text == "by"
            and first + 1 < len(items) and items[first + 1].kind == "AMT"):
        items[first].kind = "VERB"  # "by 1 eth with usdc": a typo of buy
        items[first].value = "buy"
        verb_index = first
    has_quote = any(it.text in _QUOTE_WORDS for it in items)
    has_balance = any(it.text in _BALANCE_WORDS for it in items)
    how_much = bool(re.search(r"\bhow (?:much|many)\b", text))
    numeric = [it for it in items if it.kind == "AMT" and it.value.kind in ("exact", "usd")]
    has_approval = any(it.text in ("approval", "approvals", "allowance", "allowances",
                                   "permission", "permissions", "access") for it in items)
    if verb_index is None:
        for idx, it in enumerate(items):
            if it.kind == "VERB" and it.value not in ("show", "get", "quote"):
                if has_quote or how_much or (has_balance and it.value == "move"):
                    break
                if it.value == "transfer" and it.text in ("give",) and has_balance:
                    break
                verb_index = idx
                break
    verb = items[verb_index].value if verb_index is not None else None
    if verb == "get" and (has_balance or has_quote):
        verb = None
    if verb == "show":
        if has_quote:
            return read_quote(step, False)
        return read_balance(step)
    if verb is None and first is not None and items[first].kind == "AMT" and not (
            has_quote or has_balance or how_much):
        # no verb: "25 usdc to bob", "100 usdc -> eth", "100 usdc l2 -> l1"
        kinds = {it.kind for it in items}
        if kinds & {"CONTACT", "ADDR", "WALLET", "ENS"}:
            verb = "transfer"
        elif len(step.tokens()) >= 2:
            verb = "swap"
        elif "CHAIN" in kinds:
            verb = "bridge"
    if verb is None and not (has_quote or has_balance or how_much) and _listed_payments(items):
        verb = "transfer"  # "alice & bob: 10 usdt each", "payments: 12 USDC to bob, 8 to carol"
    if verb == "remove":
        verb = "revoke" if has_approval else None
    if verb == "transfer" and verb_index is not None and items[verb_index].text in (
            "give", "giving", "grant", "hand") and (has_approval or any(
                it.text in ("spend", "light", "use") for it in items)):
        verb = "approve"  # "giving alice the green light to spend my WETH": never a transfer
    if verb is None and any(it.text == "let" for it in items) and any(
            it.text in ("spend", "use") for it in items):
        verb = "approve"
        verb_index = next(i for i, it in enumerate(items) if it.text == "let")
    if has_approval and verb in (None, "convert") and any(
            it.kind == "AMT" and it.prep == "to" for it in items) and (
            setting := next((i for i, it in enumerate(items) if it.text in _SETTING), None)) is not None:
        verb, verb_index = "approve", setting  # "set the router's usdc allowance to 40"
    if question and (verb in TRADE_VERBS or verb is None or verb == "quote"):
        return read_quote(step, how_much)  # "estimate swapping 1 ETH to USDC": never an order
    if question and verb is not None:
        raise Ask(f"That reads as a question, so nothing will be done: '{shown(text)}'. To act, "
                  "say it as an order (for example 'send 5 USDC to alice'); for prices, ask for "
                  "a quote.")
    if verb == "quote":
        return read_quote(step, False)
    if verb == "split":
        return read_transfer(step, "split")
    if verb in ("deposit", "withdraw"):
        if tb.wrapped and tb.wrapped in step.tokens():  # "deposit 1 eth into weth"
            unwrap = verb == "withdraw"
            if unwrap:  # "withdraw 0.5 eth from weth": ETH and WETH are one to one
                step.items = [it for it in items if not (it.kind == "TOK"
                                                         and it.value in tb.native_symbols)]
            return read_wrap(step, unwrap)
        verb = "move"
    if verb == "bring":
        return read_transfer(step, "bridge")
    if verb in ("transfer", "move"):
        return read_transfer(step, verb)
    if verb == "bridge":
        return read_transfer(step, "bridge")
    if verb in ("swap", "convert", "buy", "get"):
        return read_swap(step, verb)
    if verb == "wrap":
        return read_wrap(step, False)
    if verb == "unwrap":
        return read_wrap(step, True)
    if verb == "approve":
        return read_approve(step, verb_index if verb_index is not None else -1)
    if verb == "revoke":
        return read_revoke(step, verb_index)
    # no verb: a question
    if has_quote or (how_much and numeric) or (
            re.match(r"^(?:what's|whats|what is|what are|what would|what will|what does|"
                     r"what do)\b", text) and numeric and len(step.tokens()) >= 2) or (
            numeric and any(it.text in ("worth", "value") for it in items)
            and len(step.tokens()) >= 2):
        return read_quote(step, how_much and not has_quote)
    if has_balance or how_much or re.search(
            r"\b(?:what|which) (?:do|does|did) (?:i|we|\w+) (?:have|hold|own)\b"
            r"|\bwhat(?:'s| is) in\b|\b(?:do|does) (?:i|we|\w+) (?:have|hold|own)\b"
            r"|\bhow am i doing\b|\bhow rich\b|\blooking like\b|\bhow(?:'s| is| are) my\b",
            text) or (
            verb_index is None and any(it.kind == "VERB" and it.value == "show"
                                       for it in items)):
        return read_balance(step)
    if any(it.kind == "VERB" and it.value == "show" for it in items) and step.tokens():
        return read_balance(step)
    raise Ask("I didn't understand that. " + CAN_DO, CAPABILITIES)


def _after(intent: object, prev: Previous | None) -> Previous:
    chain = getattr(intent, "chain", None)
    if isinstance(intent, Bridge):
        return Previous(intent.token, intent.to_chain)
    if isinstance(intent, (Swap, Quote)):
        return Previous(intent.token_out, chain)
    if isinstance(intent, Wrap):
        return Previous("WETH", chain)
    if isinstance(intent, Unwrap):
        return Previous("ETH", chain)
    if isinstance(intent, (Transfer, Approve, Revoke)):
        return Previous(intent.token, chain)
    if isinstance(intent, Balance):
        return Previous(intent.token or (prev.token if prev else None), chain, read=True)
    return Previous(None, chain)


def parse(text: str, context: ParseContext) -> ParseResult:
    """One request in plain language → an intent, a sequence of intents, or a clarification."""
    tb = tables_for(context)
    if not isinstance(text, str) or not text.strip():
        return clarify("What would you like to do? " + CAN_DO, CAPABILITIES)
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        # \d and Decimal() read ١٠, ১০ or １０ as 10, and "1٠" looks like "1.": never guess.
        return clarify("Write numbers with the digits 0-9 (like 10 or 0.5); digits of other "
                       "scripts and superscripts are not read as amounts.")
    addrs: list[str] = []
    text = form_order(text) or unframed(text)  # "to: bob / amount: 25 usdc"; "Dear …, Best, Sam"
    marker = injected(without_addresses(text))
    if marker is not None:
        return clarify(f"Part of this request reads as instructions to Steward itself "
                       f"('{marker}'), so none of it will be done: the honest part cannot be "
                       "told from the injected one. Say only what you want done.")
    text = _BEFORE_READ_RE.sub(r"\g<read>, then \g<act>", text)  # "before swapping …, show …"
    text = _BEFORE_AND_AFTER_RE.sub(r"show my balance, then \g<act>, then show my balance", text)
    text = _PASSIVE_RE.sub(lambda m: _ACTIVE[m.group(1).lower()], text)  # "…150 USDT be sent"
    if (currency := _OTHER_CURRENCY_RE.search(text)) is not None:
        return clarify(f"Steward values amounts in US dollars only, not in '{currency.group(0)}': "
                       "say the amount in tokens (20 USDC) or in dollars ($20 of ETH).")
    if (when := _later(without_addresses(text))) is not None:
        return clarify(f"'{when.group(0)}' asks for later or repeated action, but a request runs "
                       "now, once: say it without the time to do it now, or set a standing "
                       "order for later.")
    if (waits_on := condition(without_addresses(text))) is not None:
        return clarify(f"'{waits_on}' makes this wait on a condition, but a request runs now, "
                       "once, and Steward does not check conditions first: ask for the balance "
                       "or the quote, then say what to do.")
    try:
        s, addrs, caps = prepare(text)
        parts = [(clean_step(p), joined) for p, joined in split_steps(s)]
        parts = _without_context(_resolve_pronouns([(p, j) for p, j in parts if p], tb, addrs,
                                                   caps), tb, addrs, caps)  # type: ignore[arg-type]
        parts, scope = _scope_sentence(parts, tb, addrs, caps)
        if not parts:
            return clarify("What would you like to do? " + CAN_DO, CAPABILITIES)
        steps: list[object] = []
        prev: Previous | None = None
        joins: list[bool] = []
        asked = text.rstrip().endswith("?")
        for number, (part, joined) in enumerate(parts):
            try:
                intent = _parse_step(part, tb, prev, addrs, caps,
                                     asked=asked and number == len(parts) - 1)
            except Ask as ask:
                if len(parts) > 1:
                    q = ask.clarification
                    raise Ask(f"In step {number + 1} ('{part}'): {q.question}",
                              q.options) from None
                raise
            if isinstance(intent, Balance) and re.search(r"\bagain\b", part) and not (
                    intent.token or intent.chain or intent.address):  # "…, and check again"
                intent = next((s for s in reversed(steps) if isinstance(s, Balance)), intent)
            # a step may be several payments on several chains: each its own step, coordinated
            for n, one in enumerate(intent.steps if isinstance(intent, Sequence) else [intent]):
                steps.append(one)
                joins.append(joined if n == 0 else True)
                prev = _after(one, prev)
        if scope is not None:
            steps = [step if getattr(step, "chain", None) or isinstance(step, Bridge)
                     else step.model_copy(update={"chain": scope}) for step in steps]
        steps = _batched(_chain_in_scope(steps), joins)
        if len(steps) == 1:
            return steps[0]  # type: ignore[return-value]
        return Sequence(steps=steps)  # type: ignore[arg-type]
    except Ask as ask:
        return _restored(ask.clarification, addrs)
    except (InvalidOperation, ValueError) as exc:  # a malformed number or a model refusal
        return _restored(clarify(f"I couldn't read that request ({exc}). " + CAN_DO,
                                 CAPABILITIES), addrs)


_ACTIVE = {"transferred": "transfer", "sent": "send", "paid": "pay", "swapped": "swap",
           "exchanged": "exchange", "bridged": "bridge", "converted": "convert",
           "wrapped": "wrap", "unwrapped": "unwrap"}
_PASSIVE_RE = re.compile(r"\bbe (" + "|".join(_ACTIVE) + r")\b", re.IGNORECASE)
# Amounts in other currencies: never read as tokens ("€20 of eth" is not 20 ETH).
_OTHER_CURRENCY_RE = re.compile(r"[€£¥₹₩₽]|\b(?:euros?|eur|pounds?|gbp|yen|jpy|rupees?|inr|"
                                r"francs?|chf|cad|aud)\b", re.IGNORECASE)
# Times that make a request a schedule ("tomorrow", "every week"): a request runs now, once.
_LATER_RE = re.compile(
    r"\b(?:tomorrow|tonight|later today|next (?:week|month|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday|year)|every (?:day|week|month|hour|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|\d+ (?:days|weeks|hours|minutes))|daily|weekly|monthly|"
    r"hourly|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|at \d{1,2}"
    r"(?::\d{2})? ?(?:am|pm)|at noon|at midnight|in \d+ (?:minutes?|mins?|hours?|days?|weeks?)"
    r"(?! (?:deadline|or less))|from now)\b", re.IGNORECASE)
# "show balances before and after swapping 1 eth": a read, the action, a read
_BEFORE_AND_AFTER_RE = re.compile(
    r"\b(?:show|check|tell me|give me)\s+(?:me\s+)?(?:my\s+|the\s+)?(?:balances?|portfolio)\s+"
    r"before and after\s+(?P<act>.+)$", re.IGNORECASE)


_BEFORE_READ_RE = re.compile(
    r"^\s*before\s+(?P<act>[^,;]+?),\s*(?P<read>(?:please\s+)?(?:show|check|tell|display|"
    r"what|how)\b.*)$", re.IGNORECASE)
# A yes/no question ending in "?" ("Would it be wise to…?", "Is 0.1 eth enough…?"), unlike a
# polite order ("would you send…?").
_YES_NO_RE = re.compile(r"^\s*(?:would|should|is|are|do|does|did|was|were|has|have|am|must)\b"
                        r"(?!\s+you\b)", re.IGNORECASE)


_BOUNDING = {"expire", "expires", "expiring", "expiry", "within", "under", "valid"}


def _later(text: str) -> re.Match | None:
    """The first time phrase that schedules ("in 2 hours"), not one that bounds a swap
    ("must finish in 15 minutes", a deadline)."""
    for found in _LATER_RE.finditer(text):
        before = text[:found.start()].split()
        if found.group(0).lower().startswith("in ") and before and before[-1].lower() in (
                FINISH | _BOUNDING):
            continue
        return found
    return None




def _restored(question: Clarification, addrs: list[str]) -> Clarification:
    """A question shows addresses as the person wrote them, never the lexer's placeholders."""
    def back(text: str) -> str:
        return PLACEHOLDER_RE.sub(lambda m: addrs[int(m.group(1))] if int(m.group(1)) < len(
            addrs) else "the address", text)

    return clarify(back(question.question), [back(option) for option in question.options])


_CONTENT = {"AMT", "TOK", "ADDR", "CONTACT", "WALLET", "CHAIN", "ENS", "XTOK", "XCHAIN", "VENUE",
            "XVENUE", "UNLIMITED", "SPENDER"}


def _items_of(part: str, tb: Tables, addrs: list[str], caps: set[str]) -> list[Item] | None:
    try:
        return lex(take_terms(words_of(part))[0], tb, addrs, caps)
    except Ask:
        return None  # the step's own parse will ask


def _has_content(items: list[Item] | None, part: str, refs: bool = True) -> bool:
    """Whether a sentence names anything an order or a question is about (`refs`: whether a
    pointer such as "it" counts: it does in a step of its own, not in a lead-in)."""
    if items is None:
        return True
    return any(it.kind in _CONTENT and (refs or it.kind != "AMT" or not it.value.ref)
               for it in items) or (refs and any(it.kind == "VERB" and it.value == "show"
                                                 for it in items)) or any(
        it.text in _BALANCE_WORDS | _QUOTE_WORDS for it in items) or bool(
        re.search(r"\bhow (?:much|many)\b", part))


def _without_context(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
                     caps: set[str]) -> list[tuple[str, bool]]:
    """Courtesy and context sentences ("It's an important transaction.", "Please assist me with
    the transfer.", "I'm new to this") name no amount, token, party, chain or question: they
    are not steps. A pointer ("this", "it") counts only in a sentence with a verb."""
    def content(part: str) -> bool:
        items = _items_of(part, tb, addrs, caps)
        verb = items is not None and any(it.kind == "VERB" for it in items)
        return _has_content(items, part, refs=verb)

    kept: list[tuple[str, bool]] = []
    for part, joined in parts:
        if content(part):
            kept.append((part, joined))
        elif kept and _terms_only(part):  # "swap 0.2 eth to usdc. slippage: 1%"
            kept[-1] = (f"{kept[-1][0]} {part}", kept[-1][1])
    return kept if kept else parts[:1] if len(parts) == 1 else []


def _listed_payments(items: list[Item]) -> bool:
    """A verbless list of payments: several people with an amount each, or "each", or the
    words "payment(s)" / "gets"."""
    people = [it for it in items if it.kind in ("CONTACT", "ADDR", "WALLET")]
    amounts = [it for it in items if it.kind == "AMT" and not it.value.ref]
    if not people or not amounts:
        return False
    if any(it.text in ("payments", "payment", "gets", "receives") for it in items):
        return True
    if len(people) < 2:
        return False
    if any(it.text == "each" for it in items):
        return True
    # "alice 5 usdc, bob 7 usdc" or "5 usdc to alice, 7 to bob": each person next to an amount
    # or introduced by "to"; never "carol's 1 eth may wait", which pays nobody
    return len(amounts) == len(people) and all(_introduced(items, it) for it in people)


def _introduced(items: list[Item], person: Item) -> bool:
    at = items.index(person)
    after = items[at + 1] if at + 1 < len(items) else None
    return person.prep in ("to", "for") or (after is not None and after.kind == "AMT")


def _scope_sentence(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
                    caps: set[str]) -> tuple[list[tuple[str, bool]], str | None]:
    """A last sentence that only names a chain ("Both on sandbox-l2.", "all of it on l2") is
    where every step happens, not a step."""
    if len(parts) < 2:
        return parts, None
    items = _items_of(parts[-1][0], tb, addrs, caps)
    if not items:
        return parts, None
    chains = {it.value for it in items if it.kind == "CHAIN"}
    rest = [it for it in items if it.kind != "CHAIN" and not (
        it.kind in ("WORD", "PREP") and (it.text in SOFT or it.text in ("both", "all")))]
    if len(chains) != 1 or rest:
        return parts, None
    return parts[:-1], chains.pop()


def _terms_only(part: str) -> bool:
    try:
        return take_terms(words_of(part))[1].any
    except Ask:
        return True  # a term that cannot be read: the step it belongs to will ask


_PRONOUNS = {"him", "her", "them"}


def _resolve_pronouns(parts: list[tuple[str, bool]], tb: Tables, addrs: list[str],
                      caps: set[str]) -> list[tuple[str, bool]]:
    """A sentence that states a debt or a need without an order ("I owe bob $40 in USDC", "alice
    needs 20 usdc") followed by an order that points back at it ("settle it", "send it to her",
    "pay him back"): one order, with the pronouns replaced by what they stand for."""
    out: list[tuple[str, bool]] = []
    index = 0
    while index < len(parts):
        part, joined = parts[index]
        if index + 1 < len(parts):
            following, next_joined = parts[index + 1]
            if joined is None and not _has_content(_items_of(part, tb, addrs, caps), part,
                                                   refs=False):
                parts[index + 1] = (following, next_joined)  # "I trust you with this, send…"
                index += 1
                continue
            merged = _merge_antecedent(part, following, tb, addrs, caps)
            if merged is not None and _is_read(part, tb, addrs, caps):
                out.append((part, bool(joined)))  # "check bob's balance, then send him 5 usdc"
                parts[index + 1] = (merged, next_joined)
                index += 1
                continue
            if merged is None and joined is None:
                merged = f"{part} {following}"  # a lead-in: part of the next step
            if merged is not None:
                parts[index + 1] = (merged, bool(joined) if joined is not None else next_joined)
                index += 1
                continue
        out.append((part, bool(joined)))
        index += 1
    return out


def _merge_antecedent(first: str, second: str, tb: Tables, addrs: list[str],
                      caps: set[str]) -> str | None:
    """`second` with its pronouns replaced by what `first` names, or None when `first` is not
    an antecedent (it has an order of its own, or nothing to point at)."""
    a, b = _items_of(first, tb, addrs, caps), _items_of(second, tb, addrs, caps)
    if a is None or b is None or (not _statement(a) and any(
            it.kind == "VERB" and it.value not in ("show", "get") for it in a)):
        return None
    verb = next((it for it in b if it.kind == "VERB"), None)
    people = [it for it in a if it.kind in ("CONTACT", "ADDR", "WALLET")] or _stranger(a)
    amounts = [it for it in a if it.kind == "AMT" and not it.value.ref]
    refers = [it for it in b if it.kind == "AMT" and it.value.ref and it.text in ("it", "that",
                                                                                 "this")]
    pointed = [w for w in words_of(second) if w in _PRONOUNS]
    if verb is None or not people or not (refers or pointed):
        return None
    if len(people) >= 2 and len(amounts) == len(people):  # "I owe alice 15 and bob 10, pay them"
        listed = [it.text for it in a if it.kind in ("CONTACT", "ADDR", "WALLET", "AMT", "TOK")]
        return f"{verb.text} " + " ".join(listed).replace(f" {people[1].text}",
                                                          f" and {people[1].text}", 1)
    names = [it.text for it in people]
    person = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if len(names) > 1 and not any(w in ("them", "each") for w in words_of(first + " " + second)):
        return None
    text = second
    if len(amounts) == 1:
        amt = amounts[0].value
        token = next((it.text for it in a if it.kind == "TOK"), None)
        if token is None:
            return None
        amount = f"{amt.raw} of {token}" if amt.kind == "usd" else f"{amt.raw} {token}"
        if len(names) > 1 and "each" in words_of(first):
            amount += " each"  # "I owe bob and alice 10 usdc each, pay them"
        if refers:
            text = re.sub(r"\b(?:it|that|this)\b", amount, text, count=1)
        elif re.search(r"\bthem\b(?=\s+(?:to|over|back)\b)", text) and len(names) == 1:
            text = re.sub(r"\bthem\b", amount, text, count=1)  # "give them to her": the coins
            refers = [verb]
        if not refers:
            text += f" {amount}"
    elif refers or not any(it.kind == "AMT" for it in b):
        return None  # "it" with nothing to point at; or no amount at all
    text = re.sub(r"\b(?:him|her|them)\b", person, text, count=1)
    if not pointed and not any(it.kind in ("CONTACT", "ADDR", "WALLET") for it in b):
        text += f" to {person}"
    chain = next((it.text for it in a if it.kind == "CHAIN"), None)
    if chain is not None and not any(it.kind == "CHAIN" for it in b):
        text += f" on {chain}"  # "carol needs 15 usdt on l2, send it to her"
    return text


_OWED = {"owe", "owes", "owed", "lent", "borrowed"}
_SAID_OF = {"needs", "lent", "wants", "asked", "helped", "paid", "sent", "deserves", "owes"}


def _stranger(items: list[Item]) -> list[Item]:
    """A name Steward does not know where the sentence puts a person ("I owe dave 10 usdc",
    "dave needs 5 usdt"): the order that points back at it names it, and is asked about."""
    for n, it in enumerate(items):
        if it.kind != "WORD" or it.text in SOFT or not it.text.isalpha():
            continue
        before = items[n - 1].text if n else ""
        after = items[n + 1].text if n + 1 < len(items) else ""
        if before in _OWED or (n == 0 and after in _SAID_OF):
            return [it]
    return []


def _statement(items: list[Item]) -> bool:
    """A sentence about a person, not an order to Steward: it opens with the person and a word
    of its own ("bob helped me move house", "alice is moving abroad") and moves no token."""
    return (len(items) >= 2 and items[0].kind in ("CONTACT", "WALLET")
            and items[1].kind == "WORD" and items[1].text not in ("and", "&", "plus", ",")
            and not any(it.kind in ("TOK", "ADDR", "CHAIN") or (it.kind == "AMT"
                                                                and not it.value.ref)
                        for it in items))


def _is_read(part: str, tb: Tables, addrs: list[str], caps: set[str]) -> bool:
    """A balance or price question ("how much usdc does alice have", "check bob's balance")."""
    items = _items_of(part, tb, addrs, caps) or []
    return bool(re.search(r"\bhow (?:much|many)\b", part)) or any(
        it.text in _BALANCE_WORDS | _QUOTE_WORDS for it in items)


def _batched(steps: list[object], joined: list[bool]) -> list[object]:
    """Payments joined by "and" or a comma (not "then") from one wallet on one chain are one
    batch: one plan, one preview, one verdict."""
    out: list[object] = []
    for step, coordinated in zip(steps, joined):
        last = out[-1] if out else None
        if (coordinated and isinstance(step, (Transfer, Batch)) and isinstance(last, (Transfer,
                                                                                     Batch))
                and _payable(step) and _payable(last) and last.chain == step.chain
                and last.wallet == step.wallet):
            payments = _as_payments(last) + _as_payments(step)
            if len({(p.recipient, p.token) for p in payments}) == len(payments):
                out[-1] = Batch(payments=payments, chain=step.chain, wallet=step.wallet)
                continue
        out.append(step)
    return out


def _payable(step: object) -> bool:
    return all(p.amount.kind != "previous" for p in _as_payments(step))


def _as_payments(step: object) -> list[Payment]:
    if isinstance(step, Batch):
        return list(step.payments)
    return [Payment(amount=step.amount, token=step.token, recipient=step.recipient)]


def _chain_in_scope(steps: list[object]) -> list[object]:
    """"swap 1 eth for usdc and send 100 usdc to bob on l2": a chain named once, at the end of
    a sequence with no bridge, is where every step happens."""
    if len(steps) < 2 or any(isinstance(step, Bridge) for step in steps):
        return steps
    chain = getattr(steps[-1], "chain", None)
    if chain is None or any(getattr(step, "chain", None) not in (None, chain)
                            for step in steps[:-1]):
        return steps
    return [step if getattr(step, "chain", None) else step.model_copy(update={"chain": chain})
            for step in steps]
