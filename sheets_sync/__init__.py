"""sheets-sync: follow-up discipline for small teams, run from their own spreadsheet."""

__version__ = "0.1.0"
