"""Resident-facing Japanese text for windows and routes.

Rules the wording keeps, because a resident may act on it straight away:

* only contact facts that are in the directory (each has a source) are shown — never a number
  made up or completed here;
* a fact marked ``needs_check`` always carries 「要確認」, so nobody treats an old number as sure;
* when no phone is sourced, the text says so plainly and points to the city hall, giving the
  city-hall number only if that too is sourced;
* short sentences in polite plain Japanese (やさしい日本語 where possible), no plan jargon such as
  「制度の狭間」 or 「多機関協働」 in the sentences we write ourselves.
"""

from __future__ import annotations

from bot.categories import CATEGORY_LABELS
from bot.directory.routing import Route
from bot.directory.schema import City, Contact, Window

NEEDS_CHECK_PHONE = "（要確認：番号が変わっている場合があります）"
NEEDS_CHECK_OTHER = "（要確認：変わっている場合があります）"
_KIND_LABELS = {"phone": "電話", "address": "場所", "hours": "受付"}
# At most this many other windows are named after the primary one, to keep messages short.
_MAX_ALTERNATIVES = 2


def category_label(code: str) -> str:
    """Japanese label of a category code, e.g. ``housing`` -> 住まい."""
    try:
        return CATEGORY_LABELS[code]
    except KeyError:
        raise ValueError(f"unknown category code: {code!r}") from None


def _labels(codes: list[str]) -> str:
    return "・".join(category_label(c) for c in codes)


def _contact_line(contact: Contact) -> str:
    head = _KIND_LABELS[contact.kind]
    if contact.label:
        head += f"（{contact.label}）"
    line = f"{head}: {contact.value}"
    if contact.area_code_hint:
        line += f"（市外局番 {contact.area_code_hint}）"
    if contact.needs_check:
        line += NEEDS_CHECK_PHONE if contact.kind == "phone" else NEEDS_CHECK_OTHER
    return line


def _ask_city_hall(window: Window, city: City | None) -> list[str]:
    """What to say when no phone number for the window is sourced."""
    if city is None or city.is_generic:
        return ["電話番号は、お住まいの市区町村の役所でおたずねください。"]
    where = city.city_hall.name + (f"の{window.department}" if window.department else "")
    lines = [f"電話番号はまだ確認できていません。{where}でおたずねください。"]
    hall_phone = city.city_hall.phone()
    if hall_phone is not None:
        lines.append(_contact_line(hall_phone).replace("電話", f"{city.city_hall.name}の電話", 1))
    return lines


def describe_window(window: Window, city: City | None = None) -> str:
    """Name, one-line summary, then only sourced contacts (要確認 where flagged).

    ``city`` is the window's city (``Directory.city_of(window)``); it is used only for the
    city-hall fallback when the window has no sourced phone number.
    """
    lines = [f"「{window.name}」", window.summary]
    for kind in ("phone", "address", "hours"):
        lines.extend(_contact_line(c) for c in window.contacts_of(kind))
    for note in window.contacts_of("note"):
        lines.append(note.value + (NEEDS_CHECK_OTHER if note.needs_check else ""))
    urls = window.contacts_of("url")
    if urls:
        lines.append(f"くわしく: {urls[0].value}")
    if not window.contacts_of("phone"):
        lines.extend(_ask_city_hall(window, city))
    return "\n".join(lines)


def _groups(route: Route) -> list[tuple[Window, list[str]]]:
    """Categories grouped by their primary window, in canonical category order."""
    groups: dict[str, tuple[Window, list[str]]] = {}
    for category in route.categories:
        primary = route.primary(category)
        groups.setdefault(primary.id, (primary, []))[1].append(category)
    return list(groups.values())


def _alternatives(route: Route, categories: list[str], shown: set[str]) -> list[Window]:
    seen: dict[str, Window] = {}
    for category in categories:
        for window in route.by_category[category][1:]:
            if window.id not in shown:
                seen.setdefault(window.id, window)
    return list(seen.values())[:_MAX_ALTERNATIVES]


def _describe_generic(route: Route) -> list[str]:
    messages = ["お住まいの市区町村には、次のような相談窓口があります。"]
    for window, categories in _groups(route):
        messages.append(f"【{_labels(categories)}】{window.name}\n{window.summary}")
    if route.coordinator is not None and len(_groups(route)) > 1:
        messages.append(
            f"困りごとがいくつも重なっているときは、{route.coordinator.name}で、まとめて相談できます。"
        )
    messages.append(route.table.advice or "お住まいの市区町村の役所でおたずねください。")
    return messages


def describe_route(route: Route) -> list[str]:
    """Short chat messages: for each worry the window and why, then who can coordinate."""
    if not route.categories:
        window = route.any_attribute
        intro = "どんな困りごとでも、ここで相談できます。"
        if route.is_generic:
            advice = route.table.advice or "お住まいの市区町村の役所でおたずねください。"
            return [f"{intro}\n{window.name}\n{window.summary}", advice]
        return [f"{intro}\n{describe_window(window, route.table)}"]
    if route.is_generic:
        return _describe_generic(route)

    city = route.table
    messages: list[str] = []
    shown: set[str] = set()
    for window, categories in _groups(route):
        if all(c in route.gaps for c in categories):
            head = (
                f"【{_labels(categories)}】のことだけを受け持つ窓口はありませんが、"
                "次の窓口では、どんな困りごとでも受け止めてもらえます。"
            )
        else:
            head = f"【{_labels(categories)}】のご相談は、次の窓口へどうぞ。"
        text = f"{head}\n{describe_window(window, city)}"
        others = _alternatives(route, categories, shown | {window.id})
        if others:
            text += "\nほかにも" + "、".join(f"「{w.name}」" for w in others) + "があります。"
        messages.append(text)
        shown.add(window.id)

    coordinator = route.coordinator
    if coordinator is not None:
        together = (
            f"困りごとがいくつも重なっていても、「{coordinator.name}」でまとめて相談できます。"
            "ほかの窓口と連絡をとりあって、一緒に考えてくれます。"
        )
        if coordinator.id in shown:
            # Already described above; only worth a sentence when there are several worries.
            if len(route.categories) > 1:
                messages.append(together)
        else:
            messages.append(f"{together}\n{describe_window(coordinator, city)}")
    return messages
