"""Terway on the cloud nodes: the addon, its ``eni_conf``, its credentials and its placement.

The rendering (``render_eni_conf``, ``restart_token``, the patch bodies) is pure; ``TerwayNetwork`` only wires
the results into resources in the order Terway needs them.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from hybrid_terway.checks import after_checks
from hybrid_terway.core import constants, drift, terway_model
from hybrid_terway.core.objects import value_at
from hybrid_terway.core.settings import TerwaySettings
from hybrid_terway.core.waits import RolloutWait, rollout_wait
from hybrid_terway.live import read_live


@dataclass(frozen=True)
class Credentials:
    """The key Terway uses. ``secret`` is plain only inside an apply; it never leaves one unwrapped."""

    access_key_id: str
    secret: str


class EniConfError(pulumi.RunError):
    """The live ``eni_conf`` cannot be merged (not a JSON object): the run stops instead of replacing it."""


def owned_eni_conf(terway: TerwaySettings, credentials: Credentials | None) -> dict[str, Any]:
    """The keys of ``eni_conf`` this program owns (``terway_model.OWNED_KEYS``), rendered from the settings.

    ``credentials`` is given only when they are kept in the ConfigMap (``store: configmap``); otherwise the
    access keys are empty and Terway takes its key from ``kube-system/alibaba-addon-secret``. An owned key left
    out here (``security_group`` or ``security_groups``) is removed from the live ``eni_conf``.
    """
    tm = terway_model
    conf: dict[str, Any] = {
        tm.VSWITCHES: {zone: list(ids) for zone, ids in sorted(terway.pod_vswitches.items())},
        tm.VSWITCH_SELECTION_POLICY: terway.vswitch_selection_policy,
        tm.SERVICE_CIDR: terway.service_cidr,
        tm.MAX_POOL_SIZE: terway.max_pool_size,
        tm.MIN_POOL_SIZE: terway.min_pool_size,
        tm.IP_STACK: terway.ip_stack,
        tm.ACCESS_KEY: credentials.access_key_id if credentials else "",
        tm.ACCESS_SECRET: credentials.secret if credentials else "",
    }
    groups = list(terway.security_group_ids)
    if len(groups) == 1:
        conf[tm.SECURITY_GROUP] = groups[0]
    else:
        conf[tm.SECURITY_GROUPS] = groups
    return conf


def parse_live_eni_conf(text: object) -> dict[str, Any]:
    """The live ``eni_conf`` as a dict (``{}`` when the key is absent or empty), or EniConfError.

    The error never quotes the value: it may hold an AccessKey secret.
    """
    where = f"ConfigMap {constants.TERWAY_NAMESPACE}/{constants.ENI_CONFIG_MAP} data.{constants.ENI_CONF_KEY}"
    if text is None or text == "":
        return {}
    if not isinstance(text, str):
        raise EniConfError(f"{where} must be JSON text")
    try:
        return terway_model.parse_json_object(text)
    except ValueError as exc:
        raise EniConfError(
            f"{where} {exc}: this program merges its keys into the live eni_conf and never replaces it; fix it "
            f"(kubectl -n {constants.TERWAY_NAMESPACE} edit configmap {constants.ENI_CONFIG_MAP}) and run again"
        ) from None


@dataclass(frozen=True)
class MergedEniConf:
    conf: dict[str, Any]
    kept: tuple[str, ...]
    """Keys of the live eni_conf this program does not own, kept with their values."""
    blanked: tuple[str, ...]
    """Credential keys that held a value in the live eni_conf and are now empty (``store: secret``)."""


def merge_eni_conf(live: Mapping[str, Any], owned: Mapping[str, Any], cluster_id: str) -> MergedEniConf:
    """The live ``eni_conf`` with the owned keys set: every other key keeps its value.

    ``eni_tags`` is shared: only its ``ack.aliyun.com`` entry is this program's, other tags stay.
    """
    tm = terway_model
    conf = {k: copy.deepcopy(v) for k, v in live.items() if k not in tm.OWNED_KEYS}
    tags = live.get(tm.ENI_TAGS)
    conf[tm.ENI_TAGS] = {**(tags if isinstance(tags, dict) else {}), tm.ENI_TAG_CLUSTER: cluster_id}
    conf.update(copy.deepcopy(dict(owned)))
    kept = tuple(sorted(k for k in live if k not in tm.OWNED_KEYS and k != tm.ENI_TAGS))
    blanked = tuple(k for k in tm.CREDENTIAL_KEYS if isinstance(live.get(k), str) and live[k] and owned.get(k) == "")
    return MergedEniConf(conf, kept, blanked)


def render_eni_conf(conf: Mapping[str, Any]) -> str:
    """An ``eni_conf`` as canonical JSON (sorted keys, two-space indent, final newline)."""
    return json.dumps(conf, indent=2, sort_keys=True) + "\n"


def without_secret(conf: Mapping[str, Any]) -> dict[str, Any]:
    """``conf`` with ``access_secret`` emptied: what may be hashed, logged or shown."""
    out = dict(conf)
    if out.get(terway_model.ACCESS_SECRET):
        out[terway_model.ACCESS_SECRET] = ""
    return out


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def restart_token(
    merged: Mapping[str, Any],
    access_key_id: str,
    live: Mapping[str, Any] | None = None,
    live_token: str | None = None,
) -> str:
    """Pod-template annotation value for terway-eniip: changes exactly when what Terway reads changes.

    ``base`` hashes the merged ``eni_conf`` (secret left out) and the active key *id*. When the live ``eni_conf``
    differs from the merged one, this run changes what Terway reads (a settings change, or a hand edit being
    reverted, even one Terway was restarted with since): the token is ``base.<hash of the live token and the live
    eni_conf>``, which differs from the live token, the one that rolled the pods last time, even when the live
    eni_conf is one an earlier run already reverted. Once converged (live equals merged) a token that already
    starts with ``base`` is kept, so a further run changes nothing.
    """
    base = _digest(f"{render_eni_conf(without_secret(merged))}\0{access_key_id}", 16)
    if live is not None and dict(live) != dict(merged):
        previous = live_token or ""
        return f"{base}.{_digest(previous + chr(0) + render_eni_conf(without_secret(live)), 8)}"
    if live_token and live_token.startswith(base):
        return live_token
    return base


def addon_config(terway: TerwaySettings) -> str:
    """The addon configuration the console sends for the IPvlan choice.

    Always explicit, "false" included: the addon merges its config server side, so leaving the key out would
    never turn IPvlan off again.
    """
    return json.dumps({"IPVlan": "true" if terway.ipvlan else "false"}, sort_keys=True)


def patch_annotations() -> dict[str, str]:
    """Pinned field manager for patches of objects this program does not own (so re-runs own the same fields)."""
    return {constants.PATCH_FIELD_MANAGER_ANNOTATION: constants.FIELD_MANAGER}


def eni_config_annotations(version: str | None, marker: pulumi.Input[str]) -> dict[str, Any]:
    """The eni-config patch's annotations."""
    return {
        **patch_annotations(),
        # Force: the addon's field manager owns data.eni_conf (it wrote the ConfigMap), and the merged text differs
        # from the addon's, if only by being re-rendered: without force every `up` is a server-side-apply conflict
        # (pulumi-kubernetes await.go patchForce), and Terway's patch, which waits for this one, never runs. Only
        # eni_conf is taken; 10-terway.conf stays the addon's.
        constants.PATCH_FORCE_ANNOTATION: "true",
        # New when the live eni_conf drifted from the merge (a hand edit, an addon upgrade): the provider diffs
        # against the last inputs, so without it a revert would never be sent.
        constants.DRIFT_ANNOTATION: marker,
        # The pinned version tells a policy pack which Terway reads this eni_conf (and its limits).
        **({constants.TERWAY_VERSION_ANNOTATION: version} if version else {}),
    }


