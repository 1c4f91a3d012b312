"""The offline preview, step by step; ``preview.__main__`` is its command line."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from hybrid_terway.core import constants
from hybrid_terway.core.address_plan import AddressPlan, CloudFacts, NetworkPlanError
from hybrid_terway.core.interconnect import InterconnectCloudFacts, InterconnectPlan
from hybrid_terway.core.problems import grouped
from hybrid_terway.core.settings import Settings, SettingsError, parse_settings
from hybrid_terway.core.topology import patch_refusal
from preview.engine.deploy import DeploymentError
from preview.engine.program import ProgramRun, World, run_program
from preview.paths import OutputPathError, check_stack_name, clear_stack_folder
from preview.policy_config_file import PolicyConfigFileError, load_policy_config
from preview.report import artifacts
from preview.report.placement import judge_placement, judged_workloads, with_before
from preview.report.provenance import Sources, console_notices, provenance_document, provenance_markdown
from preview.report.recycle import cloud_nodes_to_recycle, recycle_markdown, recycle_warnings
from preview.report.rollouts import rollouts
from preview.report.schema import validate_object
from preview.report.security_review import review_document, review_markdown
from preview.report.warnings import Warning, superseded
from preview.safe_yaml import MAX_SNAPSHOT_BYTES, YamlInputError, YamlNotice, read_input
from preview.stack_config import StackConfig, StackFileError, load_stack_config
from preview.world.address_facts import cluster_facts, kubernetes_service, preview_address_plan
from preview.world.cloud_snapshot import (
    CloudSnapshotError,
    load_cloud_document,
    parse_cloud_snapshot,
    representative_network,
)
from preview.world.fake_cloud import CloudError, FakeAlibabaCloud
from preview.world.fake_cluster import ClusterError, FakeCluster
from preview.world.interconnect_snapshot import (
    InterconnectSnapshotError,
    interconnect_cloud,
    interconnect_cluster,
    pod_vswitches_of,
    preview_interconnect_plan,
)
from preview.world.interconnect_snapshot import (
    console_lines as interconnect_console_lines,
)
from preview.world.node_index import NodeIndex
from preview.world.snapshot import SnapshotError, load_snapshot

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


class PreviewError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class PreviewResult:
    exit_code: int
    summary: str
    run: ProgramRun
    world: World
    placement: dict[str, Any]
    """placement.json's content."""
    report: dict[str, Any] | None


def settings_of(config: StackConfig) -> Settings:
    prefix = constants.PROJECT + ":"
    raw = {k.removeprefix(prefix): v for k, v in config.values.items() if k.startswith(prefix)}
    return parse_settings(raw, {k.removeprefix(prefix) for k in config.secret_keys if k.startswith(prefix)})


def cluster_for(settings: Settings, snapshot: Path | None) -> FakeCluster:
    if snapshot is None:
        return FakeCluster.representative(settings)
    try:
        data = read_input(snapshot, limit=MAX_SNAPSHOT_BYTES)
    except YamlInputError as exc:
        raise PreviewError(f"--snapshot {exc}") from None
    notices: list[YamlNotice] = []
    cluster = FakeCluster.of(load_snapshot(data, str(snapshot), notices), fresh=True)
    del data
    for notice in notices:
        print(f"notice: {notice}", file=sys.stderr)
    if not cluster.nodes():
        raise SnapshotError(f"{snapshot}: holds no Node objects; take it with `kubectl get nodes,daemonsets,...`")
    problems = []
    for index, workload in enumerate(settings.workloads):
        live = cluster.get(workload.kind.value, workload.namespace or "", workload.name)
        key = f"{constants.PROJECT}:onPremWorkloads[{index}]"
        if live is None:
            problems.append(f"{key}: {workload.ref} is not in the snapshot {snapshot}")
        elif refusal := patch_refusal(workload.object_ref, live):
            problems.append(f"{key}: {refusal}")
    problems += live_object_problems(cluster, settings)
    if problems:
        raise SnapshotError("\n".join(problems))
    service, assumed = kubernetes_service(settings, cluster)
    if assumed and settings.terway is not None:
        # The program reads it; a snapshot taken without services lacks it (the plan says it was assumed).
        cluster.objects[("Service", "default", "kubernetes")] = service
    return cluster


