"""Headless Chromium (Debian's chromium package) cut off from every host but the one under test.

Used by the docs and dashboard tests, and on its own to take a screenshot of a running service:

    .venv/bin/python -m tests.browser http://127.0.0.1:8000/ dashboard.png
"""

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium")
# Chromium's own background traffic, not the page's.
BROWSER_INTERNAL_HOSTS = {
    "clients2.google.com",
    "update.googleapis.com",
    "accounts.google.com",
    "content-autofill.googleapis.com",
}


@dataclass
class Visit:
    dom: str
    requested: set  # urls the browser asked for, internal traffic excluded
    console: list[str]  # console messages and uncaught errors of the page

    def outside(self, url):
        host = urlsplit(url).netloc
        return {u for u in self.requested if urlsplit(u).netloc != host}


def visit(url: str, *, workdir: Path, screenshot: Path | None = None, window=(1000, 2400)) -> Visit:
    netlog = workdir / "netlog.json"
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter",
        f"--user-data-dir={workdir / 'profile'}",
        # Every host but the one under test resolves to nothing: the network is cut off.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
        f"--log-net-log={netlog}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=15000",
        f"--window-size={window[0]},{window[1]}",
        "--hide-scrollbars",
    ]
    args += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    result = subprocess.run([*args, url], capture_output=True, text=True, timeout=120, check=True)
    requested = {
        u
        for u in re.findall(r'"url":"([^"]+)"', netlog.read_text(errors="replace"))
        if urlsplit(u).hostname not in BROWSER_INTERNAL_HOSTS
    }
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return Visit(result.stdout, requested, console)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python -m tests.browser URL OUT.png")
    url, out = argv[1], Path(argv[2]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        result = visit(url, workdir=Path(tmp), screenshot=out)
    outside = result.outside(url)
    print(f"wrote {out}; requests outside {urlsplit(url).netloc}: {sorted(outside) or 'none'}")
    for line in result.console:
        print(line)
    sys.exit(1 if outside or result.console else 0)


if __name__ == "__main__":
    main(sys.argv)