def terway_node_selector(cloud_node_label: str, daemonset: Mapping[str, Any] | None) -> dict[str, str]:
    """Terway's node selector: the live one with the cloud-node label set.

    ``PodSpec.nodeSelector`` is an atomic map (``+mapType=atomic`` in k8s.io/api core/v1 types.go; the OpenAPI's
    ``x-kubernetes-map-type: atomic``): an apply replaces it whole, so every key the addon set there is sent back
    with it, or the apply would remove it."""
    key, value = constants.split_label(cloud_node_label)
    live = value_at(daemonset, ("spec", "template", "spec", "nodeSelector"))
    kept = {k: v for k, v in live.items() if isinstance(v, str)} if isinstance(live, Mapping) else {}
    return {**kept, key: value}


def terway_placement_spec(node_selector: pulumi.Input[Mapping[str, str]], token: pulumi.Input[str]) -> dict[str, Any]:
    """The DaemonSet patch body: Terway only on cloud nodes (``terway_node_selector``), and a template annotation
    that rolls its pods."""
    return {
        "template": {
            "metadata": {"annotations": {constants.RESTART_ANNOTATION: token}},
            "spec": {"nodeSelector": node_selector},
        }
    }


@dataclass(frozen=True)
class TerwayRender:
    """What the eni-config patch and Terway's DaemonSet patch send this run, computed from the live objects."""

    eni_conf: str
    eni_config_marker: str
    eni_config_converged: bool
    token: str
    daemonset_marker: str
    wait: RolloutWait | None
    notice: str | None
    """What the user must do about Terway's rollout when it is not waited for and this run restarts Terway."""
    blanked: tuple[str, ...]


