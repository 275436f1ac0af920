#!/bin/sh
# Run once by the PostgreSQL image when it creates the database (docker-compose.yml mounts it in
# /docker-entrypoint-initdb.d): the optional db-replica service may stream from this primary.
set -e
echo "host replication $POSTGRES_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
