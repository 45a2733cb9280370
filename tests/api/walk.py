"""Access walk of the API endpoints."""

WALK: dict = {}
