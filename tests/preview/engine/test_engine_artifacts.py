"""What a reviewer sees of the engine in the preview's artifacts: state.json, the options and steps in plan.json,
and PLAN.md's conflicts and waits."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from preview.engine.wire import SECRET_SIG, SECRET_SIG_KEY
from preview.run import preview
from tests.conftest import ROOT


def test_state_json_is_what_an_up_would_leave_with_every_secret_an_envelope(tmp_path: Path) -> None:
    result = preview(ROOT, "dev", None, tmp_path / "dev", policy=False)
    text = (tmp_path / "dev" / "state.json").read_text()
    exported = json.loads(text)
    assert exported["version"] == 3
    resources = exported["deployment"]["resources"]
    plan = json.loads((tmp_path / "dev" / "plan.json").read_text())
    assert {r["urn"] for r in resources} == {r["urn"] for r in plan["resources"]}
    invented = result.world.cloud.invented_values()  # the AccessKey id and secret the fake cloud made
    secret = next(v for v in invented if not v.startswith("LTAI"))
    assert secret not in text and base64.b64encode(secret.encode()).decode() not in text
    assert '"plaintext"' not in text
    key = next(r for r in resources if r["type"] == "alicloud:ram/accessKey:AccessKey")
    assert key["outputs"]["secret"][SECRET_SIG_KEY] == SECRET_SIG and "ciphertext" in key["outputs"]["secret"]
    # Dependencies before dependents, as a snapshot holds them.
    seen: set[str] = set()
    for r in resources:
        assert all(d in seen for d in r.get("dependencies", [])), r["urn"]
        seen.add(r["urn"])


def test_plan_json_records_the_options_and_plan_md_the_conflicts_and_waits(tmp_path: Path) -> None:
    preview(ROOT, "dev", None, tmp_path / "dev", policy=False)
    plan = json.loads((tmp_path / "dev" / "plan.json").read_text())
    by_name = {r["name"]: r for r in plan["resources"]}
    eni_config = by_name["hybrid-terway-eni-config"]
    assert eni_config["options"]["retainOnDelete"] is True
    assert eni_config["step"] == "create"
    assert by_name["hybrid-identity-key-a"]["options"]["additionalSecretOutputs"] == ["secret"]
    forced = [c for c in plan["conflicts"] if c["forced"]]
    assert {"object": "ConfigMap kube-system/eni-config", "field": ".data.eni_conf"}.items() <= forced[0].items()
    assert forced[0]["otherManager"] == "ack-addon-manager"
    assert {w["object"] for w in plan["waits"]} >= {"DaemonSet kube-system/terway-eniip"}
    assert plan["expectNoChanges"] is False, "a first install changes everything"
    plan_md = (tmp_path / "dev" / "PLAN.md").read_text()
    assert "| ConfigMap kube-system/eni-config | `.data.eni_conf` | `ack-addon-manager` | `hybrid-terway` |" in plan_md
    assert "| DaemonSet kube-system/terway-eniip | the rollout: 1 node, 1 at a time: about 30 s |" in plan_md
