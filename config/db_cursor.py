"""The database cursor: server-side parameter binding (so psycopg can prepare a query a connection runs often),
falling back to client-side binding for a query with more parameters than the protocol carries.

PostgreSQL's extended protocol numbers parameters in 16 bits, so a server-bound query takes at most 65,535 of
them; a `bulk_create` of a few thousand claims or a long `pk__in` list has more. Django's default cursor binds
on the client, where there is no such limit; this one does the same for those queries (psycopg's `mogrify`, the
client-side cursor's own merging) and binds everything else on the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:  # Django defines its cursor classes only when psycopg 3 is installed, which mypy cannot see
    ServerBindingCursor = psycopg.Cursor[Any]
else:
    from django.db.backends.postgresql.base import ServerBindingCursor

MAX_SERVER_PARAMS = 65_535


class PreparingCursor(ServerBindingCursor):
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        if params is not None and len(params) > MAX_SERVER_PARAMS:
            query, params = psycopg.ClientCursor(self.connection).mogrify(query, params), None
        return super().execute(query, params, **kwargs)
