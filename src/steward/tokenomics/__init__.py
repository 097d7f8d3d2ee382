"""An AI company's token with a buyback-and-burn anyone can verify.

- `deploy`: puts a project on a sandbox chain through Steward's own execution path, as the
  sandbox operator — the fixed-supply `BuybackToken`, its Uniswap V2 pool against USDC and its
  fee router (the honest `FeeRouter`, or the scam specimen `DivertingFeeRouter`) — and acts on it
  (`pay_fee`, `buyback`, `set_destination`). It sits with the sandbox.
- `report`: `tokenomics_report`, what the chain shows of a token's buyback-and-burn (fees in,
  buybacks, burns, the share burned against the share claimed, the powers that could divert
  it); behind `steward check tokenomics`. It sits with due diligence and never signs.
- `ledger`: the chain reads behind the report (calls, balances, logs in chunks, the fee routers
  of a token); `powers`: the powers that could divert the buyback (the router probed on a
  throwaway state, the token's from token due diligence).

See docs/tokenomics.md.
"""
