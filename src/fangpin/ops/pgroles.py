"""PostgreSQL least privilege: the role the application runs as cannot change or remove audit rows.

The schema owner (the role ``fangpin migrate`` runs as) keeps full rights and is the only one that can
purge the audit log. The application role gets SELECT/INSERT/UPDATE/DELETE on the application's tables
and nothing else:

- ``audit_auditevent``: SELECT and INSERT only (no UPDATE, DELETE, TRUNCATE) — on top of the triggers;
- ``audit_chainhead``: UPDATE only of ``last_seq``/``last_hash``/``prev_hash`` (appending), never of the purge anchor;
- ``audit_purgegate`` (SQLite's purge door): nothing;
- ``django_migrations``: SELECT only (the application does not migrate);
- no CREATE on the schema, not a superuser, cannot create roles or databases.

Grants cover the tables that exist: run ``fangpin pg_roles`` again after every ``fangpin migrate``.
"""

from __future__ import annotations

AUDIT_TABLE = "audit_auditevent"
APPEND_ONLY = {AUDIT_TABLE: "SELECT, INSERT"}
NO_ACCESS = ("audit_purgegate",)
READ_ONLY = ("django_migrations",)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def app_role_sql(role: str, database: str, schema: str = "public", password: str | None = None) -> list[str]:
    """The statements, in order; idempotent (safe to re-run after migrations)."""
    r, s = quote_ident(role), quote_ident(schema)
    login = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {quote_literal(role)}) "
        f"THEN CREATE ROLE {r} {login}; END IF; END $$;",
        f"ALTER ROLE {r} WITH {login}" + (f" PASSWORD {quote_literal(password)}" if password else "") + ";",
        f"GRANT CONNECT ON DATABASE {quote_ident(database)} TO {r};",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r};",
        f"GRANT USAGE ON SCHEMA {s} TO {r};",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r};",
    ]
    for table, rights in APPEND_ONLY.items():
        statements += [f"REVOKE ALL ON {s}.{table} FROM {r};", f"GRANT {rights} ON {s}.{table} TO {r};"]
    statements += [
        f"REVOKE ALL ON {s}.audit_chainhead FROM {r};",
        f"GRANT SELECT, INSERT ON {s}.audit_chainhead TO {r};",
        f"GRANT UPDATE (last_seq, last_hash, prev_hash) ON {s}.audit_chainhead TO {r};",
    ]
    statements += [f"REVOKE ALL ON {s}.{t} FROM {r};" for t in NO_ACCESS]
    for table in READ_ONLY:
        statements += [f"REVOKE ALL ON {s}.{table} FROM {r};", f"GRANT SELECT ON {s}.{table} TO {r};"]
    return statements
