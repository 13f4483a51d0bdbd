"""The loader rejects bad city files with a message naming the file and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import bot.settings
from bot.directory import DirectoryError, load_directory
from bot.directory.loader import default_directory

CITIES_DIR = Path(bot.settings.PROJECT_ROOT) / "data" / "cities"

Data = dict[str, Any]


def _first_window_with_contacts(data: Data) -> int:
    return next(i for i, w in enumerate(data["windows"]) if w["contacts"])


def _drop_source_url(data: Data) -> str:
    i = _first_window_with_contacts(data)
    del data["windows"][i]["contacts"][0]["source_url"]
    return f"windows[{i}].contacts[0].source_url: missing"


def _unknown_category(data: Data) -> str:
    data["windows"][0]["categories"] = ["money"]
    return "windows[0].categories[0]: unknown category 'money'"


def _routing_to_missing_window(data: Data) -> str:
    data["routing"]["housing"] = ["ube.no_such_window"]
    return "routing.housing[0]: unknown window id 'ube.no_such_window'"


def _window_without_source(data: Data) -> str:
    del data["windows"][1]["source"]
    return "windows[1].source: missing"


def _category_not_routed(data: Data) -> str:
    del data["routing"]["isolation"]
    return "routing.isolation: missing"


def _typo_in_field_name(data: Data) -> str:
    i = _first_window_with_contacts(data)
    contact = data["windows"][i]["contacts"][0]
    contact["sorce_url"] = contact.pop("source_url")
    return f"windows[{i}].contacts[0].sorce_url: unknown field"


def _gap_not_marked(data: Data) -> str:
    data["routing_notes"] = [n for n in data["routing_notes"] if n["key"] != "isolation"]
    return "routing.isolation: routed to the any-attribute window"


def _phone_as_number(data: Data) -> str:
    i = _first_window_with_contacts(data)
    data["windows"][i]["contacts"][0]["value"] = 1234
    return f"windows[{i}].contacts[0].value: must be text"


def _compound_not_multi_agency(data: Data) -> str:
    data["routing"]["compound"] = "ube.seikatsu_support"
    return "routing.compound: must be a multi_agency"


def _bad_window_id(data: Data) -> str:
    data["windows"][0]["id"] = "fuji.stolen"
    return "windows[0].id: 'fuji.stolen' must look like 'ube.some_name'"


def _line_without_phone(data: Data) -> str:
    data["lines"][0]["contacts"] = [c for c in data["lines"][0]["contacts"] if c["kind"] != "phone"]
    return "lines[0].contacts: a line needs at least one sourced phone"


def _line_without_source(data: Data) -> str:
    del data["lines"][0]["contacts"][0]["source_url"]
    return "lines[0].contacts[0].source_url: missing"


def _line_with_window_id(data: Data) -> str:
    data["lines"][0]["id"] = data["windows"][0]["id"]
    return f"lines[0].id: duplicate id {data['windows'][0]['id']!r}"


def _line_unknown_category(data: Data) -> str:
    data["lines"][0]["categories"] = ["money"]
    return "lines[0].categories[0]: unknown category 'money'"


@pytest.fixture()
def cities_copy(tmp_path: Path) -> Path:
    target = tmp_path / "cities"
    shutil.copytree(CITIES_DIR, target)
    return target


def test_the_copied_directory_loads(cities_copy: Path) -> None:
    """Baseline for the cases below: the fixture itself is valid."""
    assert [c.code for c in load_directory(cities_copy).cities] == [
        "ube",
        "masuda",
        "kurume",
        "fuji",
    ]


@pytest.mark.parametrize(
    "break_it",
    [
        _drop_source_url,
        _unknown_category,
        _routing_to_missing_window,
        _window_without_source,
        _category_not_routed,
        _typo_in_field_name,
        _gap_not_marked,
        _phone_as_number,
        _compound_not_multi_agency,
        _bad_window_id,
        _line_without_phone,
        _line_without_source,
        _line_with_window_id,
        _line_unknown_category,
    ],
)
def test_malformed_city_file_names_file_and_field(
    cities_copy: Path, break_it: Callable[[Data], str]
) -> None:
    path = cities_copy / "ube.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = break_it(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DirectoryError) as excinfo:
        load_directory(cities_copy)
    message = str(excinfo.value)
    assert message.startswith(str(path) + ": "), message
    assert expected in message


def test_invalid_yaml_names_the_file(cities_copy: Path) -> None:
    (cities_copy / "masuda.yml").write_text("code: masuda\nwindows: [\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"masuda\.yml: invalid YAML"):
        load_directory(cities_copy)


def test_missing_generic_file_is_an_error(cities_copy: Path) -> None:
    (cities_copy / "_generic.yml").unlink()
    with pytest.raises(DirectoryError, match=r"_generic\.yml: missing"):
        load_directory(cities_copy)


def test_window_id_reused_in_another_file_is_an_error(cities_copy: Path) -> None:
    shutil.copy(cities_copy / "ube.yml", cities_copy / "ube2.yml")
    text = (cities_copy / "ube2.yml").read_text(encoding="utf-8").replace("code: ube", "code: ube2")
    (cities_copy / "ube2.yml").write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"ube2\.yml: windows\[0\]\.id"):
        load_directory(cities_copy)


def test_file_name_must_match_city_code(cities_copy: Path) -> None:
    (cities_copy / "fuji.yml").rename(cities_copy / "fujisan.yml")
    with pytest.raises(DirectoryError, match=r"fujisan\.yml: code: must be 'fujisan'"):
        load_directory(cities_copy)


def test_errors_inside_the_project_use_the_relative_path(tmp_path: Path) -> None:
    """Messages read like ``data/cities/ube.yml: ...`` for files of the real data folder."""
    from bot.directory.loader import _label

    assert _label(CITIES_DIR / "ube.yml") == "data/cities/ube.yml"


def test_default_directory_is_loaded_once() -> None:
    assert default_directory() is default_directory()
