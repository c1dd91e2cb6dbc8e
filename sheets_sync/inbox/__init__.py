"""Reading the mailbox: replies, automatic replies, bounces and unsubscribes become Touches
rows and Email Status cells, by the existing rules.

``state``: what was read already (UIDVALIDITY and the last UID per folder). ``fetch``: the
new messages, headers and the start of the body only, never marked read. ``parse``: one
fetched message as the few things the rest needs. ``classify``: a person's reply, an
automatic reply (and when the person is back), a bounce, an unsubscribe. ``match``: which
client and task a message is about. ``act``: the Touches rows, Email Status cells and
events of a run. ``run``: all of it; ``maildir``: the same from a local Maildir folder
instead of a server; ``hook``: its place in ``sync``; ``command``: the
``inbox`` command.
"""
