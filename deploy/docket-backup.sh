#!/usr/bin/env bash
# Write one encrypted backup archive of this Docket site and prune the old ones.
# Run daily by deploy/systemd/docket-backup.timer or deploy/cron/docket. Then copy DOCKET_BACKUP_DIR off the
# machine (another site, an encrypted disk kept elsewhere): a backup that sits only beside the server is lost with it.
#
#   DOCKET_BACKUP_DIR              where archives go (created, mode 0700)
#   DOCKET_BACKUP_PASSPHRASE_FILE  the passphrase (mode 0600); without it the archive is NOT encrypted (refused
#                                  unless DOCKET_BACKUP_ALLOW_PLAIN=1)
#   DOCKET_BACKUP_KEEP_DAYS        archives older than this are deleted (default 30; 0 keeps all)
#   DOCKET_HOME, DOCKET_PYTHON     the checkout and its Python (default: this script's checkout, its .venv)
set -euo pipefail
umask 077
home="${DOCKET_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
python="${DOCKET_PYTHON:-$home/.venv/bin/python}"
dir="${DOCKET_BACKUP_DIR:?set DOCKET_BACKUP_DIR}"
keep="${DOCKET_BACKUP_KEEP_DAYS:-30}"
mkdir -p "$dir"
chmod 700 "$dir"
archive="$dir/docket-$(date -u +%Y%m%dT%H%M%SZ).docket"
args=(--output "$archive" --no-progress)
if [ -n "${DOCKET_BACKUP_PASSPHRASE_FILE:-}" ]; then
  args+=(--passphrase-file "$DOCKET_BACKUP_PASSPHRASE_FILE")
elif [ "${DOCKET_BACKUP_ALLOW_PLAIN:-0}" != "1" ]; then
  echo "docket-backup: set DOCKET_BACKUP_PASSPHRASE_FILE (or DOCKET_BACKUP_ALLOW_PLAIN=1 for an unencrypted archive)" >&2
  exit 2
fi
cd "$home"
"$python" manage.py backup "${args[@]}"
if [ "$keep" -gt 0 ]; then
  find "$dir" -maxdepth 1 -name 'docket-*.docket' -type f -mtime +"$keep" -print -delete
  find "$dir" -maxdepth 1 -name 'docket-*.docket.partial' -type f -mmin +1440 -print -delete
fi
