"""Act: messages composed, rendered, written to the outbox or sent over SMTP, each once (the journal)."""
