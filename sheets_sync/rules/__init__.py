"""Plan: the follow-up rules as pure functions of the rows and ``today`` (no I/O)."""
