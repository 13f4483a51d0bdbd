"""How long residents' conversations are kept, and deleting them when that time is over.

``purge`` deletes Rasa's conversation events and outbox leftovers; ``tracker_store`` is the SQL
tracker store this project runs Rasa with (conversations survive a restart, database errors
carry no values). ``intake purge`` (``cli``) is what a city runs daily.
"""

from bot.retention.purge import PurgeReport, purge

__all__ = ["PurgeReport", "purge"]
