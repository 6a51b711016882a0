"""The printable lesson handout, made as an instructor makes it: from the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from abm.lessons import get_lesson
from abm.sources import cite, sources


def test_handout_is_one_html_page_with_figures_folded_answers_and_named_sources(tmp_path):
    out = tmp_path / "lesson5.html"
    done = subprocess.run([sys.executable, "-m", "abm.cli", "lessons", "handout", "5", "--out", str(out)], capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    lesson = get_lesson(5)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page and lesson.question in page
    images = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}" alt="([^"]{20,})"', page)
    with_metric = sum(1 for t in lesson.things_to_try if t.metric)
    assert len(images) == 1 + with_metric  # the lesson's charts, and one per judged thing to try; each with alt text
    assert page.count("<details><summary>The model's answer</summary>") == len(lesson.things_to_try)
    assert "seeds/0" not in page  # sources by title and outlet, not a path outside the repository
    assert all(cite(f.source) in page.replace("&#x27;", "'").replace("&quot;", '"') for f in lesson.facts)


def test_instructor_copy_opens_the_answers_and_a_bad_lesson_is_one_line(tmp_path):
    from abm.lessons.handout import handout_html

    lesson = get_lesson(3)
    page = handout_html(lesson, answers=True, n_workers=600)
    assert page.count("<details open><summary>The model's answer</summary>") == len(lesson.things_to_try)
    done = subprocess.run([sys.executable, "-m", "abm.cli", "lessons", "handout", "nope"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "nope" in done.stderr


def test_every_lesson_source_has_a_title_and_an_outlet():
    from abm.lessons import load_lessons

    keys = {f.source for lesson in load_lessons() for f in lesson.facts}
    assert keys <= set(sources())
    with pytest.raises(KeyError, match="unknown source 'seeds/999'"):
        cite("seeds/999")
    assert Path(__file__).resolve().parents[1].joinpath("abm", "data", "sources.toml").is_file()
