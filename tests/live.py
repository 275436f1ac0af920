"""Real processes for the tests that must not run in-process: gunicorn serving the project, and a private
PostgreSQL cluster a test may stop and start (never the shared server the rest of the suite uses)."""

import glob
import http.client
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, path, *, method="GET", headers=None, body=None, timeout=10):
    """(status, body bytes, headers dict, seconds) of one request on a fresh connection."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        content = response.read()
        return response.status, content, dict(response.getheaders()), time.monotonic() - started
    finally:
        conn.close()


class Gunicorn:
    """The service as deployed: gunicorn with adminduk/gunicorn.py, DEBUG off, a real secret, plain HTTP on
    127.0.0.1 (the number of workers, and threads, as the test asks)."""

    def __init__(self, database_url, *, workers=2, threads=1, **env):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "adminduk.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "live-test-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.args = ["-w", str(workers), *(["-k", "gthread", "--threads", str(threads)] if threads > 1 else [])]
        self.process = None

    def __enter__(self):
        self.log = tempfile.NamedTemporaryFile(prefix="adminduk-gunicorn-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "python:adminduk.gunicorn", "adminduk.wsgi:application"),
                *("-b", f"127.0.0.1:{self.port}", *self.args),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if request(self.port, "/healthz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.process.kill()
                raise RuntimeError(f"gunicorn did not start: {self.output()[-2000:]}")
            time.sleep(0.2)

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def __exit__(self, exc_type, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if exc_type is not None:
            print(f"--- gunicorn's output (last 5000 characters)\n{self.output()[-5000:]}")
        Path(self.log.name).unlink(missing_ok=True)


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on its own port, run as the postgres system user when we are root (the
    server refuses to run as root)."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="adminduk-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            os.chown(self.dir, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args):
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.dir)

    def init(self):
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def replica_of(self, primary):
        """Make this cluster a streaming replica of ``primary``: its base backup, with standby.signal and the
        primary's address written (-R)."""
        self._run(
            *("pg_basebackup", "-D", str(self.data), "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
        )
        return self

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def manage(*args, database_url, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "adminduk.settings", "DATABASE_URL": database_url, "DEBUG": "true"}
        | env,
        check=True,
        capture_output=True,
        text=True,
    )


def manage_fresh(*args, **env):
    """manage.py in a fresh process configured by ``env`` alone, as a deployment configures it: the test run's
    DEBUG, SECRET_KEY and DJANGO_SETTINGS_MODULE dropped, no .env file read. Its CompletedProcess, checked by none."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "ENV_FILE": "/nonexistent/.env", **env},
        capture_output=True,
        text=True,
    )


def served_database_url() -> str:
    """The URL of the PostgreSQL database the test run uses, for a server in another process to serve."""
    from django.db import connection

    db = connection.settings_dict
    address = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{address}/{db['NAME']}"
