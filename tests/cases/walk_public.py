from tests.walk import Case  # noqa: F401

WALK: dict = {}
