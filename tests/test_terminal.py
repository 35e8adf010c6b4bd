"""What the command line prints is shown, never obeyed: control characters become visible escapes."""

from __future__ import annotations

import json

import pytest

from intake import terminal


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07", id="setting the terminal's title"),
        pytest.param("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H", id="clearing the screen"),
        pytest.param("real\rfake", "real\\rfake", id="a carriage return writing over a line"),
        pytest.param("line\nbreak\ttab", "line\\nbreak\\ttab", id="a line break inside one value"),
        pytest.param("\x9b31m\x7f", "\\x9b31m\\x7f", id="a C1 CSI and DEL"),
        pytest.param("abc\u202edef\u2066x\u2069", "abc\\u202edef\\u2066x\\u2069", id="bidirectional overrides and isolates"),
        pytest.param("a\u2028b", "a\\u2028b", id="a line separator"),
        pytest.param("می\u200cخواهم", "می\u200cخواهم", id="Persian's zero-width non-joiner stays"),
        pytest.param("🏳️\u200d🌈 \u200fعربي", "🏳️\u200d🌈 \u200fعربي", id="an emoji's joiner and a direction mark stay"),
        pytest.param("Zażółć gęślą jaźń", "Zażółć gęślą jaźń", id="ordinary letters stay"),
    ],
)
def test_each_control_character_is_shown_as_an_escape_and_every_letter_as_itself(text, shown):
    assert terminal.escape(text) == shown


def test_line_breaks_the_program_wrote_can_stay_line_breaks():
    assert terminal.escape("first\nsecond\x1b", keep_newlines=True) == "first\nsecond\\x1b"


def test_json_keeps_its_meaning_with_no_raw_control_character_left():
    data = {"said": "a\x1b[2J\x9b\u202eb\u2028c\r\n", "name": "Łucja"}
    printed = terminal.dumps(data, indent=2)
    assert json.loads(printed) == data
    assert not any(c in printed for c in "\x1b\x9b\u202e\u2028\r") and "Łucja" in printed
