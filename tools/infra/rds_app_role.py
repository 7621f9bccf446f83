"""Print the shell script that creates the service's login role on RDS (once per environment)
or sets its new password (after a rotation).

RDS creates no login roles through its API, so the role named in the database URL secret is
created with the RDS-managed master credentials, from a throwaway pod (the database has no public
address). The script travels on the pod's stdin: no password lands in a pod spec, a file or argv.

    python3 tools/infra/rds_app_role.py "$MASTER_SECRET_JSON" "$DATABASE_URL" \
      | kubectl -n default run db-bootstrap --rm -i --restart=Never --image=postgres:17 -- bash
"""

from __future__ import annotations

import json
import shlex
import sys
from urllib.parse import unquote, urlsplit


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def script(master_secret: str, database_url: str) -> str:
    master = json.loads(master_secret)
    url = urlsplit(database_url)
    role, password = unquote(url.username or ""), unquote(url.password or "")
    database = url.path.lstrip("/")
    if not (role and password and url.hostname and database):
        raise ValueError("the database URL must carry user, password, host and database")
    conninfo = (
        f"host={url.hostname} port={url.port or 5432} dbname={database} user={master['username']} sslmode=require"
    )
    sql = "\n".join(
        [
            # Create the role when missing, then (re)set its password: the same run rotates it.
            f"SELECT format('CREATE ROLE %I LOGIN', {_literal(role)}) "
            f"WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(role)}) \\gexec",
            f"ALTER ROLE {_identifier(role)} LOGIN PASSWORD {_literal(password)};",
            # The service runs its own migrations, so it owns the database (and through
            # pg_database_owner the public schema). Handing a database over needs membership of the
            # new owner: the RDS master is no superuser, but it created the role and may grant it.
            f"GRANT {_identifier(role)} TO CURRENT_USER;",
            f"ALTER DATABASE {_identifier(database)} OWNER TO {_identifier(role)};",
        ]
    )
    return "\n".join(
        [
            "set -euo pipefail",
            f"export PGPASSWORD={shlex.quote(master['password'])}",
            f"psql {shlex.quote(conninfo)} -v ON_ERROR_STOP=1 <<'SQL'",
            sql,
            "SQL",
            "",
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.stdout.write(script(sys.argv[1], sys.argv[2]))
