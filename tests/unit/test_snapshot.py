"""The local stack's save keeps working whatever happens to the template file."""

import json

from shtab_local import dynamodb


def test_snapshot_survives_template_edit(tables, monkeypatch, tmp_path):
    from chalicelib.chat.channels import ensure_channel

    ensure_channel("general", name="Общий", kind="general")
    monkeypatch.setattr(dynamodb, "TEMPLATE", tmp_path / "missing.json")
    monkeypatch.setattr(tables, "snapshot_path", tmp_path / "dynamodb.json")

    count = tables.snapshot()

    saved = json.loads((tmp_path / "dynamodb.json").read_text())
    assert count == 2
    assert len(saved[tables.prefix + "chat"]) == 2