def live_object_problems(cluster: FakeCluster, settings: Settings) -> list[str]:
    """The objects the program reads or patches, held to the Kubernetes schema's types (the SDK decodes them).

    A field of the wrong type is something the API server would never have stored; required fields and unknown
    fields are not checked here (a snapshot from a newer cluster may carry newer fields).
    """
    ns = constants.TERWAY_NAMESPACE
    keys = [(w.kind.value, w.namespace or "", w.name) for w in settings.workloads]
    keys += [
        ("DaemonSet", ns, constants.TERWAY_DAEMONSET),
        ("ConfigMap", ns, constants.ENI_CONFIG_MAP),
        ("Secret", ns, constants.ADDON_SECRET),
        ("Service", "default", "kubernetes"),
    ]
    problems = []
    for key in keys:
        live = cluster.get(*key)
        if live is not None:
            problems += [f"{p} (as the snapshot has it)" for p in validate_object(live, partial=True, strict=False)]
    return problems


def cloud_for(settings: Settings, cloud_snapshot: Path | None) -> tuple[CloudFacts, InterconnectCloudFacts | None]:
    """The region's network facts (and the interconnect's, with its block): from a cloud snapshot, or
    representative facts consistent with the stack."""
    if cloud_snapshot is None:
        network = representative_network(settings)
        return network, interconnect_cloud(settings, None, None, network.vswitches)
    try:
        data = read_input(cloud_snapshot)
    except YamlInputError as exc:
        raise PreviewError(f"--cloud-snapshot {exc}") from None
    document = load_cloud_document(data, str(cloud_snapshot))
    network = parse_cloud_snapshot(document, str(cloud_snapshot))
    return network, interconnect_cloud(settings, document, str(cloud_snapshot), network.vswitches)


def preview(
    root: Path,
    stack: str,
    snapshot: Path | None,
    out: Path,
    policy: bool = True,
    cloud_snapshot: Path | None = None,
    policy_config: Path | None = None,
) -> PreviewResult:
    """Preview ``stack``; ``out`` is its own folder, emptied first. ``policy_config``: the policy pack's
    configuration file, as ``pulumi preview --policy-pack-config`` takes it. A failed run leaves PLAN.md and plan.json
    saying what failed, never an earlier run's result."""
    try:
        check_stack_name(stack)
        clear_stack_folder(out)
    except OutputPathError as exc:
        raise PreviewError(str(exc)) from None
    except OSError as exc:
        raise PreviewError(f"--out: cannot clear {out}: {exc.strerror or exc}") from None
    try:
        with _fewer_collections():
            return _preview(root, stack, snapshot, out, policy, cloud_snapshot, policy_config)
    except PreviewError as exc:
        _record_failure(out, stack, str(exc), exc.exit_code)
        raise
    except BaseException as exc:
        _record_failure(out, stack, f"internal error: {type(exc).__name__}", EXIT_INVALID)
        raise


COLLECTOR_THRESHOLDS = (100_000, 50, 50)
"""The cyclic garbage collector's thresholds while a preview runs (CPython's default: 700, 10, 10).

A preview builds a large and long-lived heap that holds few cycles: the snapshot's objects, the classes of the provider
SDKs, the program's resources, the placement of every node. At the default thresholds the collector runs after every
700 new containers and, every hundred runs, traverses every container alive: that took a third of the time of 300
workloads on 1,000 nodes (14.2 s, against 9.0 s with the collector off) and of 50,000 nodes (6.4 s against 4.2 s).
With these it runs after every 100,000 new containers, and its full collections hardly ever; the cycles the SDK
leaves (futures, tracebacks) are still collected young, and peak memory stays within 3% of the default's, where
turning the collector off would add 40 MB to 300 workloads (https://docs.python.org/3/library/gc.html)."""


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _record_failure(out: Path, stack: str, message: str, exit_code: int) -> None:
    try:
        artifacts.write_failure(out, stack, message, exit_code)
    except OSError as exc:
        print(f"warning: could not record the failure in {out}: {exc.strerror or exc}", file=sys.stderr)


