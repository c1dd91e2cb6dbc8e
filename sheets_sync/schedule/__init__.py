"""Scheduled runs: one module per system (cron, systemd, launchd, schtasks, github), each
turning one ``Job`` into that system's artifact and installing, listing and removing it."""
