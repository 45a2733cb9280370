"""Operations: backup and restore (fangpin.ops.backup), the PostgreSQL least-privilege role (fangpin.ops.pgroles).

Plain modules, not an app: their management commands live in fangpin.audit.management.commands."""
