"""Provenance of the city files: every window comes from a plan, every contact from a source.

These tests are the guard against invented contact details: a phone number that is not written,
digit for digit, in the research notes (contacts-found.md) fails the build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.directory import CATEGORY_CODES, City, Contact, Directory, Window

EXPECTED_CITIES = ["ube", "masuda", "kurume", "fuji"]


def all_tables(directory: Directory) -> list[City]:
    return [*directory.cities, directory.generic]


def all_contacts(directory: Directory) -> Iterator[tuple[str, Contact]]:
    for city in all_tables(directory):
        for contact in city.city_hall.contacts:
            yield f"{city.code}.city_hall", contact
        for window in city.windows:
            for contact in window.contacts:
                yield window.id, contact
        for line in city.lines:
            for contact in line.contacts:
                yield line.id, contact


def _rows_of(fact_id: str, rows: list[str]) -> list[str]:
    """Rows carrying a fact: ``[U3]`` in the first round, a leading ``| K5 |`` in the second."""
    return [r for r in rows if f"[{fact_id}]" in r or r.startswith(f"| {fact_id} |")]


def _second_round_old_ids(contacts_found: str) -> set[str]:
    """Second-round rows marked ⚠ (old, second-hand or not a consultation line)."""
    return {
        m.group(1)
        for row in contacts_found.splitlines()
        if "⚠" in row and (m := re.match(r"\| ([UMKFP][0-9]+) \|", row))
    }


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_four_cities_load_in_the_agreed_order(directory: Directory) -> None:
    assert [c.code for c in directory.cities] == EXPECTED_CITIES
    assert directory.generic.is_generic


def test_category_codes_match_the_nlu(directory: Directory) -> None:
    """The directory and the classifier must agree on the nine codes, or routes silently miss."""
    from bot.nlu.categories import CATEGORIES

    assert tuple(CATEGORIES) == CATEGORY_CODES


def test_every_window_cites_an_existing_seed_file_and_a_section(
    directory: Directory, shared_dir: Path
) -> None:
    seeds = shared_dir / "seeds"
    for city in all_tables(directory):
        refs = [w.source for w in city.windows] + ([city.plan.source] if city.plan else [])
        for ref in refs:
            assert (seeds / ref.file).is_file(), f"{city.code}: {ref.file} not in seeds"
            assert ref.section.strip(), f"{city.code}: empty section for {ref.file}"


def test_each_city_cites_only_its_own_plan(directory: Directory) -> None:
    """A window of 宇部市 must not be sourced from 富士市's plan (copy-paste slips)."""
    plan_file = {
        "ube": "000_57460367c7db8b0b.txt",
        "masuda": "002_357024b271d2691c.txt",
        "kurume": "003_98ee08800aa2d809.txt",
        "fuji": "004_9ad41a1aa3d7a660.txt",
    }
    for city in directory.cities:
        assert {w.source.file for w in city.windows} == {plan_file[city.code]}


def test_every_window_name_is_written_in_its_plan(directory: Directory, shared_dir: Path) -> None:
    """At least one part of each window's name occurs in the seed text, so no window is made up."""
    for city in directory.cities:
        for window in city.windows:
            text = _squash((shared_dir / "seeds" / window.source.file).read_text(encoding="utf-8"))
            parts = [p for p in re.split(r"[（）・\s]", window.name) if len(p) >= 4]
            assert any(_squash(p) in text for p in parts), f"{window.id}: {window.name}"


def test_no_contact_lacks_a_source_url(directory: Directory) -> None:
    for owner, contact in all_contacts(directory):
        assert contact.source_url.startswith(("http://", "https://")), owner
        assert re.fullmatch(r"[A-Z][0-9]+", contact.fact_id), owner


def test_every_phone_and_fax_is_verbatim_in_the_research_notes(
    directory: Directory, contacts_found: str
) -> None:
    """Each number appears, as written, on the very row that carries its fact id."""
    rows = contacts_found.splitlines()
    numbers = [(o, c) for o, c in all_contacts(directory) if c.kind in ("phone", "fax")]
    assert numbers, "the directory should contain some sourced numbers"
    for owner, contact in numbers:
        tagged = _rows_of(contact.fact_id, rows)
        assert tagged, f"{owner}: fact id {contact.fact_id} not in contacts-found.md"
        assert any(contact.value in row for row in tagged), (
            f"{owner}: {contact.value} is not on the row of [{contact.fact_id}]"
        )


def test_every_fact_id_and_source_url_is_in_the_research_notes(
    directory: Directory, contacts_found: str
) -> None:
    rows = contacts_found.splitlines()
    for owner, contact in all_contacts(directory):
        assert _rows_of(contact.fact_id, rows), owner
        assert contact.source_url in contacts_found, f"{owner}: {contact.source_url}"
        if contact.kind == "url":
            assert contact.value in contacts_found, owner


