#!/usr/bin/env bash
# Set everything up and run the daily job on a copy of the bundled sample workbook.
# No credentials needed: with no mail server configured, emails land in demo/outbox/clients/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh stats
mkdir -p demo
rm -rf demo/clients.xlsx demo/outbox demo/.sheets-sync demo/mailbox
cp sample_workbook.xlsx demo/clients.xlsx
# The sample is dated around Monday 2026-11-23 (see docs/workbook.md); plan for that day.
DAY="${SHEETS_SYNC_DEMO_DAY:-2026-11-23}"
echo "== sheets-sync check demo/clients.xlsx"
.venv/bin/sheets-sync check demo/clients.xlsx || true
echo
echo "== sheets-sync due demo/clients.xlsx --today $DAY"
.venv/bin/sheets-sync due demo/clients.xlsx --today "$DAY" || true
echo
echo "== sheets-sync sync demo/clients.xlsx --today $DAY"
.venv/bin/sheets-sync sync demo/clients.xlsx --today "$DAY" || true
echo
echo "== sheets-sync stats demo/clients.xlsx --today $DAY"
.venv/bin/sheets-sync stats demo/clients.xlsx --today "$DAY" || true
echo
scripts/demo_mailbox.sh demo "$DAY"
echo
echo "Emails written to demo/outbox/clients/ ($(ls demo/outbox/clients | wc -l) files); replies read from demo/mailbox/; open demo/clients.xlsx to see the tool columns and the new Touches rows."
