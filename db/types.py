"""Column type names that SQLite STRICT tables accept.

STRICT tables allow only INTEGER, REAL, TEXT, BLOB and ANY; SQLAlchemy's default DDL says
VARCHAR, BOOLEAN, DATE and DATETIME. The values stay as SQLAlchemy stores them (ISO text
for dates, 0/1 for booleans); only the declared names change, and only on SQLite.
"""

from sqlalchemy import Boolean, Date, DateTime, String, Text
from sqlalchemy.ext.compiler import compiles


@compiles(String, "sqlite")
@compiles(Text, "sqlite")
@compiles(Date, "sqlite")
@compiles(DateTime, "sqlite")
def _sqlite_text(type_, compiler, **kw) -> str:  # noqa: ANN001
    return "TEXT"


@compiles(Boolean, "sqlite")
def _sqlite_bool(type_, compiler, **kw) -> str:  # noqa: ANN001
    return "INTEGER"