def _preview(
    root: Path,
    stack: str,
    snapshot: Path | None,
    out: Path,
    policy: bool,
    cloud_snapshot: Path | None,
    policy_config: Path | None = None,
) -> PreviewResult:
    try:
        pack_config = load_policy_config(policy_config) if policy_config is not None else None
    except PolicyConfigFileError as exc:
        raise PreviewError(f"--policy-pack-config {exc}") from None
    try:
        config = load_stack_config(root, stack)
        for notice in config.notices:
            print(f"notice: {notice}", file=sys.stderr)
        settings = settings_of(config)
        cluster = cluster_for(settings, snapshot)
        network, interconnect = cloud_for(settings, cloud_snapshot)
        facts = cluster_facts(settings, cluster)
    except (StackFileError, SnapshotError, CloudSnapshotError, InterconnectSnapshotError) as exc:
        raise PreviewError(str(exc)) from None
    except SettingsError as exc:
        raise PreviewError(f"Pulumi.{stack}.yaml: {exc}") from None

    pack = None
    if policy:
        from preview.engine.policy_harness import PolicyPackProcess

        pack = PolicyPackProcess()
        pack.spawn()  # boots on the other core while the program runs
    before = cluster.copy()  # the cluster as it is today: the program's run changes `cluster`
    try:
        world = World(
            FakeAlibabaCloud(settings.cluster_id, network=network, interconnect=interconnect),
            cluster,
            settings.cloud_node_label,
        )
        try:
            run = run_program(config.values, config.secret_keys, stack, world)
        except SettingsError as exc:
            raise PreviewError(f"Pulumi.{stack}.yaml: {exc}") from None
        except NetworkPlanError as exc:  # what `pulumi up` stops with, before the addon or any patch
            raise PreviewError(str(exc)) from None
        except (pulumi.RunError, CloudError, ClusterError, DeploymentError) as exc:
            raise PreviewError(f"the program would fail: {exc}") from None
        # The same checks with all the snapshot tells (IPPools, kubeadm-config, node addresses, nodes per zone).
        plan = preview_address_plan(settings, network, facts)
        if plan is not None and plan.errors:
            raise PreviewError(str(NetworkPlanError(plan.errors)))
        # The interconnect with what the snapshots tell (every next hop and rule, Calico's pools and blocks).
        interconnect_plan = None
        if interconnect is not None:
            cloud_nodes = sum((facts.cloud_nodes_per_zone or {}).values())
            on_prem_nodes = None if snapshot is None else len(before.nodes()) - cloud_nodes
            interconnect_plan = preview_interconnect_plan(
                settings,
                pod_vswitches_of(settings, network.vswitches),
                interconnect,
                interconnect_cluster(settings, before.objects, facts.on_prem_pod_cidrs, on_prem_nodes),
            )
            if interconnect_plan.errors:
                raise PreviewError(str(NetworkPlanError(interconnect_plan.errors)))
        report = None
        if pack is not None:
            from preview.engine.policy_harness import PolicyPackError

            try:
                report = pack.analyze_run(run, pack_config)
            except PolicyPackError as exc:
                if policy_config is None or "configuration" not in str(exc):
                    raise
                raise PreviewError(f"--policy-pack-config {policy_config}: {exc}") from None
    finally:
        if pack is not None:
            pack.stop()
    return write_artifacts(
        run, world, settings, snapshot, report, out, before, plan, cloud_snapshot, interconnect_plan
    )


