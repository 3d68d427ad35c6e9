"""The lines `cpw import` reads (`cli/jsonl.py`): cut as `split(b"\\n")` cuts the file, read
as they are asked for, every line at most 1 MiB, and a file without an envelope refused,
all before the store is opened."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpworkflow.cli import jsonl
from cpworkflow.cli.support import MAX_LINE_BYTES
from cpworkflow.errors import BadInputError


@given(st.lists(st.sampled_from([b"\n", b" ", b"{}", b"\r", b"x" * 50]), max_size=40))
def test_the_lines_are_the_file_cut_at_each_newline(parts: list[bytes]) -> None:
    content = b"".join(parts)
    stream = io.BytesIO(content)
    if content.strip():
        assert jsonl.checked(stream) == len(content.split(b"\n"))
        assert list(jsonl.lines(stream)) == content.split(b"\n")
    else:
        with pytest.raises(BadInputError, match="the file has no envelopes"):
            jsonl.checked(stream)


def test_a_line_longer_than_1_mib_is_refused_by_its_number_without_reading_it_whole() -> None:
    stream = io.BytesIO(b"{}\n" + b"x" * (MAX_LINE_BYTES + 1) + b"\n{}\n")
    with pytest.raises(BadInputError, match=r"^line 2: the line is longer than 1 MiB$"):
        jsonl.checked(stream)


def test_a_line_of_exactly_1_mib_is_read() -> None:
    longest = b"x" * MAX_LINE_BYTES
    stream = io.BytesIO(longest + b"\n" + longest)
    assert jsonl.checked(stream) == 2
    assert list(jsonl.lines(stream)) == [longest, longest]


def test_lines_are_read_as_they_are_asked_for() -> None:
    stream = io.BytesIO(b"a\nb\nc\n")
    lines = jsonl.lines(stream)
    assert next(lines) == b"a"
    assert stream.tell() == 2  # one line read, not the file
