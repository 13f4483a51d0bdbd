"""Fixtures for the Rasa-free LINE client tests: the fake LINE API from the channel testkit."""

from __future__ import annotations

from tests.channels.line_testkit import fake_line as fake_line  # the fixture
