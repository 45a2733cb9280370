"""Access walk of the assistance-plan pages."""

WALK: dict = {}
