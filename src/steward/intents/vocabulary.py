"""The parser's vocabulary: verbs, prepositions, number words, and the names of chains, tokens
and venues that exist elsewhere (so that "on gnosis" or "DAI" is recognised as unknown rather
than ignored). Data only; `steward.intents.lexer` reads words with it.
"""

from __future__ import annotations

# Words people use for the venues Steward has adapters for (adapter name → phrases). A context
# lists only the venues deployed on its chains; "uniswap" alone means any Uniswap version.
VENUE_WORDS: dict[str, list[str]] = {
    "uniswap-v3": ["uniswap v3", "uniswap 3", "uniswapv3", "univ3", "uni v3", "uniswap-v3"],
    "uniswap-v2": ["uniswap v2", "uniswap 2", "uniswapv2", "univ2", "uni v2", "uniswap-v2"],
    "sushiswap-v2": ["sushiswap v2", "sushiswap", "sushi swap"],
}


# --------------------------------------------------------------------------- vocabulary

# Venues and bridges people name that Steward has no adapter for: asked about, never replaced.
WORLD_VENUES: dict[str, str] = {
    **{name: "dex" for name in (
        "pancakeswap", "pancake swap", "pancake", "balmy", "1inch", "oneinch", "curve",
        "curve finance", "sushiswap", "sushi swap", "balancer", "cowswap", "cow swap",
        "cow protocol", "paraswap", "odos", "kyberswap", "kyber", "aerodrome", "velodrome",
        "jupiter", "raydium", "orca", "trader joe", "traderjoe", "camelot", "matcha",
        "openocean", "dodo", "bancor", "maverick", "quickswap", "spookyswap", "shibaswap",
        "dydx", "meteora", "lifi", "li fi", "rango", "rubic", "zerox", "0x protocol",
        "uniswapx", "uniswap x", "uniswap v4", "uniswap 4", "univ4", "uni v4", "thorchain", "thorswap", "metamask swaps", "metamask swap",
        "defillama", "llamaswap", "bebop", "hashflow", "airswap", "dexguru", "firebird",
        "openxswap", "syncswap", "izumi", "hyperswap", "pulsex")},
    **{name: "bridge" for name in (
        "across bridge", "across protocol", "stargate", "hop bridge", "hop protocol", "wormhole", "layerzero", "layer zero",
        "synapse", "celer", "cbridge", "axelar", "squid", "orbiter", "connext", "socket",
        "bungee", "debridge", "allbridge", "multichain", "portal bridge", "relay bridge",
        "official bridge", "native bridge", "superbridge", "ccip")},
}

CAPABILITIES = ["send", "swap", "bridge", "wrap", "unwrap", "approve", "revoke", "balance",
                "quote"]
CAN_DO = ("Steward can: send tokens, swap, bridge between chains, wrap or unwrap ETH, approve "
           "or revoke a spender, show balances, and quote prices.")

_VERBS: dict[str, str] = {}
for _action, _spelt in {
    "transfer": "send sends sending snd sned semd pay pays paying transfer transfers transferring "
                "transfering tranfer trasnfer transfr tansfer xfer give giving tip wire settle "
                "repay refund reimburse remit donate forward hand shoot zap return top",
    "move": "move moving mv put take shift",
    "swap": "swap swaps swapping swaping swapp swop swp trade trading exchange exchanging sell "
            "selling flip dump cash",
    "convert": "convert converting turn change",
    "buy": "buy buying purchase acquire",
    "get": "get",
    "bridge": "bridge bridging brige bridg brdge",
    "wrap": "wrap wrapping wrapp",
    "unwrap": "unwrap unwrapping unwrapp unrwap",
    "approve": "approve approving aprove approv allow authorize authorise permit grant",
    "revoke": "revoke revoking revok unapprove disallow deauthorize deauthorise rescind",
    "remove": "remove cancel reset",
    "quote": "quote qoute quot",
    "split": "split divide distribute share divvy",
    "deposit": "deposit",
    "withdraw": "withdraw",
    "bring": "bring",
    "show": "show check display list view",
}.items():
    for _w in _spelt.split():
        _VERBS[_w] = _action

# Names people use for tokens, besides their symbols (a name counts only for a token the
# context knows). Shared with steward.intents.grounding, which vets a model's answers.
TOKEN_NAMES = {"ether": "ETH", "eth": "ETH", "tether": "USDT", "usd coin": "USDC",
               "usdcoin": "USDC", "wrapped eth": "WETH", "wrapped ether": "WETH",
               "weth": "WETH", "usdt": "USDT", "usdc": "USDC"}

FUZZY_VERBS = {"transfer": "transfer", "bridge": "bridge", "unwrap": "unwrap",
                "approve": "approve",
                "revoke": "revoke", "exchange": "swap", "convert": "convert", "purchase": "buy",
                "swap": "swap", "send": "transfer", "wrap": "wrap", "trade": "swap",
                "quote": "quote", "balance": "show", "split": "split", "distribute": "split",
                "withdraw": "withdraw", "deposit": "deposit", "divide": "split"}

_PREPS = {"to": "to", "into": "into", "onto": "to", "in": "in", "on": "on", "for": "for",
          "with": "with", "using": "with", "from": "from", "of": "of", "via": "on", "at": "on",
          "over": "over", "across": "over", "through": "on", "by": "by", "off": "from",
          "towards": "to", "toward": "to", "->": "to", "=>": "to", "out": "out"}

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
          "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
          "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 1000, "million": 1000000}
_USD_UNITS = {"dollars", "dollar", "usd", "bucks", "buck"}

