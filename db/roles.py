"""PostgreSQL roles for a team: the database, not the program, keeps history unchanged.

- The owner role (NOLOGIN) owns the database, the tables and the migrations; an admin
  acts as it (`SET ROLE`) to upgrade the schema.
- The clerks' role (the application connects as it, or as a login role granted it) may
  read everything and change what people edit (customers, drafts, batches, settings...),
  but on the ledger and audit tables it may only read and insert: the server answers
  "permission denied" to an UPDATE or DELETE there. The few columns the design maintains
  on ledger rows get column-level UPDATE: a document's open amount and closed-on date
  (kept with its applications), a day's control totals.
- Triggers refuse, even for the owner, what the grants cannot express: changing a posted
  document other than its open amount, deleting one, touching a posted invoice's lines,
  and any UPDATE, DELETE or TRUNCATE of audit events, applications and receipt details.
  (A superuser can still drop a trigger; that is a schema change, not a quiet edit.)

Everything here is idempotent: run it again after each upgrade, for new tables.
"""

from collections.abc import Callable

from sqlalchemy import Connection, text

# Read and insert only: history.
INSERT_ONLY = ("audit_event", "application", "receipt_detail", "follow_up")
# Drafts live in `document` (status 'draft') and are edited and deleted; posted rows are
# guarded by the triggers below. Invoice lines: a draft's are replaced, never updated.
DOCUMENT = "document"
LINES = "invoice_line"
# Column-level UPDATE where the design keeps a running figure on a ledger row.
MAINTAINED = {"daily_total": ("debits", "credits")}
READ_ONLY = ("alembic_version",)
# The tables whose rows are never changed, whatever the role.
IMMUTABLE = ("audit_event", "application", "receipt_detail")

