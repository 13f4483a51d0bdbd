"""Where Rasa keeps residents' conversations: its SQL tracker store, as this project runs it.

``store.PrivateSQLTrackerStore`` is what ``endpoints.yml`` (SQLite under ``var/``) and
``endpoints.production.yml`` (PostgreSQL) name: conversations survive a restart, database
errors carry no values, and building it switches on the Rasa process's log redaction.
How long conversations are kept is ``bot.retention``'s business, not this package's.
"""
