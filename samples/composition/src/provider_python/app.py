"""provider_python: the article's `database-connector`, in Python.

Exports `wasmscope:article/database-connector` (world `provider` in
../../wit/article.wit). Built with componentize-py 0.25.1, which writes the
canonical ABI glue; this file only implements the function.

execute-query reads /data/users.csv at query time, so the provider needs a
preopened /data directory; without one it answers with a single error row.
The three providers (Python, Rust, Go) follow the same rules, so they return
identical results:

- the query is trimmed of ASCII whitespace at both ends and ASCII-lowercased;
- `select * from users` returns every row;
- `select * from users where id = N` (N: 1-20 ASCII digits, fits in u64)
  returns the rows whose id is N;
- anything else returns an empty list, without reading the file.

Rows: the first line of users.csv names the columns; each later non-empty line
is `id,field,...`. A row's payload is `column=value` pairs of the fields after
the id, joined by `;`, e.g. `name=ada;lang=python`. Lines whose id is not a
number are skipped. If the file cannot be opened or read, the result is one row
`{id: 0, payload: "error: cannot open /data/users.csv: <reason>"}`, where
<reason> comes from a small errno table shared by all three providers. When
no preopened directory holds /data, wasi-libc (used by CPython here) says
ENOENT; the Go and Rust providers turn their own answers for that case (EBADF,
and an error without errno) into the same text. If /data/users.csv is a
directory, CPython's open() says EISDIR; the Go and Rust providers check for
that themselves (WASI lets them open it, and reading it fails with EBADF).
"""

from typing import List

from wit_world import exports
from wit_world.exports.database_connector import QueryResult

PATH = "/data/users.csv"
U64_MAX = 2**64 - 1
# WASI errno -> text. The same table is in the Rust and Go providers.
REASONS = {
    2: "Permission denied",
    8: "Bad file descriptor",
    28: "Invalid argument",
    31: "Is a directory",
    44: "No such file or directory",
    54: "Not a directory",
    63: "Operation not permitted",
    76: "Capabilities insufficient",
}
SELECT_ALL = b"select * from users"
SELECT_ID = b"select * from users where id = "


def parse_id(text: bytes):
    """An u64 written with 1-20 ASCII digits, or None."""
    if not 1 <= len(text) <= 20 or any(c < 0x30 or c > 0x39 for c in text):
        return None
    value = int(text)
    return value if value <= U64_MAX else None


def read_rows():
    """The rows of users.csv, or an error text."""
    try:
        with open(PATH, "rb") as f:
            data = f.read()
    except OSError as e:
        reason = REASONS.get(e.errno, f"errno {e.errno}")
        return f"error: cannot open {PATH}: {reason}"
    lines = [line[:-1] if line.endswith(b"\r") else line for line in data.split(b"\n")]
    lines = [line for line in lines if line]
    if not lines:
        return []
    header = lines[0].split(b",")
    rows = []
    for line in lines[1:]:
        fields = line.split(b",")
        row_id = parse_id(fields[0])
        if row_id is None:
            continue
        pairs = [header[i] + b"=" + fields[i] for i in range(1, min(len(header), len(fields)))]
        rows.append(QueryResult(id=row_id, payload=b";".join(pairs).decode("utf-8", "replace")))
    return rows


class DatabaseConnector(exports.DatabaseConnector):
    def execute_query(self, sql: str) -> List[QueryResult]:
        # bytes.strip()/lower() touch ASCII only, like the Rust and Go versions.
        query = sql.encode("utf-8").strip(b" \t\r\n").lower()
        if query == SELECT_ALL:
            wanted = None
        elif query.startswith(SELECT_ID) and parse_id(query[len(SELECT_ID):]) is not None:
            wanted = parse_id(query[len(SELECT_ID):])
        else:
            return []
        rows = read_rows()
        if isinstance(rows, str):
            return [QueryResult(id=0, payload=rows)]
        return [r for r in rows if wanted is None or r.id == wanted]