_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION artui_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% rows are history: they are never changed or deleted.', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION artui_guard_document() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'Document % is posted: it is never deleted (void it instead).',
                OLD.number USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (to_jsonb(NEW) - 'open_amount' - 'closed_on')
                IS DISTINCT FROM (to_jsonb(OLD) - 'open_amount' - 'closed_on') THEN
            RAISE EXCEPTION 'Document % is posted: only its open amount is kept up to date.',
                OLD.number USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION artui_guard_lines() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM document WHERE id = OLD.document_id AND status <> 'draft') THEN
            RAISE EXCEPTION 'The lines of a posted document are never changed.'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END $$
    """,
]


def _triggers() -> list[str]:
    out = []
    for table in IMMUTABLE:
        out += [
            f"CREATE OR REPLACE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION artui_refuse_change()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION artui_refuse_change()",
        ]
    out += [
        f"CREATE OR REPLACE TRIGGER {DOCUMENT}_posted BEFORE UPDATE OR DELETE ON {DOCUMENT} "
        "FOR EACH ROW WHEN (OLD.status <> 'draft') EXECUTE FUNCTION artui_guard_document()",
        f"CREATE OR REPLACE TRIGGER {DOCUMENT}_no_truncate BEFORE TRUNCATE ON {DOCUMENT} "
        "FOR EACH STATEMENT EXECUTE FUNCTION artui_refuse_change()",
        f"CREATE OR REPLACE TRIGGER {LINES}_posted BEFORE UPDATE OR DELETE ON {LINES} "
        "FOR EACH ROW EXECUTE FUNCTION artui_guard_lines()",
    ]
    return out


def ident(name: str) -> str:
    """A role or database name, quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = 4096) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677), made
    here so the password itself never reaches the server or its statement log."""
    import base64
    import hashlib
    import hmac
    import os

    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _run(conn: Connection, sql: str) -> None:
    """A statement with no parameters through the driver ('%' is its placeholder mark)."""
    conn.exec_driver_sql(sql.replace("%", "%%"))


def _role_exists(conn: Connection, name: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def create_roles(conn: Connection, owner: str, clerk: str, password: str | None = None) -> None:
    """The two roles (made when missing), and the database handed to the owner. The
    connected admin becomes a member of the owner, to act as it."""
    if not _role_exists(conn, owner):
        _run(conn, f"CREATE ROLE {ident(owner)} NOLOGIN")
    if not _role_exists(conn, clerk):
        _run(conn, f"CREATE ROLE {ident(clerk)} LOGIN")
    if password:
        _run(conn, f"ALTER ROLE {ident(clerk)} PASSWORD {literal(scram_verifier(password))}")
    if not conn.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar():
        _run(conn, f"GRANT {ident(owner)} TO CURRENT_USER")
    database = conn.execute(text("SELECT current_database()")).scalar()
    _run(conn, f"ALTER DATABASE {ident(database)} OWNER TO {ident(owner)}")
    _run(conn, f"REVOKE ALL ON DATABASE {ident(database)} FROM PUBLIC")
    _run(conn, f"GRANT CONNECT, TEMPORARY ON DATABASE {ident(database)} TO {ident(clerk)}")
    hand_over(conn, owner)


def _tables(conn: Connection) -> list[str]:
    rows = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    )
    return [r[0] for r in rows]


def hand_over(conn: Connection, owner: str) -> None:
    """Every table of ours (with its id sequence) and our functions, owned by the owner."""
    for table in _tables(conn):
        _run(conn, f"ALTER TABLE public.{ident(table)} OWNER TO {ident(owner)}")
    rows = conn.execute(
        text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.proname LIKE 'artui%'"
        )
    )
    for (signature,) in rows.all():
        _run(conn, f"ALTER FUNCTION {signature} OWNER TO {ident(owner)}")


def grant(conn: Connection, owner: str, clerk: str) -> list[str]:
    """The clerks' grants table by table, and the history triggers; returns the tables
    that are insert-only for the clerks."""
    hand_over(conn, owner)
    c = ident(clerk)
    _run(conn, f"GRANT USAGE ON SCHEMA public TO {c}")
    _run(conn, f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {c}")
    _run(conn, f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {c}")
    insert_only = []
    for table in _tables(conn):
        t = f"public.{ident(table)}"
        if table in READ_ONLY:
            _run(conn, f"GRANT SELECT ON {t} TO {c}")
        elif table in INSERT_ONLY:
            _run(conn, f"GRANT SELECT, INSERT ON {t} TO {c}")
            insert_only.append(table)
        elif table in MAINTAINED:
            cols = ", ".join(ident(col) for col in MAINTAINED[table])
            _run(conn, f"GRANT SELECT, INSERT, UPDATE ({cols}) ON {t} TO {c}")
        elif table == LINES:
            _run(conn, f"GRANT SELECT, INSERT, DELETE ON {t} TO {c}")
        else:  # what people edit; `document` for its drafts, guarded by a trigger
            _run(conn, f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {c}")
    for sql in _FUNCTIONS:
        _run(conn, sql)
    for sql in _triggers():
        _run(conn, sql)
    hand_over(conn, owner)  # the functions just made
    return insert_only


def set_up(
    admin_url: str,
    owner: str,
    clerk: str,
    *,
    password: str | None = None,
    upgrade: Callable[[str], object] | None = None,
) -> list[str]:
    """Roles, ownership, the schema brought up to date as the owner (`upgrade(url)` with
    a URL that connects as the admin acting as the owner), then the grants and triggers.
    Returns the tables the clerks can only read and insert."""
    from sqlalchemy import create_engine

    from db.engine import normalize_url

    engine = create_engine(normalize_url(admin_url))
    try:
        with engine.begin() as conn:
            create_roles(conn, owner, clerk, password)
        if upgrade is not None:
            upgrade(as_role(admin_url, owner))
        with engine.begin() as conn:
            return grant(conn, owner, clerk)
    finally:
        engine.dispose()


def as_role(url: str, role: str) -> str:
    """The same connection, acting as `role` from its start (libpq `options=-c role=`)."""
    from sqlalchemy.engine import make_url

    from db.engine import normalize_url

    u = make_url(normalize_url(url))
    return u.update_query_dict({"options": f"-c role={role}"}).render_as_string(hide_password=False)
