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
from collections.abc import Callable
from decimal import InvalidOperation

from steward.intents import (
    Approve,
    Balance,
    Bridge,
    Clarification,
    ParseContext,
    ParseResult,
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
from steward.intents.hypothetical import (advice_asked, hypothetical, names_an_action,
                                             not_done)
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
from steward.intents.sentences import (
    BALANCE_WORDS,
    QUOTE_WORDS,
    batched,
    chain_in_scope,
    resolve_pronouns,
    scope_sentence,
    without_context,
)
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
# Words that set an allowance to an amount ("set/change/lower … allowance to 40"); never "increase
# by", which would add to it.
_SETTING = {"set", "change", "update", "adjust", "lower", "raise", "cap", "limit", "make"}


def _parse_step(text: str, tb: Tables, prev: Previous | None, addrs: list[str],
                caps: set[str], asked: bool = False, what_if: str | None = None) -> object:
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
    if what_if is not None:  # "if I approve the router for 50 usdc, what will happen?"
        def again() -> StepReader:  # the step read afresh, as the order it would be
            return StepReader(lex(words, tb, addrs, caps), tb, prev, text)
        return _with_how(step, _hypothetical_step(step, again, text, what_if), terms)
    trade_like = len({it.value for it in items if it.kind == "TOK"}) >= 2 and any(
        it.kind == "AMT" for it in items)
    question = is_question(text) or (asked and trade_like
                                      and not any(it.kind == "VERB" for it in items))
    intent = _read_step(step, text, question)  # "1 eth in usdc?": a question, not an order
    return _with_how(step, intent, terms)


def _hypothetical_step(step: StepReader, again: Callable[[], StepReader], text: str,
                       what_if: str) -> object:
    """A step of a hypothetical: a swap asked about is its quote (read-only); any other action
    is asked back, offering the order in words, and never done."""
    try:
        return _read_step(step, text, True)
    except Ask as asked_back:
        try:
            order = _read_step(again(), text, False)
        except Ask:
            order = None
        if isinstance(order, (Swap, Quote, Balance)) or order is None and not (names_an_action(
                text) or any(it.kind == "VERB" and it.value not in TRADE_VERBS
                             for it in step.items)):
            raise asked_back from None  # the quote's own question ("quote in which token?")
        raise Ask(not_done(what_if, order)) from None


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
    has_quote = any(it.text in QUOTE_WORDS for it in items)
    has_balance = any(it.text in BALANCE_WORDS for it in items)
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
    if has_approval and (verb in (None, "convert") or items[first].text in _SETTING) and any(
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
        if (advice := advice_asked(s)) is not None:  # "…, is that safe?": a question, not an order
            raise Ask(f"That asks for advice ('{advice}'), a question, so nothing will be done: "
                      f"'{shown(text.strip())}'. Steward answers balances and quotes; to act, say "
                      "it as an order (for example 'send 5 USDC to alice').")
        what_if = hypothetical(s)
        parts = [(clean_step(p), joined) for p, joined in split_steps(s)]
        parts = without_context(resolve_pronouns([(p, j) for p, j in parts if p], tb, addrs,
                                                   caps), tb, addrs, caps)  # type: ignore[arg-type]
        parts, scope = scope_sentence(parts, tb, addrs, caps)
        if not parts:
            return clarify("What would you like to do? " + CAN_DO, CAPABILITIES)
        steps: list[object] = []
        prev: Previous | None = None
        joins: list[bool] = []
        asked = text.rstrip().endswith("?")
        for number, (part, joined) in enumerate(parts):
            try:
                intent = _parse_step(part, tb, prev, addrs, caps,
                                     asked=asked and number == len(parts) - 1, what_if=what_if)
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
        steps = batched(chain_in_scope(steps), joins)
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


