"""The pure core: standard library only (a test enforces it)."""