# Names of chains and tokens that exist elsewhere, so that "on gnosis" or "DAI" is recognised as
# an unknown chain or token rather than ignored.
_WORLD_CHAINS = {"gnosis", "optimism", "arbitrum", "base", "polygon", "mainnet", "ethereum",
                 "avalanche", "bsc", "solana", "zksync", "linea", "scroll", "fantom", "celo",
                 "sepolia", "goerli", "holesky", "mantle", "blast", "zora", "l3", "moonbeam",
                 "aurora", "starknet", "tron", "xdai", "bnb", "cosmos", "mode", "taiko", "unichain",
                 "berachain", "sonic", "metis", "cronos", "kava", "harmony", "ronin", "abstract",
                 "l0", "l4", "sandbox-l3", "bitcoin", "near", "aptos", "sui", "hyperliquid",
                 "ink", "soneium", "katana", "chiado", "gnosis chain"}
_WORLD_TOKENS = {"dai", "wbtc", "btc", "uni", "link", "matic", "pol", "sol", "usde", "frax",
                 "lusd", "aave", "comp", "mkr", "arb", "op", "pepe", "shib", "doge", "steth",
                 "wsteth", "reth", "cbeth", "avax", "busd", "tusd", "gho", "crv", "ldo", "snx",
                 "sushi", "yfi", "bal", "ape", "gmx", "rpl", "ens", "grt", "eurc", "pyusd", "usds",
                 "wbnb", "wmatic", "weeth", "eeth", "tbtc", "cbbtc", "xrp", "ada", "dot", "trx",
                 "ton", "bnb", "usdcc", "usdd", "fdusd", "mana", "sand", "axs", "imx", "blur",
                 "wld", "pendle", "eigen", "ethfi", "ena", "cake", "usdc.e", "weth9", "beth",
                 "stETH".lower(), "eurs", "usdp", "gusd", "susd", "mim", "rai", "frxeth",
                 "sfrxeth", "oeth", "wusdm", "usdm", "usdb", "wif", "bonk", "floki", "bitcoin"}
# Brands that are also ordinary words: venues only right after "via", "using", "with"…
_PREP_VENUES = {"across": "bridge", "hop": "bridge", "relay": "bridge", "portal": "bridge",
                "socket": "bridge", "curve": "dex", "orbiter": "bridge"}
_NOT_REF_BEFORE = {"would", "will", "does", "did", "is", "was", "if", "can", "could", "should",
                   "whether", "route", "make", "has", "had"}
# "all on l2", "both on sandbox-l2": the scope of a chain, not an amount
_SCOPE_WORDS = {"all", "both", "everything"}
# Verbs that are nouns after a determiner: "my share", "the transfer", "a swap".
_NOUN_VERBS = {"share", "split", "return", "top", "hand"}
_DETERMINERS = {"my", "your", "his", "her", "our", "their"}
_COIN_VERBS = {"unwrap", "swap", "convert", "buy", "withdraw"}
_VENUE_TAIL = {"router", "routers", "v2", "v3", "protocol", "dex",
               "pool", "pools", "aggregator", "'s", "contract", "app", "finance", "bridge"}
NOT_CHAIN = {"behalf", "top", "chain", "network", "mainnet", "testnet", "sandbox", "sure",
              "time", "whichever", "whatever", "hand", "hold", "average", "demand", "record",
              "one", "both", "either", "which"}
# Words that carry no slot of their own (they are skipped where a name could otherwise be read).
SOFT = {"some", "few", "my", "our", "your", "all", "out", "over", "across", "back", "up", "off",
         "funds", "money", "tokens", "token", "coins", "coin", "crypto", "amount", "ahead", "go",
         "also", "then", "first", "account", "address", "exactly", "about", "around", "just",
         "only", "really", "quickly", "immediately", "right", "now", "again", "more", "please",
         "over", "and", "a", "an", "i", "we", "you", "want", "would", "like", "need", "to",
         "is", "are", "do", "does", "did", "have", "has", "had", "be", "will", "can", "could",
         "should", "worth", "value", "balance", "balances", "what", "what's", "whats", "how",
         "much", "many", "get", "me", "it", "them", "that", "this", "those", "these", "on",
         "in", "of", "for", "with", "from", "at", "by", "currently", "available", "total",
         "held", "holding", "holdings", "own", "there", "chain", "network", "wallet", "side",
         "network's", "i'd", "i'm", "let's", "lets", "ok", "okay", "tell", "give", "see",
         "show", "check", "portfolio", "sure", "yes", "hey", "so", "well", "thanks", "stuff",
         "price", "prices", "quote", "rate", "approval", "allowance", "approvals", "allowances",
         "spend", "spending", "use", "the", "whole", "entire", "left", "remaining", "currently",
         "receive", "end", "up", "with", "if", "swapped", "sold", "bought", "traded", "am",
         "go", "gonna", "going", "spent", "wanna", "know", "let", "permission", "access",
         "router's", "bridge's", "contract", "its", "their", "his", "her", "back", "same",
         "as", "than", "any", "every", "each", "per", "unit", "units", "market", "current",
         "now", "today", "currently", "pls", "plz", "kindly", "just", "instantly", "asap",
         "right", "away", "immediately", "amount", "approved", "approvals", "revoked", "via",
         "onto", "into", "toward", "towards", "using", "through"}


# Words that are already words of the grammar or names Steward knows: never respelt.
_KNOWN_WORDS = (set(_VERBS) | set(_PREPS) | SOFT | set(_UNITS) | set(_TENS) | set(TOKEN_NAMES)
                | _WORLD_TOKENS | _WORLD_CHAINS | {w for name in WORLD_VENUES for w in name.split()}
                | {w for words in VENUE_WORDS.values() for name in words for w in name.split()}
                | {"checks", "checked", "checking", "reach", "beach", "teach", "mach", "mush",
                   "match", "much", "many", "money", "headline", "deadlines", "minute"})
