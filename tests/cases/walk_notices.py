"""Access walk of the notice pages (公示 / 公告)."""

WALK: dict = {}
