"""Run health: the Sync Log sheet, the record of runs in the state folder, missed business
days and the log file. ``run.RunHealth`` ties them together for one sync."""
