from sheets_sync.cli import cli

cli()
