"""Data and model markets that pay for quality (issue 19).

Contributors commit to their data by hash, reveal it, and are paid from the buyer's escrow in
proportion to a valuation anyone can re-run: `valuation` (exact KNN-Shapley over a held-out
evaluation bundle, with duplicate and trap checks) and `datasets` (scikit-learn's bundled digits,
split into contributors of known quality). Both need the optional `steward[data]` extra (numpy,
scikit-learn); this package imports neither, so the CLI can import it cheaply.
"""