def eni_config_owned(config: Mapping[str, Any] | None, version: str | None) -> dict[str, Any]:
    """The fields the eni-config patch owns as ``config`` holds them: the eni_conf text and the version annotation."""
    return {
        "eni_conf": value_at(config, ("data", constants.ENI_CONF_KEY)),
        "version": value_at(config, ("metadata", "annotations", constants.TERWAY_VERSION_ANNOTATION))
        if version
        else None,
    }


def render_terway(
    terway: TerwaySettings,
    cluster_id: str,
    cloud_node_label: str,
    credentials: Credentials,
    in_configmap: bool,
    config: Mapping[str, Any] | None,
    daemonset: Mapping[str, Any] | None,
) -> TerwayRender:
    """The merged eni_conf, the restart token, the drift markers (``hybrid_terway.core.drift``) and Terway's rollout
    wait (``hybrid_terway.core.waits``), from the live ``eni-config`` and ``terway-eniip``."""
    live = parse_live_eni_conf(value_at(config, ("data", constants.ENI_CONF_KEY)))
    owned = owned_eni_conf(terway, credentials if in_configmap else None)
    merged = merge_eni_conf(live, owned, cluster_id)
    text = render_eni_conf(merged.conf)
    wanted = {"eni_conf": text, "version": terway.version}
    found = eni_config_owned(config, terway.version)
    eni_converged = drift.canonical(found) == drift.canonical(wanted)
    # the fingerprint of the live eni_conf leaves its secret out (it may hold the 2021 guide's plaintext key)
    eni_marker = drift.drift_marker(eni_converged, config, drift.fingerprint(without_secret(live)))

    live_token = value_at(daemonset, ("spec", "template", "metadata", "annotations", constants.RESTART_ANNOTATION))
    live_token = live_token if isinstance(live_token, str) else None
    token = restart_token(merged.conf, credentials.access_key_id, live, live_token)
    key, value = constants.split_label(cloud_node_label)
    wanted_ds = {"selector": value, "token": token}
    found_ds = {
        "selector": value_at(daemonset, ("spec", "template", "spec", "nodeSelector", key)),
        "token": live_token,
    }
    ds_converged = drift.canonical(found_ds) == drift.canonical(wanted_ds)
    ds_marker = drift.drift_marker(ds_converged, daemonset, drift.fingerprint(found_ds))
    wait = rollout_wait("DaemonSet", daemonset) if daemonset else None
    selector = value_at(daemonset, ("spec", "selector", "matchLabels"))
    restarts = token != live_token
    notice = wait.notice(selector if isinstance(selector, Mapping) else None) if wait and restarts else None
    return TerwayRender(text, eni_marker, eni_converged, token, ds_marker, wait, notice, merged.blanked)


def daemonset_wait_annotations(render: TerwayRender) -> dict[str, str]:
    """Terway's await annotations; before the addon has created terway-eniip (a first install), the default wait
    within the bound: the addon's fresh DaemonSet has nothing to roll yet."""
    if render.wait is not None:
        return render.wait.annotations()
    return {
        constants.SKIP_AWAIT_ANNOTATION: "false",
        constants.TIMEOUT_SECONDS_ANNOTATION: str(constants.DEFAULT_ROLLOUT_WAIT_SECONDS),
    }


@dataclass(frozen=True)
class TerwayNetworkArgs:
    cluster_id: str
    terway: TerwaySettings
    store: str  # "secret" | "configmap"
    cloud_node_label: str
    access_key_id: pulumi.Input[str]
    access_key_secret: pulumi.Input[str]
    provider: k8s.Provider
    after: Sequence[pulumi.Resource] = ()
    """What must be in place before the addon goes in (the on-prem isolation, in bgp)."""
    gate: pulumi.Output[Any] | None = None
    """Resolves only when the address plan's checks pass; the addon and everything sent to the cluster wait for it."""


