"""The service layer. It never imports textual (a test enforces it)."""
