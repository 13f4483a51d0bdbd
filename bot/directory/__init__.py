"""The window directory: which consultation window (相談窓口) handles which worry, per city.

Pure Python on purpose (no Rasa imports): the action server, the staff console and the analysts'
scripts all read the same directory, and tests run without loading a model.

Typical use::

    from bot.directory import default_directory, describe_route

    route = default_directory().route("ube", ["housing", "debt"])
    for message in describe_route(route):
        ...
"""

from bot.directory.crisis_lines import (
    CrisisLine,
    default_crisis_lines,
    line_by_id,
    lines_open_now,
    load_crisis_lines,
    staffed_lines_now,
)
from bot.directory.describe import (
    category_label,
    describe_route,
    describe_window,
    describe_window_brief,
    describe_window_contact,
)
from bot.directory.loader import DirectoryError, default_directory, load_directory
from bot.directory.routing import Directory, Route
from bot.directory.schema import (
    CATEGORY_CODES,
    LAYERS,
    City,
    CityHall,
    Contact,
    Line,
    Plan,
    RoutingNote,
    SourceRef,
    Window,
)

__all__ = [
    "CATEGORY_CODES",
    "LAYERS",
    "City",
    "CityHall",
    "Contact",
    "CrisisLine",
    "Directory",
    "DirectoryError",
    "Plan",
    "Route",
    "RoutingNote",
    "SourceRef",
    "Window",
    "Line",
    "category_label",
    "line_by_id",
    "staffed_lines_now",
    "default_crisis_lines",
    "default_directory",
    "describe_route",
    "describe_window_brief",
    "describe_window_contact",
    "describe_window",
    "lines_open_now",
    "load_crisis_lines",
    "load_directory",
]
