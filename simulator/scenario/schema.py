"""JSON Schema of the scenario language, for editors (yaml-language-server) and checks.

A file with ``extends:`` is a partial scenario: the schema then checks names and types
but requires no field, since the base file supplies them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path as FsPath
from typing import Any

from simulator.scenario.model import Scenario

SCHEMA_ID = "https://cssim.dev/schema/scenario.json"


def _strip_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_strip_required(v) for v in node]
    return node


def _rename_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                v.replace("#/$defs/", f"#/$defs/{prefix}")
                if k == "$ref"
                else _rename_refs(v, prefix)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(v, prefix) for v in node]
    return node


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    full = Scenario.model_json_schema(by_alias=True, mode="validation")
    defs = full.pop("$defs", {})
    partial_root = _rename_refs(_strip_required(copy.deepcopy(full)), "Partial")
    partial_defs = {
        f"Partial{k}": _rename_refs(_strip_required(v), "Partial") for k, v in defs.items()
    }
    defs["ScenarioFile"] = full
    defs["PartialScenarioFile"] = partial_root
    defs.update(partial_defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cssim scenario",
        "description": "A Customer Success capacity plan for cssim. Files with 'extends' "
        "are partial: the base file supplies the required fields.",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/$defs/PartialScenarioFile"},
        "else": {"$ref": "#/$defs/ScenarioFile"},
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as stable, indented JSON text."""
    return json.dumps(scenario_schema(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def is_schema_file(path: str | FsPath) -> bool:
    """True when ``path`` is a JSON Schema cssim wrote (same ``$id``), so it may be replaced.

    Only a regular file under 1 MB is read (cssim's schema is far smaller): a FIFO or a
    device is never opened, so the check cannot block or fill memory.
    """
    try:
        file = FsPath(path)
        if not file.is_file() or file.stat().st_size > 1_000_000:
            return False
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("$id") == scenario_schema().get("$id")
