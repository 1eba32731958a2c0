"""Mithril Vault (seed 003): signed calls, OAuth-bound users, mining rewards."""
