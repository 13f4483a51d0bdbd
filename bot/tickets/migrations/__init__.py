"""Alembic environment of the ticket store (run through ``bot.tickets.migrate``)."""
