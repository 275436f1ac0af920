"""A short run of the load test (bench/load.py, 5 minutes in docs/performance.md) against gunicorn on PostgreSQL: mixed
reads and keyed writes with zero 5xx and no figure lost."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the load test runs on PostgreSQL, as deployed"),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk (Debian: apt-get install wrk)"),
]


def test_a_short_mixed_load_has_no_server_error_and_loses_no_figure():
    db = connection.settings_dict
    server = f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--duration", "10", "--server", server, "--database", f"{db['NAME']}_load"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(result.stdout)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "5xx: 0;" in result.stdout and "lost 0" in result.stdout
