"""database_connector: a component that exports a typed query call.

It exports `wasmscope:db/database-connector` (see wit/database-connector.wit):
execute-query takes SQL text and returns a list of query-result records, or an
error string. The "database" is an in-memory `users` table inside the
component, and the SQL is read by the tiny parser below. It understands

    select <columns> from users [where <column> <op> <value>] [;]

where <columns> is `*` or a comma-separated list of id, name and score,
<op> is one of = != < <= > >=, and <value> is a number or a 'quoted' name.
The record type is fixed, so every row carries all three fields; the column
list is only checked. The component needs no WASI capabilities.
"""

import operator
import re

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports.database_connector import QueryResult

USERS = [
    QueryResult(id=1, name="ada", score=91.5),
    QueryResult(id=2, name="grace", score=88.0),
    QueryResult(id=3, name="linus", score=67.25),
    QueryResult(id=4, name="barbara", score=95.0),
    QueryResult(id=5, name="ken", score=72.5),
]
COLUMNS = ("id", "name", "score")
OPERATORS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

QUERY = re.compile(
    r"""^\s*select\s+(?P<columns>\*|[a-z_]\w*(?:\s*,\s*[a-z_]\w*)*)
        \s+from\s+(?P<table>[a-z_]\w*)
        (?:\s+where\s+(?P<column>[a-z_]\w*)\s*(?P<op><=|>=|!=|=|<|>)\s*
           (?P<value>-?\d+(?:\.\d+)?|'[^']*'))?
        \s*;?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)


def run_query(sql: str) -> list[QueryResult]:
    """Returns the matching rows, or raises ValueError with a message."""
    match = QUERY.match(sql)
    if not match:
        raise ValueError(
            "unsupported query: expected "
            "`select <columns> from users [where <column> <op> <value>]`"
        )
    table = match["table"].lower()
    if table != "users":
        raise ValueError(f"no such table: {match['table']}")
    if match["columns"] != "*":
        for column in (c.strip().lower() for c in match["columns"].split(",")):
            if column not in COLUMNS:
                raise ValueError(f"no such column: {column}")
    if match["column"] is None:
        return list(USERS)

    column = match["column"].lower()
    if column not in COLUMNS:
        raise ValueError(f"no such column: {column}")
    raw = match["value"]
    if column == "name":
        if not raw.startswith("'"):
            raise ValueError("name must be compared with a 'quoted' string")
        value = raw[1:-1]
    else:
        if raw.startswith("'"):
            raise ValueError(f"{column} must be compared with a number")
        value = float(raw)
    compare = OPERATORS[match["op"]]
    return [row for row in USERS if compare(getattr(row, column), value)]


class DatabaseConnector(exports.DatabaseConnector):
    def execute_query(self, sql: str) -> list[QueryResult]:
        try:
            return run_query(sql)
        except ValueError as error:
            raise Err(str(error))
