"""Resident-facing Japanese text for windows and routes.

Rules the wording keeps, because a resident may act on it straight away:

* only contact facts that are in the directory (each has a source) are shown — never a number
  made up or completed here;
* a fact marked ``needs_check`` always carries 「要確認」, so nobody treats an old number as sure;
* when no phone is sourced, the text says so plainly and gives the nearest sourced way in (the
  coordinating window, a department or prefectural line for the worry, the city hall, a page)
  and offers that a city staff member gets in touch, so no resident is left without a next step;
* short sentences in polite plain Japanese (やさしい日本語 where possible), no plan jargon such as
  「制度の狭間」 or 「多機関協働」 in the sentences we write ourselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.categories import CATEGORY_LABELS
from bot.directory.routing import Route
from bot.directory.schema import City, Contact, Line, Window

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
    line = f"{head}: {contact.shown}"
    if contact.needs_check:
        line += NEEDS_CHECK_PHONE if contact.kind == "phone" else NEEDS_CHECK_OTHER
    return line


def _line_text(line: Line) -> list[str]:
    """A line's name, its first sourced phone and its hours: short enough for a phone screen."""
    contacts = [line.phone(), *line.contacts_of("hours")[:1]]
    return [f"「{line.name}」"] + [_contact_line(c) for c in contacts if c is not None]


def _way_in(
    window: Window, city: City | None, worries: Sequence[str], page_shown: bool = True
) -> list[str]:
    """The nearest sourced way to reach a person when the window's own phone is not known.

    In order: the city's coordinating window (it takes any worry) if its phone is sourced, a
    department or prefectural line for the resident's worry, then the city hall (its number if
    sourced, else its address) or the coordinating window's page. Nothing is made up: each step
    shows only facts the directory holds, and the offer of a staff call is always there.
    ``page_shown`` says whether the window's own page is already in the answer (the full
    description shows it; the short first answer does not, so it is given here).
    """
    if city is None or city.is_generic:
        return ["電話番号は、お住まいの市区町村の役所でおたずねください。"]
    lines = ["この窓口の電話番号は、まだ確認できていません。"]
    coordinator = city.compound_window
    coordinator_phone = next(iter(coordinator.contacts_of("phone")), None)
    if coordinator.id != window.id and coordinator_phone is not None:
        lines.append(
            f"まずは「{coordinator.name}」へどうぞ。どんな困りごとでも受け止めてくれます。"
        )
        lines.append(_contact_line(coordinator_phone))
    matching = city.lines_for(window, worries)
    if matching:
        lines.append("こちらでも相談できます。" if len(lines) > 1 else "こちらで相談できます。")
        lines.extend(_line_text(matching[0]))
    if len(lines) == 1:
        lines.extend(_city_hall(window, city, page_shown))
    lines.append(f"{city.name}の職員から連絡してもらうこともできます。")
    return lines


def _city_hall(window: Window, city: City, page_shown: bool) -> list[str]:
    """Ask the city hall: its sourced number, else a page, else its sourced address."""
    where = city.city_hall.name + (f"の{window.department}" if window.department else "")
    lines = [f"{where}でおたずねください。"]
    hall_phone = city.city_hall.phone()
    page = next(iter(city.compound_window.contacts_of("url")), None)
    address = next((c for c in city.city_hall.contacts if c.kind == "address"), None)
    if hall_phone is not None:
        lines.append(_contact_line(hall_phone).replace("電話", f"{city.city_hall.name}の電話", 1))
    elif window.contacts_of("url"):
        if not page_shown:
            lines.append(f"窓口のページ: {window.contacts_of('url')[0].value}")
    elif page is not None:
        lines.append(f"市のページ: {page.value}")
    elif address is not None:
        lines.append(_contact_line(address).replace("場所", f"{city.city_hall.name}の場所", 1))
    return lines


def describe_window(
    window: Window,
    city: City | None = None,
    worries: Sequence[str] = (),
    *,
    offer_follows: bool = False,
) -> str:
    """Name, one-line summary, then only sourced contacts (要確認 where flagged).

    ``city`` is the window's city (``Directory.city_of(window)``); it is used only for the
    fallback when the window has no sourced phone number; ``worries`` (category codes the
    resident named) picks the department or prefectural line offered then. ``offer_follows``
    drops the fallback's "staff can contact you" line when the caller makes that offer itself
    (or the contact was just arranged: the receipt of a sent intake).
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
        way_in = _way_in(window, city, worries)
        offered_here = city is not None and not city.is_generic
        lines.extend(way_in[:-1] if offer_follows and offered_here else way_in)
    return "\n".join(lines)


def describe_window_brief(
    window: Window, city: City | None = None, worries: Sequence[str] = ()
) -> list[str]:
    """Only what to do now: the window's sourced phone and its hours, as lines.

    The first answer on a phone screen shows this; the summary, address, notes and page are
    behind 「くわしく」 (``describe_window``). Without a sourced phone the nearest sourced way in
    is given instead, so the short form never leaves a resident without a next step.
    """
    phones = window.contacts_of("phone")
    if not phones:
        way_in = _way_in(window, city, worries, page_shown=False)
        # The offer of a staff contact follows in the same answer: not said twice.
        return way_in if city is None or city.is_generic else way_in[:-1]
    return [_contact_line(c) for c in (phones[0], *window.contacts_of("hours")[:1])]


def describe_window_contact(
    window: Window, city: City | None = None, shown_above: str | None = None
) -> list[str]:
    """The window's first sourced phone (else its page), for a list of several windows.

    ``shown_above`` is the id of a window the resident already has on the screen with its
    phone (the first answer's): pointed back to, its number is not printed a second time.
    """
    if city is None or city.is_generic:
        return ["電話番号は、お住まいの市区町村の役所でおたずねください。"]
    phones = window.contacts_of("phone")
    if phones:
        return [_contact_line(phones[0])]
    urls = window.contacts_of("url")
    if urls:
        return [f"くわしく: {urls[0].value}"]
    # No phone and no page: never a dead end in a list either. The coordinating window takes
    # any worry; else the city hall's sourced number; the staff offer follows the list.
    coordinator = city.compound_window
    coordinator_phone = next(iter(coordinator.contacts_of("phone")), None)
    if coordinator.id != window.id and coordinator_phone is not None:
        if coordinator.id == shown_above:
            return [
                "電話番号は、まだ確認できていません。",
                f"上の「{coordinator.name}」でも相談できます。",
            ]
        return [
            "電話番号は、まだ確認できていません。",
            f"「{coordinator.name}」でも相談できます。",
            _contact_line(coordinator_phone),
        ]
    hall_phone = city.city_hall.phone()
    if hall_phone is not None:
        return [
            f"電話番号は、まだ確認できていません。{city.city_hall.name}でおたずねください。",
            _contact_line(hall_phone),
        ]
    return [f"電話番号は、まだ確認できていません。{city.city_hall.name}でおたずねください。"]


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
        text = f"{head}\n{describe_window(window, city, categories)}"
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
            messages.append(f"{together}\n{describe_window(coordinator, city, route.categories)}")
    return messages
