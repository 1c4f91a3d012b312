"""What publishes the pod vSwitch CIDRs to the data centre with ``via: cen``, ``transitRouter`` and
``expressConnectRouter``: through the offline preview (one cloud snapshot per outcome,
``tests/data/cloud/interconnect-{cen,tr,ecr}-*.json``, the APIs' response bodies) and through the provider functions
the program calls under ``pulumi up``.

Each snapshot is ``interconnect-ok.json`` without the VBR's BGP actions, the on-prem routes led to CEN
(``CenBasic``), a transit router ``Attachment`` or an Express Connect Router (``Ecr``), and the publication bodies.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hybrid_terway.checks import AddressPlanError
from hybrid_terway.config import ConfigError, parse_settings
from preview.engine.program import World, run_program
from preview.run import EXIT_INVALID, EXIT_OK, settings_of
from preview.stack_config import StackConfig
from preview.world.cloud_snapshot import load_cloud_document, parse_cloud_snapshot
from preview.world.fake_cloud import FakeAlibabaCloud
from preview.world.fake_cluster import FakeCluster
from preview.world.interconnect_snapshot import InterconnectSnapshotError, parse_interconnect_snapshot
from tests.conftest import DATA, ROOT, stack_config

CLUSTER = DATA / "snapshots" / "bgp-calico-addresses.yaml"
CLOUD = DATA / "cloud"
CEN = "cen-7qthudw0ll6jmc3a1b"
ECR = "ecr-mezk2idmsd0vx2a1b2"
BLOCKS = {
    "cen": {"via": "cen", "cenId": CEN},
    "tr": {"via": "transitRouter", "cenId": CEN},
    "ecr": {"via": "expressConnectRouter", "ecrId": ECR},
}


def block(via: str) -> dict[str, object]:
    return {**BLOCKS[via], "onPremNodeCidrs": ["10.10.0.0/22"]}


def project(tmp_path: Path, via: str) -> Path:
    """example-interconnect with the interconnect block of one ``via`` (stack ``ic-<via>``)."""
    text = (ROOT / "Pulumi.example-interconnect.yaml").read_text()
    text = text[: text.index("  hybrid-terway:interconnect:")]
    (tmp_path / f"Pulumi.ic-{via}.yaml").write_text(f"{text}  hybrid-terway:interconnect: {json.dumps(block(via))}\n")
    return tmp_path


def preview(tmp_path: Path, via: str, cloud: str) -> subprocess.CompletedProcess[str]:
    root = project(tmp_path, via)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "preview",
            "--no-policy",
            "--cwd",
            str(root),
            "--stack",
            f"ic-{via}",
            "--snapshot",
            str(CLUSTER),
            "--cloud-snapshot",
            str(CLOUD / cloud),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("via", "cloud", "found"),
    [
        (
            "cen",
            "interconnect-cen-ok.json",
            "| 192.168.22.0/24 | CEN cen-7qthudw0ll6jmc3a1b: VPC vpc-bp1hybriddev0a1b2c3d4 and VBR "
            "vbr-bp1dc1primary0a1b2c3 Attached; route 192.168.22.0/24 of vtb-bp1route0000000000 Published | ok |",
        ),
        (
            "tr",
            "interconnect-tr-ok.json",
            "| 192.168.22.0/24 | transit router tr-bp1hybridtr0a1b2c3d4: VPC attachment tr-attach-vpc0a1b2c3d4e5, VBR "
            "attachment tr-attach-vbr0a1b2c3d4e5 to vbr-bp1dc1primary0a1b2c3 (AutoPublishRouteEnabled); route "
            "192.168.22.0/24 Active in route table vtb-bp1trtable0a1b2c3d4e5 | ok |",
        ),
        (
            "ecr",
            "interconnect-ecr-ok.json",
            "| 192.168.22.0/24 | Express Connect Router ecr-mezk2idmsd0vx2a1b2: association ecr-assoc-0a1b2c3d4e5f6g7h "
            "allows 192.168.16.0/20 | ok |",
        ),
    ],
)
def test_what_publishes_each_pod_vswitch_cidr_is_read_and_shown(
    tmp_path: Path, via: str, cloud: str, found: str
) -> None:
    result = preview(tmp_path, via, cloud)
    assert result.returncode == EXIT_OK, result.stderr
    assert "interconnect: advertisements: each pod vSwitch CIDR reaches the data centre: ok (3 pod vSwitch CIDRs" in (
        result.stdout
    )
    plan = (tmp_path / "out" / f"ic-{via}" / "PLAN.md").read_text()
    assert found in plan[plan.index("### On-prem pods to cloud pods") :]
    assert f"Via `{BLOCKS[via]['via']}` (`{BLOCKS[via].get('cenId') or BLOCKS[via].get('ecrId')}`)" in plan
    assert "What this source cannot tell:" in plan
    assert f"- via {BLOCKS[via]['via']}: the listings do not tell " in plan


@pytest.mark.parametrize(
    ("via", "cloud", "named"),
    [
        (
            "cen",
            "interconnect-cen-vbr-attaching.json",
            "pod vSwitch vsw-bp1p9m4a1s6y8g0t2v4x6 CIDR 192.168.22.0/24 is published to the data centre by nothing: "
            "no VBR is Attached to CEN cen-7qthudw0ll6jmc3a1b (found vbr-bp1dc1primary0a1b2c3 (Attaching))",
        ),
        (
            "cen",
            "interconnect-cen-not-published.json",
            "pod vSwitch vsw-bp1p9m4a1s6y8g0t2v4x6 CIDR 192.168.22.0/24 is published to the data centre by nothing: "
            "CEN cen-7qthudw0ll6jmc3a1b does not publish its route in route table vtb-bp1route0000000000: "
            "192.168.22.0/24 (NonPublished)",
        ),
        (
            "tr",
            "interconnect-tr-no-auto-publish.json",
            "CIDR 192.168.20.0/24 is published to the data centre by nothing: no Attached VBR attachment of transit "
            "router tr-bp1hybridtr0a1b2c3d4 has AutoPublishRouteEnabled true (found tr-attach-vbr0a1b2c3d4e5 to "
            "vbr-bp1dc1primary0a1b2c3 (Attached, AutoPublishRouteEnabled false))",
        ),
        (
            "tr",
            "interconnect-tr-not-learned.json",
            "CIDR 192.168.22.0/24 is published to the data centre by nothing: route table vtb-bp1trtable0a1b2c3d4e5 of "
            "VBR attachment tr-attach-vbr0a1b2c3d4e5 holds no Active route covering it: the routes of VPC attachment "
            "tr-attach-vpc0a1b2c3d4e5 are not learned into it",
        ),
        (
            "ecr",
            "interconnect-ecr-prefix-missing.json",
            "CIDR 192.168.22.0/24 is published to the data centre by nothing: the AllowedPrefixes of association "
            "ecr-assoc-0a1b2c3d4e5f6g7h of Express Connect Router ecr-mezk2idmsd0vx2a1b2 (192.168.20.0/23) do not "
            "cover it",
        ),
    ],
)
def test_a_pod_vswitch_cidr_nothing_publishes_exits_2_naming_it(
    tmp_path: Path, via: str, cloud: str, named: str
) -> None:
    result = preview(tmp_path, via, cloud)
    assert result.returncode == EXIT_INVALID, result.stdout
    assert "the network plan does not fit the cloud and the cluster" in result.stderr
    assert "hybrid-terway:interconnect.bgpNetworks: pod vSwitch " in result.stderr
    assert named in result.stderr


def test_the_ecr_association_covering_two_of_three_cidrs_names_only_the_third(tmp_path: Path) -> None:
    result = preview(tmp_path, "ecr", "interconnect-ecr-prefix-missing.json")
    assert "(1 problem(s))" in result.stderr
    assert "CIDR 192.168.21.0/24" not in result.stderr


def test_transit_router_routes_are_keyed_by_their_route_table() -> None:
    document = json.loads((CLOUD / "interconnect-tr-ok.json").read_text())
    document["ListTransitRouterRouteEntries"] = list(document["ListTransitRouterRouteEntries"].values())
    ic = settings_of(stack_config("example-interconnect", interconnect=json.dumps(block("tr")))).interconnect
    assert ic is not None
    with pytest.raises(InterconnectSnapshotError) as info:
        parse_interconnect_snapshot(document, "cloud.json", ic)
    assert str(info.value) == (
        "cloud.json: ListTransitRouterRouteEntries: must map each --TransitRouterRouteTableId (vtb-...) to its "
        "response body: the entries do not name their route table"
    )


def test_a_publication_body_out_of_shape_is_refused_naming_the_action_and_the_field(tmp_path: Path) -> None:
    document = json.loads((CLOUD / "interconnect-tr-ok.json").read_text())
    document["ListTransitRouterVbrAttachments"]["TransitRouterAttachments"][0]["AutoPublishRouteEnabled"] = "true"
    ic = settings_of(stack_config("example-interconnect", interconnect=json.dumps(block("tr")))).interconnect
    assert ic is not None
    with pytest.raises(InterconnectSnapshotError) as info:
        parse_interconnect_snapshot(document, "cloud.json", ic)
    assert str(info.value) == (
        "cloud.json: ListTransitRouterVbrAttachments TransitRouterAttachments[0]: AutoPublishRouteEnabled = 'true': "
        "must be true or false"
    )
    del document["ListTransitRouterVbrAttachments"]
    with pytest.raises(InterconnectSnapshotError) as info:
        parse_interconnect_snapshot(document, "cloud.json", ic)
    assert "ListTransitRouterVbrAttachments missing" in str(info.value)
    paged = json.loads((CLOUD / "interconnect-cen-ok.json").read_text())
    paged["DescribeCenAttachedChildInstances"]["TotalCount"] = 60
    ic = settings_of(stack_config("example-interconnect", interconnect=json.dumps(block("cen")))).interconnect
    assert ic is not None
    with pytest.raises(InterconnectSnapshotError, match=r"lists 2 of 60 \(TotalCount\): take every page"):
        parse_interconnect_snapshot(paged, "cloud.json", ic)


# --- settings -------------------------------------------------------------------------------------


def config_problems(interconnect: dict[str, object]) -> list[str]:
    values = {k.split(":", 1)[1]: v for k, v in stack_config("example-interconnect").values.items()}
    values["interconnect"] = json.dumps(interconnect)
    with pytest.raises(ConfigError) as info:
        parse_settings({k: v for k, v in values.items() if k in _KEYS})
    return info.value.problems


_KEYS = ("scenario", "clusterId", "terway", "onPremPodCidrs", "interconnect")


def test_the_instance_that_publishes_is_required_and_refused_elsewhere() -> None:
    assert config_problems({"via": "cen"}) == [
        "hybrid-terway:interconnect.cenId: is required with via 'cen': the CEN instance the VPC and the VBRs are "
        "attached to"
    ]
    assert config_problems({"via": "expressConnectRouter", "cenId": CEN}) == [
        "hybrid-terway:interconnect.cenId: only applies to via 'cen' or 'transitRouter', not 'expressConnectRouter'",
        "hybrid-terway:interconnect.ecrId: is required with via 'expressConnectRouter': the Express Connect Router "
        "the VPC is associated with",
    ]
    assert config_problems({"via": "transitRouter", "cenId": "vpc-bp1hybriddev0a1b2c3d4"}) == [
        "hybrid-terway:interconnect.cenId = 'vpc-bp1hybriddev0a1b2c3d4': must be a CEN instance id such as "
        "cen-7qthudw0ll6jmc3a1b"
    ]


# --- the program, through the provider functions --------------------------------------------------


def program(via: str, cloud_file: str) -> tuple[World, StackConfig]:
    config = stack_config("example-interconnect", interconnect=json.dumps(block(via)))
    settings = settings_of(config)
    document = load_cloud_document((CLOUD / cloud_file).read_bytes(), cloud_file)
    assert settings.interconnect is not None
    world = World(
        FakeAlibabaCloud(
            settings.cluster_id,
            network=parse_cloud_snapshot(document, cloud_file),
            interconnect=parse_interconnect_snapshot(document, cloud_file, settings.interconnect),
        ),
        FakeCluster.representative(settings),
    )
    return world, config


@pytest.mark.parametrize(
    ("via", "cloud", "named"),
    [
        ("cen", "interconnect-cen-vbr-attaching.json", "no VBR is Attached to CEN cen-7qthudw0ll6jmc3a1b"),
        (
            "cen",
            "interconnect-cen-not-published.json",
            "does not publish its route in route table vtb-bp1route0000000000: 192.168.22.0/24 (NonPublished)",
        ),
        ("tr", "interconnect-tr-no-auto-publish.json", "has AutoPublishRouteEnabled true"),
        ("tr", "interconnect-tr-not-learned.json", "of VBR attachment tr-attach-vbr0a1b2c3d4e5 holds no Active route"),
        ("ecr", "interconnect-ecr-prefix-missing.json", "(192.168.20.0/23) do not cover it"),
    ],
)
def test_the_program_stops_when_nothing_publishes_a_cidr(via: str, cloud: str, named: str) -> None:
    world, config = program(via, cloud)
    with pytest.raises(AddressPlanError) as info:
        run_program(config.values, config.secret_keys, config.stack, world)
    assert "CIDR 192.168.22.0/24 is published to the data centre by nothing" in str(info.value)
    assert named in str(info.value)
    assert not world.cloud.of_type("alicloud:cs/kubernetesAddon:KubernetesAddon")


@pytest.mark.parametrize(
    ("via", "cloud"),
    [("cen", "interconnect-cen-ok.json"), ("tr", "interconnect-tr-ok.json"), ("ecr", "interconnect-ecr-ok.json")],
)
def test_the_program_reads_the_publication_through_the_provider_functions(via: str, cloud: str) -> None:
    # The attachments reach the check only through the invokes: without them it would say "not read".
    world, config = program(via, cloud)
    run = run_program(config.values, config.secret_keys, config.stack, world)
    infos = [m for level, m in run.logs if level == "info" and m.startswith("interconnect: advertisements")]
    assert infos and ": ok (3 pod vSwitch CIDRs via " in infos[0], infos


def sdk_function_args(token: str) -> set[str]:
    """The argument names the installed pulumi_alicloud function of ``token`` sends (its ``__args__[...]`` keys)."""
    import importlib
    import re

    module_name, function = token.split(":")[1].split("/")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", function.split(":")[0]).lower()
    module = importlib.import_module(f"pulumi_alicloud.{module_name}.{snake}")
    source = Path(module.__file__ or "").read_text()
    assert f"pulumi.runtime.invoke('{token}'" in source, token
    return set(re.findall(r"__args__\['(\w+)'\]", source))


@pytest.mark.parametrize(
    ("via", "cloud"),
    [("cen", "interconnect-cen-ok.json"), ("tr", "interconnect-tr-ok.json"), ("ecr", "interconnect-ecr-ok.json")],
)
def test_every_function_called_exists_in_the_provider_sdk_with_those_arguments(
    via: str, cloud: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, dict[str, object]]] = []
    original = FakeAlibabaCloud.call

    def recording(self: FakeAlibabaCloud, token: str, args: dict[str, object]) -> dict[str, object]:
        calls.append((token, dict(args)))
        return original(self, token, args)

    monkeypatch.setattr(FakeAlibabaCloud, "call", recording)
    world, config = program(via, cloud)
    run_program(config.values, config.secret_keys, config.stack, world)
    publication = [(t, a) for t, a in calls if t.startswith(("alicloud:cen/", "alicloud:expressconnect/getRouter"))]
    assert publication, calls
    for token, args in publication:
        assert set(args) <= sdk_function_args(token), (token, args)
