"""Issue 9 (6): the city named in the worry message is the city the windows come from.

The message goes through the city rules the NLU component uses (``bot.nlu.city_rules``), the
``city`` slot is filled from the entity as the domain maps it, and the worry action answers with
that city's windows at once: no city question, nothing from another city. Covers a bare name at
the end (「家賃払えん…宇部」) and districts or former towns (田主丸, 匹見, 西岐波, 鷹岡).
"""

from __future__ import annotations

import pytest

from actions.worries import ActionRouteWorry
from bot.nlu.city_rules import find_city
from tests.actions.conftest import make_tracker, slot_events, texts

CITY_QUESTION_TITLES = {"宇部市", "益田市", "久留米市", "富士市"}


@pytest.mark.parametrize(
    ("text", "category", "code"),
    [
        ("家賃払えん…宇部", "housing", "ube"),
        ("お金がない。益田", "income", "masuda"),
        ("借金がある。くるめ", "debt", "kurume"),
        ("親の介護がしんどい 富士", "elderly_care", "fuji"),
        ("田主丸に住んでいて、親の介護が心配", "elderly_care", "kurume"),
        ("匹見に住んでいる母の介護が心配", "elderly_care", "masuda"),
        ("西岐波に住んでます。お金がない", "income", "ube"),
        ("鷹岡に住んでいて仕事がない", "income", "fuji"),
    ],
)
def test_the_city_in_the_message_gives_that_citys_windows(dispatcher, text, category, code):
    mention = find_city(text)
    entities = (
        [{"entity": "city", "value": mention.code, "start": mention.start, "end": mention.end}]
        if mention
        else []
    )
    slots = {"city": mention.code} if mention else {}  # the from_entity mapping
    tracker = make_tracker(
        text, "share_worry", slots=slots, categories=[category], entities=entities
    )
    events = ActionRouteWorry().run(dispatcher, tracker, {})
    titles = {b["title"] for m in dispatcher.messages for b in m.get("buttons") or []}
    assert not titles & CITY_QUESTION_TITLES, "asked for a city the resident already named"
    routed = slot_events(events)["routed_windows"]
    assert routed and all(w.startswith(f"{code}.") for w in routed), routed
    assert "相談できます" in texts(dispatcher)
