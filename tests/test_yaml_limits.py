"""The alias-expansion limit stops alias bombs without refusing long literal documents."""

from __future__ import annotations

import pytest

from simulator.errors import ScenarioError
from simulator.scenario import yamlsource
from simulator.scenario.loader import load_text
from simulator.scenario.yamlsource import parse_yaml


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    # the rule at a small scale, so the documents stay quick to parse
    monkeypatch.setattr(yamlsource, "MAX_NODES", 50)
    return 50


def test_an_inline_book_above_the_alias_allowance_loads(
    small_limit: int, minimal_text: str
) -> None:
    n = 4 * small_limit  # 6 values per account: the mapping and its 5 fields
    rows = "".join(
        f"      - {{id: a{i}, arr: 1000, renewal_date: 2027-03-01, stage: steady, "
        "contract_start: 2025-03-01}\n"
        for i in range(n)
    )
    text = minimal_text.replace("accounts: 20\n    arr: 50000", "accounts:\n" + rows.rstrip())
    seg = load_text(text, "book.yaml").scenario.segments["core"]
    assert seg.starting_accounts == n


def test_the_densest_literal_list_is_read_in_full(small_limit: int) -> None:
    # two characters per value, the least a value without an alias can take
    data, _ = parse_yaml("[" + ",".join(["1"] * (20 * small_limit)) + "]", "long.yaml")
    assert len(data) == 20 * small_limit


def _aliased(copies: int) -> str:
    items = ", ".join(str(i) for i in range(20))
    return f"a: &a [{items}]\nb: [{', '.join(['*a'] * copies)}]\n"


def test_aliases_add_at_most_the_allowance(small_limit: int) -> None:
    # values: the root, a (1 + 20), b (1 + copies * 21); the budget is 50 + characters
    few, many = _aliased(3), _aliased(10)
    assert small_limit + len(few) >= 1 + 21 + 1 + 3 * 21
    assert small_limit + len(many) < 1 + 21 + 1 + 10 * 21
    data, _ = parse_yaml(few, "few.yaml")
    assert len(data["b"]) == 3
    with pytest.raises(ScenarioError, match="too large"):
        parse_yaml(many, "many.yaml")