def write_artifacts(
    run: ProgramRun,
    world: World,
    settings: Settings,
    snapshot: Path | None,
    report: dict[str, Any] | None,
    out: Path,
    before: FakeCluster,
    address_plan: AddressPlan | None = None,
    cloud_snapshot: Path | None = None,
    interconnect_plan: InterconnectPlan | None = None,
) -> PreviewResult:
    """``before``: the cluster as it was before the program ran (``world.cluster`` is the cluster after it)."""
    manifests = []
    schema_problems = []
    for r in artifacts.program_resources(run):
        if not artifacts.is_applied_object(r):
            continue
        obj = artifacts.manifest_of(r)
        schema_problems += validate_object(artifacts.manifest_of(r, masked=False), partial=r.type.endswith("Patch"))
        name = artifacts.manifest_filename(r)
        manifests.append(name)
        artifacts.write_text(out / "manifests" / name, artifacts.to_yaml(obj))
    if schema_problems:
        raise PreviewError(
            "rendered objects fail the Kubernetes schema:\n" + "\n".join(f"  - {p}" for p in schema_problems)
        )
    representative = snapshot is None
    # The program changes no node: one index, its classes telling apart what any workload of either state reads,
    # serves today and after the plan.
    judged_before, judged_after = (judged_workloads(state, settings) for state in (before, world.cluster))
    specs = [spec for _, spec in judged_before + judged_after]
    nodes = NodeIndex(before.nodes(), specs, settings.cloud_node_label)
    placement = with_before(
        judge_placement(world.cluster, settings, representative, nodes, judged_after),
        judge_placement(before, settings, representative, nodes, judged_before),
    )
    changes = artifacts.object_changes(run, before.objects)
    rolled = rollouts(changes.values(), before.objects, world.cluster.objects, nodes)
    placeholders = artifacts.placeholder_outputs(run, world.cloud.invented_values())
    live = str(snapshot) if snapshot is not None else None
    found = [Warning.of(message) for level, message in run.logs if level in ("warning", "error")]
    if address_plan is not None:  # the preview's plan knows more than the program's (snapshot facts)
        found = superseded(found, ["terway.podVswitches"], address_plan.warnings)
    if interconnect_plan is not None:  # as for the address plan: the preview's facts are the fuller ones
        found = superseded(found, ["interconnect"], interconnect_plan.warnings)
    warnings = [w.text for w in found]
    sources = Sources(run.stack, live, str(cloud_snapshot) if cloud_snapshot else None, settings.scenario.runs_terway)
    review = review_document(artifacts.program_resources(run))
    # Cloud nodes that run or ran an on-prem CNI keep its conflist: named only against a real snapshot.
    recycle = cloud_nodes_to_recycle(placement, before, settings.scenario) if snapshot is not None else []
    plan = artifacts.plan_document(run, changes, rolled, live, placeholders)
    plan["cloudNodesToRecycle"] = recycle
    plan["provenance"] = provenance_document(sources)
    plan["securityReview"] = review
    artifacts.write_json(out / "plan.json", plan)
    # What `pulumi stack export` would hold after an `up` of this plan: every secret an envelope, never plain.
    artifacts.write_json(out / "state.json", run.state.export())
    placement_json = placement.as_json()  # the typed judgement turns into JSON where the artifact is written
    artifacts.write_json(out / "placement.json", placement_json)
    if report is not None:
        artifacts.write_json(out / "policy-report.json", report)
    plan_md = artifacts.plan_markdown(
        run,
        settings.scenario.value,
        manifests,
        placement,
        report,
        warnings,
        changes,
        rolled,
        live,
        placeholders,
        provenance_markdown(sources),
        review_markdown(review),
        after_rollouts=recycle_markdown(recycle),
    )
    if address_plan is not None:
        plan_md += "\n" + artifacts.address_plan_section(
            address_plan, stand_ins=cloud_snapshot is None, cluster_stand_ins=snapshot is None
        )
    plan_md += artifacts.interconnect_section(interconnect_plan, settings.scenario.value)
    artifacts.write_text(out / "PLAN.md", plan_md)

    mandatory = [v for v in (report or {}).get("violations", []) if v["level"] == "mandatory"]
    failed = bool(mandatory) or not placement.ok
    lines = [artifacts.resource_tree(run, changes), ""]
    lines += [
        f"rollout: {r.ref}: {r.nodes} {'node' if r.kind == 'DaemonSet' else 'replica'}(s), {r.strategy}, "
        f"because of {r.reason}"
        for r in rolled
    ]
    if address_plan is not None:
        stand_in = "" if cloud_snapshot else " (stand-in)"
        lines += [f"address plan: {line}{stand_in}" for line in address_plan.capacity_lines()]
    lines += [f"notice: {notice}" for notice in console_notices(sources)]
    lines += interconnect_console_lines(interconnect_plan, settings)
    lines += [f"warning: {w}" for w in warnings + recycle_warnings(recycle)]
    lines += [f"placement: {p}" for p in grouped(placement.problems)]
    lines += [f"policy {v['policy']} ({v['level']}): {v['message']}" for v in (report or {}).get("violations", [])]
    verdict = "FAILED" if failed else "ok"
    lines.append(f"{verdict}: {run.stack} ({settings.scenario.value}); artifacts in {out}")
    return PreviewResult(EXIT_FAILED if failed else EXIT_OK, "\n".join(lines), run, world, placement_json, report)
