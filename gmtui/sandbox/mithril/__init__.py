"""The Mithril Vault sandbox (seed 003): signed OAuth and mining calls, bindings, activities processed every 10 minutes."""
