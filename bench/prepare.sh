#!/usr/bin/env bash
# Prepare the project's own benchmark database from the harness's CSVs (../shared/bench), through the
# project's own import path, so that the harness can measure the service beside its peers.
#
#   bench/prepare.sh [national|district]      # default national; needs one run of the peer harness first (docs/performance.md)
#
# SYNTHETIC DATA: the harness invents every value (real region codes). The database it fills is for
# benchmarks only; its source says so.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${1:-national}
WORK=${BENCH_WORK:-/tmp/adminduk-bench}
DATA=$WORK/data/$SCALE
DB=adminduk_bench_$SCALE
[ -f "$DATA/measurements.csv" ] || { echo "no $DATA/measurements.csv: run the peer harness once first (see docs/performance.md)" >&2; exit 1; }

export DATABASE_URL=postgresql://bench:bench@127.0.0.1:5432/$DB
export DEBUG=false SECRET_KEY=benchmark-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz
export IMPORT_MAX_ROWS=10000000 IMPORT_MAX_BYTES=2000000000

psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB OWNER bench"
.venv/bin/python manage.py migrate -v0
LEVEL=$([ "$SCALE" = district ] && echo 3 || echo 2)
.venv/bin/python manage.py load_regions --level "$LEVEL"
.venv/bin/python manage.py shell --no-imports -c "
import csv
from django.contrib.auth.models import User
from coverage.models import Indicator, Source
for row in csv.DictReader(open('$DATA/indicators.csv', encoding='utf-8')):
    Indicator.objects.update_or_create(code=row['code'], defaults={'name': row['name'], 'name_en': row['name'], 'unit': row['unit'], 'population': 'synthetic'})
Source.objects.get_or_create(title='SYNTHETIC benchmark data ($SCALE), not real figures', publisher='../shared/bench gen_data.py', published_on='2026-11-27')
User.objects.filter(username='bench-importer').exists() or User.objects.create_superuser('bench-importer', None, None)
"
SOURCE=$(.venv/bin/python manage.py shell --no-imports -c "from coverage.models import Source; print(Source.objects.get(title__startswith='SYNTHETIC').pk)")
.venv/bin/python manage.py collectstatic --noinput -v0
ROWS=$(($(wc -l < "$DATA/measurements.csv") - 1))
START=$(date +%s.%N)
.venv/bin/python manage.py import_measurements "$DATA/measurements.csv" --source "$SOURCE" --user bench-importer
END=$(date +%s.%N)
python3 -c "print(f'imported $ROWS rows in {$END - $START:.1f} s: {$ROWS / ($END - $START):,.0f} rows/s (PostgreSQL, whole command)')"
psql -q -h 127.0.0.1 -U postgres -d "$DB" -c "VACUUM ANALYZE"
