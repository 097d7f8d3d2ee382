"""The compute market: staked providers, jobs with escrowed prices, results committed by Merkle
root and verified by the buyer (Freivalds, sampled re-execution, timed capability challenges),
fraud proven on chain and slashed to the buyer."""