class TerwayNetwork(pulumi.ComponentResource):
    """Installs terway-eniip, configures ``eni_conf`` and credentials, pins Terway to cloud nodes and restarts it."""

    def __init__(self, name: str, args: TerwayNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hybrid-terway:terway:TerwayNetwork", name, None, opts)
        k8s_child = pulumi.ResourceOptions(parent=self, provider=args.provider)
        terway = args.terway

        self.addon = alicloud.cs.KubernetesAddon(
            f"{name}-addon",
            name=constants.TERWAY_ADDON,  # always explicit: the addon is looked up by name
            cluster_id=args.cluster_id,
            version=terway.version,
            config=addon_config(terway),
            opts=pulumi.ResourceOptions(parent=self, depends_on=after_checks(args.gate, args.after)),
        )

        key_id = pulumi.Output.from_input(args.access_key_id)
        secret = pulumi.Output.secret(args.access_key_secret)
        in_configmap = args.store == "configmap"
        if in_configmap:
            pulumi.log.warn(
                "credentials.store is 'configmap': the AccessKey secret sits in plain text in ConfigMap "
                "kube-system/eni-config, readable by anyone who can read ConfigMaps there; prefer store 'secret'",
                self,
            )

        # What Terway reads now. The addon creates eni-config and terway-eniip, so both reads wait for it: on a
        # first install the addon's id is unknown during preview, the engine skips a read whose id is unknown
        # and everything computed from it (the merged eni_conf, the restart token) shows as unknown until `up`.
        live_config = read_live(
            f"{name}-eni-config-live",
            "core/v1",
            "ConfigMap",
            self.addon.id.apply(lambda _: f"{constants.TERWAY_NAMESPACE}/{constants.ENI_CONFIG_MAP}"),
            ("metadata", "data"),
            # The live eni_conf may hold a plaintext AccessKey (store: configmap; the 2021 guide's keys). A read's
            # state is the whole live object plus `__inputs`, the live object again as inputs (pulumi-kubernetes
            # provider.go Read, checkpointObject), and the engine makes only top-level output keys secret
            # (pulumi/pulumi step_executor.go): so every top-level key that can hold it is secret, `__inputs`
            # and `metadata` (kubectl's last-applied annotation repeats data) included.
            pulumi.ResourceOptions.merge(
                k8s_child,
                pulumi.ResourceOptions(additional_secret_outputs=["data", "binaryData", "metadata", "__inputs"]),
            ),
        )
        live_daemonset = read_live(
            f"{name}-daemonset-live",
            "apps/v1",
            "DaemonSet",
            self.addon.id.apply(lambda _: f"{constants.TERWAY_NAMESPACE}/{constants.TERWAY_DAEMONSET}"),
            ("metadata", "spec"),
            k8s_child,
            ("status",),
        )

        def render(values: list[Any]) -> TerwayRender:
            live_obj, daemonset, kid, key_secret = values
            rendered = render_terway(
                terway,
                args.cluster_id,
                args.cloud_node_label,
                Credentials(kid, key_secret),
                in_configmap,
                live_obj or None,
                daemonset or None,
            )
            if rendered.blanked:
                pulumi.log.warn(
                    f"ConfigMap {constants.TERWAY_NAMESPACE}/{constants.ENI_CONFIG_MAP} held a plaintext "
                    f"{' and '.join(rendered.blanked)} in eni_conf: blanked (credentials.store is 'secret': Terway "
                    f"takes its key from Secret {constants.TERWAY_NAMESPACE}/{constants.ADDON_SECRET})",
                    self,
                )
            if rendered.notice:
                pulumi.log.warn(rendered.notice, self)
            return rendered

        rendered = pulumi.Output.all(live_config, live_daemonset, key_id, secret).apply(render)
        eni_conf_value: pulumi.Input[str]
        if in_configmap:
            # The whole eni_conf value carries the secret, so the whole value is a Pulumi secret.
            eni_conf_value = pulumi.Output.secret(rendered.apply(lambda r: r.eni_conf))
        else:
            # Only the live object's data was secret (it may have held a key, now blanked): the merge holds none.
            eni_conf_value = pulumi.Output.unsecret(rendered.apply(lambda r: r.eni_conf))
        # The token and the markers are digests with the secret left out: not secret.
        token = pulumi.Output.unsecret(rendered.apply(lambda r: r.token))
        eni_marker = pulumi.Output.unsecret(rendered.apply(lambda r: r.eni_config_marker))
        ds_marker = pulumi.Output.unsecret(rendered.apply(lambda r: r.daemonset_marker))
        ds_waits = pulumi.Output.unsecret(rendered.apply(daemonset_wait_annotations))
        # Known even when the DaemonSet read is skipped (a first-install preview: the addon has yet to create it),
        # so the placement can still be judged; at `up` the read has run and the addon's keys are kept.
        node_selector = live_daemonset.apply(
            lambda daemonset: terway_node_selector(args.cloud_node_label, daemonset), run_with_unknowns=True
        )

        # The addon creates eni-config; this patch owns only the eni_conf key (10-terway.conf stays the addon's),
        # and its value is the live eni_conf with only the owned keys set.
        # retain_on_delete: relinquishing the field on destroy would erase eni_conf and break Terway.
        self.eni_config = k8s.core.v1.ConfigMapPatch(
            f"{name}-eni-config",
            metadata={
                "name": constants.ENI_CONFIG_MAP,
                "namespace": constants.TERWAY_NAMESPACE,
                "annotations": eni_config_annotations(terway.version, eni_marker),
            },
            data={constants.ENI_CONF_KEY: eni_conf_value},
            opts=pulumi.ResourceOptions.merge(
                k8s_child,
                pulumi.ResourceOptions(
                    depends_on=after_checks(args.gate, [self.addon]),
                    retain_on_delete=True,
                    # with store: configmap the output data holds the key, and so does `__inputs` (the provider's
                    # copy of the inputs in its state), and kubectl's last-applied annotation (metadata) may hold an
                    # earlier one: all stay secret in state, whole (the engine marks top-level keys only)
                    additional_secret_outputs=["data", "metadata", "__inputs"],
                ),
            ),
        )

        restart_inputs: list[pulumi.CustomResource] = [self.eni_config]
        self.addon_secret: k8s.core.v1.Secret | None = None
        if not in_configmap:
            # Terway prefers this Secret over eni_conf; it is read raw, so no trailing newline.
            # The Secret may exist already (every addon of a registered cluster may read it): the provider
            # upserts it, and retain_on_delete keeps it for those addons when this stack is destroyed.
            self.addon_secret = k8s.core.v1.Secret(
                f"{name}-credentials",
                metadata={
                    "name": constants.ADDON_SECRET,
                    "namespace": constants.TERWAY_NAMESPACE,
                    # Force: the Secret may exist already, made with kubectl or by another addon, whose manager
                    # owns its data keys; the provider rewrites stringData into data before it applies
                    # (clients/unstructured.go), and the upsert of an existing object takes another manager's
                    # fields only when forced (await.go patchForce). Terway's key must win there.
                    "annotations": {**patch_annotations(), constants.PATCH_FORCE_ANNOTATION: "true"},
                },
                type="Opaque",
                string_data={
                    constants.ADDON_SECRET_ID_KEY: key_id,
                    constants.ADDON_SECRET_SECRET_KEY: secret,
                },
                opts=pulumi.ResourceOptions.merge(
                    k8s_child,
                    pulumi.ResourceOptions(
                        depends_on=after_checks(args.gate, [self.addon]),
                        retain_on_delete=True,
                        # the SDK marks data and stringData; `__inputs` repeats stringData in the state
                        additional_secret_outputs=["__inputs"],
                    ),
                ),
            )
            restart_inputs.append(self.addon_secret)

        # Terway reads its configuration once at start: a new template annotation rolls its pods after the
        # config and the credentials are in place, and only when one of them changed.
        self.placement = k8s.apps.v1.DaemonSetPatch(
            f"{name}-daemonset",
            metadata={
                "name": constants.TERWAY_DAEMONSET,
                "namespace": constants.TERWAY_NAMESPACE,
                "annotations": {
                    **patch_annotations(),
                    # Force: the addon's manager owns the DaemonSet it rendered, its nodeSelector included.
                    constants.PATCH_FORCE_ANNOTATION: "true",
                    # New when the live nodeSelector or restart annotation drifted (an addon upgrade resets them).
                    constants.DRIFT_ANNOTATION: ds_marker,
                    # The wait for the restart's rollout, sized from the live DaemonSet and bounded below the
                    # kubeconfig's lifetime; skipped for OnDelete and for a rollout longer than the bound.
                    constants.SKIP_AWAIT_ANNOTATION: ds_waits.apply(lambda w: w[constants.SKIP_AWAIT_ANNOTATION]),
                    constants.TIMEOUT_SECONDS_ANNOTATION: ds_waits.apply(
                        lambda w: w[constants.TIMEOUT_SECONDS_ANNOTATION]
                    ),
                },
            },
            spec=terway_placement_spec(node_selector, token),
            opts=pulumi.ResourceOptions.merge(
                k8s_child,
                pulumi.ResourceOptions(depends_on=after_checks(args.gate, restart_inputs), retain_on_delete=True),
            ),
        )
        self.configuration: list[pulumi.CustomResource] = [*restart_inputs, self.placement]
        """Everything Terway reads, and its restart: what a cloud node needs before it joins."""
        self.register_outputs({"addonId": self.addon.id, "restartToken": token})