def test_old_or_uncertain_facts_are_flagged_needs_check(
    directory: Directory, contacts_found: str
) -> None:
    """The notes list the facts "marked old or needing confirmation"; exactly those are flagged."""
    match = re.search(r"marked old or needing confirmation:([^.]*)\.", contacts_found)
    assert match, "contacts-found.md no longer lists its old facts"
    old_ids = set(re.findall(r"\b[UMKF][0-9]+\b", match.group(1)))
    assert old_ids == {"U12", "F8", "F13", "F14", "F15"}
    old_ids |= _second_round_old_ids(contacts_found)
    assert {"K5", "M8", "U19", "P1"} <= old_ids
    for owner, contact in all_contacts(directory):
        assert contact.needs_check == (contact.fact_id in old_ids), (owner, contact.fact_id)


def test_area_code_hints_only_where_a_source_states_the_code(directory: Directory) -> None:
    """富士市 numbers are printed without 0545; the hint is the only place that code is added."""
    for owner, contact in all_contacts(directory):
        if contact.area_code_hint is not None:
            assert owner.startswith("fuji."), owner
            assert contact.area_code_hint == "0545"
            assert not contact.value.startswith("0"), owner  # the printed value stays as is


def test_generic_table_has_no_contacts(directory: Directory) -> None:
    """Another city's offices are unknown to us: the generic table must not carry any number."""
    generic = directory.generic
    assert not generic.city_hall.contacts
    assert all(not w.contacts for w in generic.windows)
    assert not generic.lines
    assert generic.advice and "役所" in generic.advice


def test_response_time_is_never_invented(directory: Directory) -> None:
    """No source says how soon a window calls back, so none may claim it."""
    for city in all_tables(directory):
        assert all(w.response_time is None for w in city.windows), city.code


@pytest.mark.parametrize("city_code", EXPECTED_CITIES)
def test_city_covers_every_layer_of_the_plan(directory: Directory, city_code: str) -> None:
    city = directory.city(city_code)
    assert city is not None
    layers = {w.layer for w in city.windows}
    assert layers == {"comprehensive", "outreach", "participation", "multi_agency", "community"}


def test_window_ids_are_city_prefixed_lowercase_ascii(directory: Directory) -> None:
    ids: list[str] = []
    for city in all_tables(directory):
        for window in city.windows:
            assert re.fullmatch(rf"{city.code}\.[a-z0-9_]+", window.id), window.id
            ids.append(window.id)
    assert len(ids) == len(set(ids))


def _window(directory: Directory, window_id: str) -> Window:
    window = directory.window(window_id)
    assert window is not None, window_id
    return window


def test_known_contacts_are_attached_to_the_right_windows(directory: Directory) -> None:
    """Spot checks against contacts-found.md for the windows residents phone most."""
    phones = {
        "ube.seikatsu_support": "0836-43-7440",
        "ube.fukushi_sogo_sodan": "0836-34-8393",
        "masuda.anshin_seikatsu": "0120-062-301",
        "fuji.universal_sodan": "0545(62)7520",
        "fuji.takikan_kyodo": "55-2757",
    }
    for window_id, number in phones.items():
        assert number in [c.value for c in _window(directory, window_id).contacts_of("phone")]
    masuda = directory.city("masuda")
    assert masuda is not None and masuda.city_hall.phone() is not None
    assert masuda.city_hall.phone().value == "0856-31-0100"  # type: ignore[union-attr]
    for code in ("ube", "kurume", "fuji"):
        city = directory.city(code)
        assert city is not None and city.city_hall.phone() is None, code


def test_summaries_are_polite_and_free_of_yaml_folding_spaces(directory: Directory) -> None:
    for city in all_tables(directory):
        for window in city.windows:
            assert window.summary.endswith("。"), window.id
            assert "です" in window.summary or "ます" in window.summary, window.id
            assert not re.search(r"[^\x00-\x7f] [^\x00-\x7f]", window.summary), window.id


def test_every_category_is_served_by_some_window_in_every_table(directory: Directory) -> None:
    for city in all_tables(directory):
        served = {c for w in city.windows for c in w.categories}
        assert served == set(CATEGORY_CODES), city.code


def test_window_names_residents_see_are_plain_and_short(directory: Directory) -> None:
    """Names are what a resident reads first on a phone: no programme words, one short line.

    The generic table (other cities) keeps 「自立相談支援機関」 on purpose: it is the word to
    ask for at one's own city hall.
    """
    jargon = ("自立相談支援機関", "事業所（", "多機関協働", "参加支援", "アウトリーチ", "重層的")
    for city in directory.cities:
        for window in city.windows:
            assert not any(word in window.name for word in jargon), window.name
            assert len(window.name) <= 32, window.name
