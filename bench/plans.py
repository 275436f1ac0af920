"""What plans save (coverage.api.plans): the CPU time of a computed answer (the response cache off) to a question
asked before, whose plan is kept, and to the same question asked for the first time, built from scratch; in this
process, through the WSGI application gunicorn serves, one request at a time.

    bench/prepare.sh national                  # once: the harness's synthetic data in adminduk_bench_national
    .venv/bin/python bench/plans.py            # the harness's q1–q4, 500 requests each way
    .venv/bin/python bench/plans.py --requests 100 --database-url postgresql://…

Prints, per question, the median CPU milliseconds a request over 7 batches, both ways, and the ratio. CPU time of
this process only: PostgreSQL's share (running the SQL) is the same both ways and is not in it.
SYNTHETIC: the database holds the harness's invented figures.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = {  # as bench/targets.json asks them
    "q1": "/api/v1/measurements/?indicator=kia-ownership&as_of=2024-06-30&parent=64",
    "q2": "/api/v1/measurements/?indicator=ktp-el-recording&year=2024&page_size=100&page=1&ordering=region,as_of",
    "q3": "/api/v1/measurements/?indicator=ikd-activation&region=64.71&ordering=as_of&page_size=100",
    "q4": "/api/v1/measurements/?indicator=ktp-el-recording&level=2&latest=true&ordering=-value&page_size=1000",
}
BATCHES = 7


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="requests per question and way (default 500)")
    parser.add_argument(
        "--database-url", default="postgresql://bench:bench@127.0.0.1:5432/adminduk_bench_national", help="database"
    )
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url,
        DEBUG="false",
        SECRET_KEY="benchmark-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        SECURE_SSL_REDIRECT="false",
        RESPONSE_CACHE="false",
        THROTTLE_ANON_RATE="",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adminduk.settings")
    import django

    django.setup()
    import gc

    from adminduk.wsgi import application
    from coverage.api import plans

    def get(url):
        path, _, query = url.partition("?")
        sent = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        body = b"".join(application(environ, lambda status, headers, exc_info=None: sent.append(status)))
        if not sent[0].startswith("200"):
            sys.exit(f"{url}: {sent[0]} {body[:300]!r}")

    def cpu_ms(url, batch):
        """Median CPU ms a request over BATCHES batches."""
        times = []
        for _ in range(BATCHES):
            start = time.process_time()
            for _ in range(batch):
                get(url)
            times.append((time.process_time() - start) / batch * 1000)
        return statistics.median(times)

    batch = max(1, args.requests // BATCHES)
    for url in QUESTIONS.values():
        for _ in range(20):
            get(url)  # warm: connections, lookups, Django's own caches
    gc.freeze()  # as adminduk/gunicorn.py does once a worker has loaded
    print(f"{'question':<9} {'plan kept':>10} {'first time':>11} {'saved':>6}  (CPU ms a request, median of {BATCHES})")
    for name, url in QUESTIONS.items():
        kept = cpu_ms(url, batch)
        with mock.patch.object(plans, "_key", return_value=None):  # nothing looked up or kept: built each time
            first = cpu_ms(url, batch)
        print(f"{name:<9} {kept:>10.2f} {first:>11.2f} {1 - kept / first:>6.0%}", flush=True)


if __name__ == "__main__":
    main()
