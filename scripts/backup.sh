#!/bin/sh
# Back up or restore the whole PostgreSQL database named by DATABASE_URL (postgres://user:pass@host:port/db).
#
#   scripts/backup.sh dump [FILE]     write a pg_dump custom-format archive (default: studyplan-<UTC time>.dump)
#   scripts/backup.sh restore FILE    replace the database's contents with the archive's, in one transaction
#
# The archive holds everything: plans, learners, ticks, notes, sessions, reminder history. A dump is written
# to FILE.partial and renamed when complete, so a failed or interrupted dump never leaves a file that looks
# like a backup. A restore drops and recreates every object the archive holds (--clean --if-exists) inside a
# single transaction: on any error nothing changes. Owners and grants are not restored, so the archive can be
# restored as another database user. In the compose stack: `docker compose run --rm backup` (docs/deployment.md).
set -eu

usage() {
    echo "usage: $0 dump [FILE] | restore FILE   (reads DATABASE_URL)" >&2
    exit 2
}

: "${DATABASE_URL:?DATABASE_URL must name the database, e.g. postgres://user:pass@host:5432/studyplan}"

case "${1:-}" in
    dump)
        file=${2:-studyplan-$(date -u +%Y%m%dT%H%M%SZ).dump}
        pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$file.partial"
        mv "$file.partial" "$file"
        echo "backup written to $file"
        ;;
    restore)
        [ -n "${2:-}" ] || usage
        [ -r "$2" ] || { echo "$0: cannot read $2" >&2; exit 1; }
        pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
            --dbname="$DATABASE_URL" "$2"
        echo "restored $2"
        ;;
    *)
        usage
        ;;
esac
