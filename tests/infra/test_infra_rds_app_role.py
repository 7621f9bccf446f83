import json
import subprocess

import pytest
from infra_tree import REPO

from tools.infra.rds_app_role import script

MASTER = json.dumps({"username": "comments_admin", "password": "it's $ecret"})
URL = "postgres://comments_api:Abc123@comments-dev.abc.eu-west-1.rds.amazonaws.com:5432/comments?sslmode=require"


def test_the_script_creates_the_role_of_the_url_with_the_master_credentials():
    text = script(MASTER, URL)
    assert "export PGPASSWORD='it'\"'\"'s $ecret'" in text
    assert (
        "host=comments-dev.abc.eu-west-1.rds.amazonaws.com port=5432 dbname=comments user=comments_admin sslmode=require"
        in text
    )
    assert (
        "SELECT format('CREATE ROLE %I LOGIN', 'comments_api') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'comments_api') \\gexec"
        in text
    )
    assert "ALTER ROLE \"comments_api\" LOGIN PASSWORD 'Abc123';" in text
    assert 'ALTER DATABASE "comments" OWNER TO "comments_api";' in text


def test_the_script_is_valid_bash():
    done = subprocess.run(["bash", "-n"], input=script(MASTER, URL), text=True, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_url_without_password_is_refused():
    with pytest.raises(ValueError):
        script(MASTER, "postgres://comments_api@host:5432/comments")


def test_the_command_line_prints_the_script():
    done = subprocess.run(
        ["python3", "tools/infra/rds_app_role.py", MASTER, URL], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("set -euo pipefail")
