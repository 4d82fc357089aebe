"""``import simulator`` and the parsers stay cheap; every public name still resolves."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

HEAVY = ("scipy", "simpy", "matplotlib", "pyarrow")


def _loaded_after(statement: str) -> list[str]:
    """Heavy modules in ``sys.modules`` after running ``statement`` in a fresh interpreter."""
    code = f"import sys\n{statement}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return out.stdout.split()


@pytest.mark.parametrize(
    "statement",
    [
        "import simulator",
        "import simulator.scenario.yamlsource",
        "import simulator.errors",
        "from simulator.data.values import parse_money, parse_date, parse_hours",
        "import simulator.data",
        "import simulator.metrics",
    ],
)
def test_parser_imports_do_not_load_the_numerical_stack(statement: str) -> None:
    assert _loaded_after(statement) == []


def test_a_simulation_name_loads_its_stack_on_first_use() -> None:
    assert "simpy" in _loaded_after("import simulator\nsimulator.simulate")


@pytest.mark.parametrize("package", ["simulator", "simulator.scenario"])
def test_every_public_name_resolves(package: str) -> None:
    mod = importlib.import_module(package)
    for name in mod.__all__:
        if name == "__version__":
            continue
        home = importlib.import_module(mod._LAZY[name])
        assert getattr(mod, name) is getattr(home, name), name
    assert set(mod.__all__) <= set(dir(mod))
    assert set(mod._LAZY) <= set(mod.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    import simulator

    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        simulator.nothing_here  # noqa: B018
