#!/usr/bin/env bash
# The demo's mailbox part: answers to the first sync's emails arrive in a Maildir folder (no
# mail server, no password), `inbox` reads them into the workbook, and the next day's list
# shows what they changed. Run by scripts/demo.sh after its first sync.
# Usage: scripts/demo_mailbox.sh DEMO_DIR DAY   (DEMO_DIR holds clients.xlsx, synced on DAY)
set -euo pipefail
BIN="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin"
DIR="$1"
DAY="$2"
NEXT="$("$BIN/python" -c 'import datetime, sys; print(datetime.date.fromisoformat(sys.argv[1]) + datetime.timedelta(days=1))' "$DAY")"
rm -rf "$DIR/mailbox"
echo "== Mail arrives in $DIR/mailbox (a Maildir folder: [imap] maildir, or SHEETS_SYNC_IMAP_MAILDIR)"
"$BIN/python" -m sheets_sync.model.sample_mail "$DIR/clients.xlsx" "$DIR/mailbox" --today "$DAY" \
  --outbox "$DIR/outbox/clients"
export SHEETS_SYNC_IMAP_MAILDIR="$DIR/mailbox"
echo
echo "== sheets-sync inbox $DIR/clients.xlsx --today $NEXT"
"$BIN/sheets-sync" inbox "$DIR/clients.xlsx" --today "$NEXT" || true
echo
echo "== sheets-sync due $DIR/clients.xlsx --today $NEXT"
echo "   (the prospect who answered gets a call to follow up instead of the next email; the bounced address"
echo "   gets calls; the out-of-office stops nothing)"
"$BIN/sheets-sync" due "$DIR/clients.xlsx" --today "$NEXT" || true
