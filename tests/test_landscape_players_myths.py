"""Chapter 11 players and myths: every claim carries a dated source; what is not public is said."""
import re

import pytest

from genimg_edu.landscape.myths import MYTHS, myths_table
from genimg_edu.landscape.players import SYSTEMS, System, by_maker, players_table

YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


@pytest.mark.parametrize("system", SYSTEMS, ids=lambda s: s.name)
def test_every_system_is_dated_sourced_and_says_what_is_not_public(system):
    assert YEAR.search(system.source) and YEAR.search(system.date)
    assert system.not_public.strip() and system.facts.strip()


def test_the_issue_s_players_and_families():
    names = {s.name: s for s in SYSTEMS}
    for name in ("CLIP", "DALL-E", "DALL-E 2", "DALL-E 3", "GPT-4o image generation", "Midjourney",
                 "Stable Diffusion v1", "StyleGAN", "eDiff-I"):
        assert name in names, name
    assert all(names[n].family != "GAN" for n in ("DALL-E", "DALL-E 2", "DALL-E 3"))   # the myth
    assert names["DALL-E"].family == "autoregressive transformer"
    assert names["DALL-E 2"].family == "diffusion"
    assert names["Midjourney"].family == "not public" and names["Midjourney"].weights == "closed"
    assert names["Stable Diffusion v1"].weights == "open" and "150,000 A100-hours" in names["Stable Diffusion v1"].facts
    assert {s.name for s in by_maker("nvidia")} == {"StyleGAN", "eDiff-I"}
    with pytest.raises(ValueError, match="no system by"):
        by_maker("Nobody")


def test_system_validates_its_categories():
    with pytest.raises(ValueError, match="weights must be one of"):
        System("X", "Y", "2020", "secret", "GAN", "f", "n", "s 2020", "05")
    with pytest.raises(ValueError, match="family must be one of"):
        System("X", "Y", "2020", "open", "magic", "f", "n", "s 2020", "05")


def test_players_table_is_markdown_with_one_row_per_system():
    table = players_table()
    lines = table.splitlines()
    assert len(lines) == len(SYSTEMS) + 2 and lines[1].startswith("| ---") or lines[1].startswith("|")
    assert all(line.count("|") == lines[0].count("|") for line in lines)
    assert "not public" in lines[0]
    with pytest.raises(ValueError, match="unknown columns"):
        players_table(columns=("maker", "price"))


def test_myths_are_corrected_with_dated_sources():
    assert any("GAN" in m.myth and "DALL-E" in m.myth for m in MYTHS)
    lecun = next(m for m in MYTHS if "LeCun" in m.myth)
    assert "Quora" in lecun.source and "2016" in lecun.source and "in my opinion" in lecun.truth
    for m in MYTHS:
        assert YEAR.search(m.source), m.myth
    lines = myths_table().splitlines()
    assert len(lines) == len(MYTHS) + 2 and all(line.count("|") == 4 for line in lines)
