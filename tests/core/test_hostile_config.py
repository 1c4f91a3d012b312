"""Values Terway's Go types cannot hold, secrets in plain text, and workloads whose resource names collide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hybrid_terway.core import constants, scheduling
from hybrid_terway.core.settings import SettingsError, parse_settings
from preview.engine.program import run_program
from preview.run import EXIT_INVALID, PreviewError, preview, settings_of
from preview.stack_config import StackConfig
from tests.conftest import ROOT, stack_config, world_for
from tests.core.conftest import TERWAY, problems, raw

KUBECONFIG_FIX = "pulumi config set --secret hybrid-terway:kubeconfig < kubeconfig.yaml"
SECRET_FIX = "pulumi config set --secret hybrid-terway:accessKeySecret"


# --- values -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["maxPoolSize", "minPoolSize"])
def test_pool_sizes_beyond_go_int_are_refused(key: str) -> None:
    found = problems(
        terway={**TERWAY, key: 10**20, "maxPoolSize": 10**20} if key == "minPoolSize" else {**TERWAY, key: 10**20}
    )
    assert f"hybrid-terway:terway.{key} = 100000000000000000000: must be at most 9223372036854775807, " in "\n".join(
        found
    )


def test_the_largest_go_int_is_accepted() -> None:
    settings = parse_settings(raw(terway={**TERWAY, "maxPoolSize": constants.INT64_MAX}))
    assert settings.terway is not None and settings.terway.max_pool_size == 2**63 - 1


# --- secrets ------------------------------------------------------------------------------------------------


def test_plain_secrets_are_refused_with_the_command_that_fixes_them() -> None:
    values = raw(credentials={"source": "existing", "accessKeyId": "LTAI5tExampleKeyId0001"})
    values |= {"accessKeySecret": "plain-secret-value", "kubeconfig": "apiVersion: v1\nplain-kubeconfig"}
    with pytest.raises(SettingsError) as info:
        parse_settings(values, secret_keys=set())
    message = str(info.value)
    assert (
        f"hybrid-terway:accessKeySecret: is a secret but is given in plain text; store it encrypted: {SECRET_FIX}"
        in message
    )
    assert (
        f"hybrid-terway:kubeconfig: is a secret but is given in plain text; store it encrypted: {KUBECONFIG_FIX}"
        in (message)
    )
    assert "plain-secret-value" not in message and "plain-kubeconfig" not in message
    assert parse_settings(values, secret_keys={"accessKeySecret", "kubeconfig"}).has_access_key_secret


def test_the_program_refuses_a_plain_secret_under_the_engine() -> None:
    """The SDK tells the program which config keys are secret; a plain kubeconfig is refused before any resource."""
    config = stack_config("dev", kubeconfig="apiVersion: v1")
    assert "hybrid-terway:kubeconfig" not in config.secret_keys
    held = StackConfig("dev", config.values, [*config.secret_keys, "hybrid-terway:kubeconfig"])
    with pytest.raises(SettingsError, match="hybrid-terway:kubeconfig: is a secret but is given in plain text"):
        run_program(config.values, config.secret_keys, "dev", world_for(settings_of(held)))
    run = run_program(held.values, held.secret_keys, "dev", world_for(settings_of(held)))
    assert run.registrations


def test_the_offline_preview_refuses_a_plain_secret(tmp_path: Path) -> None:
    text = (ROOT / "Pulumi.example-host.yaml").read_text()
    start = text.index("  hybrid-terway:accessKeySecret:")
    end = text.index("\n", text.index("secure:", start))
    (tmp_path / "Pulumi.plain.yaml").write_text(
        text[:start] + "  hybrid-terway:accessKeySecret: s3cr3t-in-git" + text[end:]
    )
    with pytest.raises(PreviewError) as info:
        preview(tmp_path, "plain", None, tmp_path / "out" / "plain", policy=False)
    assert info.value.exit_code == EXIT_INVALID
    assert SECRET_FIX in str(info.value) and "s3cr3t-in-git" not in str(info.value)
    for artifact in (tmp_path / "out").rglob("*"):
        assert artifact.is_dir() or "s3cr3t-in-git" not in artifact.read_text()


# --- names --------------------------------------------------------------------------------------------------


def test_workloads_whose_resource_names_collide_are_a_config_error_naming_both() -> None:
    workloads = [
        {"kind": "DaemonSet", "namespace": "kube-system", "name": "calico-node"},
        {"kind": "DaemonSet", "namespace": "kube-system", "name": "calico.node"},
        {"kind": "Deployment", "namespace": "a-b", "name": "c"},
        {"kind": "Deployment", "namespace": "a", "name": "b-c"},
    ]
    found = "\n".join(problems(onPremWorkloads=workloads))
    assert (
        "hybrid-terway:onPremWorkloads[1]: DaemonSet kube-system/calico.node and onPremWorkloads[0] DaemonSet "
        "kube-system/calico-node would both be named 'daemonset-kube-system-calico-node'" in found
    )
    assert "onPremWorkloads[3]: Deployment a/b-c and onPremWorkloads[2] Deployment a-b/c" in found


def test_accepted_workloads_get_distinct_resource_names() -> None:
    workloads = [
        {"kind": "DaemonSet", "namespace": "kube-system", "name": "calico-node"},
        {"kind": "Deployment", "namespace": "kube-system", "name": "calico-node"},
        {"kind": "DaemonSet", "namespace": "other", "name": "calico-node"},
    ]
    settings = parse_settings(raw(onPremWorkloads=workloads))
    slugs = [w.resource_slug for w in settings.workloads]
    assert len(set(slugs)) == len(slugs) == 3
    assert json.loads(json.dumps(slugs)) == slugs


# --- words --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"terway": [1]}, "hybrid-terway:terway = [1]: Input should be a mapping"),
        ({"onPremWorkloads": {"a": 1}}, "hybrid-terway:onPremWorkloads: Input should be a list"),
        ({"onPremWorkloads": [5]}, "hybrid-terway:onPremWorkloads[0] = 5: Input should be a mapping"),
        ({"terway": {**TERWAY, "podVswitches": {}}}, "terway.podVswitches: Mapping should have at least 1 item"),
        ({"credentials": {"keySlots": {}}}, "hybrid-terway:credentials.keySlots: Input should be a list"),
    ],
)
def test_messages_speak_of_lists_and_mappings(values: dict[str, object], message: str) -> None:
    found = "\n".join(problems(**values))
    assert message in found
    for python_word in ("tuple", "dictionary", "Dictionary", "instance of"):
        assert python_word not in found


def test_malformed_spec_messages_speak_of_lists_and_mappings() -> None:
    node = {"metadata": {"name": "n", "labels": {}}}
    with pytest.raises(scheduling.MalformedSpecError, match=r"spec\.nodeSelector: expected a mapping, got a list$"):
        scheduling.pod_fits_node({"nodeSelector": ["x"]}, node)
    with pytest.raises(scheduling.MalformedSpecError, match=r"expected a list, got a mapping$"):
        scheduling.pod_fits_node(
            {"affinity": {"nodeAffinity": {scheduling.REQUIRED_AFFINITY: {"nodeSelectorTerms": {}}}}}, node
        )


def test_a_plain_secret_is_reported_with_the_other_problems() -> None:
    values = raw(clusterId="2024-01-01") | {"kubeconfig": "apiVersion: v1"}
    with pytest.raises(SettingsError) as info:
        parse_settings(values, secret_keys=())
    assert [p.split(":")[1] for p in info.value.problems] == ["kubeconfig", "clusterId = '2024-01-01'"]


def test_structured_values_the_program_cannot_read_are_config_errors() -> None:
    """What the engine's YAML reading allows (10,000 levels, any number of digits) still ends in a message."""
    deep = raw() | {"terway": "[" * 50_000 + "]" * 50_000}
    huge = raw() | {"terway": json.dumps({**TERWAY, "maxPoolSize": 0}).replace("0}", "1" + "0" * 5000 + "}")}
    for values, message in ((deep, "is nested too deeply to read"), (huge, "is not a structured value")):
        with pytest.raises(SettingsError) as info:
            parse_settings(values)
        assert f"hybrid-terway:terway: {message}" in str(info.value)
