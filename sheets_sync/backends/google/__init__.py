"""The Google Sheets backend: a whole sync in a handful of API requests."""
