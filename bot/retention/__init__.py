"""How long residents' conversations are kept, and deleting them when that time is over.

``purge`` deletes Rasa's conversation events (in the tracker store of ``bot.trackers``) and
outbox leftovers; ``intake purge`` (``cli``) is what a city runs daily.
"""

from bot.retention.purge import PurgeReport, purge

__all__ = ["PurgeReport", "purge"]
