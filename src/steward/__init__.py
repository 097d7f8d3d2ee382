"""Steward: an agent wallet that simulates, explains and guards every transaction."""

__version__ = "0.1.0"
