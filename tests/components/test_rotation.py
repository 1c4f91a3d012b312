"""Zero-downtime key rotation (docs/operations.md runbook) as three program runs against one fake cloud."""

from __future__ import annotations

import base64
import json

import pytest

from hybrid_terway.core.settings import SettingsError
from preview.engine.program import ProgramRun, World
from preview.engine.wire import unwrap
from preview.world.fake_cloud import CloudError
from tests.conftest import one, run_stack, stack_config

KEY = "alicloud:ram/accessKey:AccessKey"


def step(world: World | None, **credentials: object) -> tuple[ProgramRun, World]:
    return run_stack(stack_config("dev", credentials=json.dumps(credentials)), world)


def delivered(run: ProgramRun) -> str:
    return unwrap(one(run, "kubernetes:core/v1:Secret").inputs["stringData"])["access-key-id"]


def assert_delivered_key_is_live(run: ProgramRun, world: World) -> None:
    keys = {k.id: k.state for k in world.cloud.of_type(KEY)}
    kid = delivered(run)
    assert kid in keys, "the Secret points at a key RAM no longer has"
    assert keys[kid]["status"] == "Active"
    # The provider's Check turns stringData into base64 data (clients/unstructured.go normalizeSecret).
    data = world.cluster.get("Secret", "kube-system", "alibaba-addon-secret")["data"]
    assert base64.b64decode(data["access-key-id"]).decode() == kid


def restart_token(run: ProgramRun) -> str:
    spec = unwrap(one(run, "kubernetes:apps/v1:DaemonSetPatch", "terway-daemonset").inputs)["spec"]
    return spec["template"]["metadata"]["annotations"]["hybrid-terway/config-hash"]


def test_three_step_rotation_never_leaves_terway_without_a_live_key() -> None:
    run0, world = step(None, keySlots=["a"], activeKey="a")
    user = unwrap(one(run0, "alicloud:ram/user:User").inputs)["name"]
    key_a = delivered(run0)
    assert_delivered_key_is_live(run0, world)

    # 1. add slot b: both keys exist, Terway still on a, so its pods are not restarted
    run1, world = step(world, keySlots=["a", "b"], activeKey="a")
    assert len(world.cloud.access_keys(user)) == 2
    assert delivered(run1) == key_a
    assert restart_token(run1) == restart_token(run0)
    assert_delivered_key_is_live(run1, world)

    # 2. switch to b: the Secret changes and Terway rolls; a still exists for pods not yet restarted
    run2, world = step(world, keySlots=["a", "b"], activeKey="b")
    key_b = delivered(run2)
    assert key_b != key_a
    assert {k.id for k in world.cloud.access_keys(user)} == {key_a, key_b}
    assert restart_token(run2) != restart_token(run1)
    assert_delivered_key_is_live(run2, world)

    # 3. drop slot a: the old key is deleted, b stays
    run3, world = step(world, keySlots=["b"], activeKey="b")
    assert {k.id for k in world.cloud.access_keys(user)} == {key_b}
    assert delivered(run3) == key_b
    assert restart_token(run3) == restart_token(run2)
    assert_delivered_key_is_live(run3, world)


def test_ram_refuses_a_third_key() -> None:
    run, world = step(None, keySlots=["a", "b"], activeKey="a")
    user = unwrap(one(run, "alicloud:ram/user:User").inputs)["name"]
    with pytest.raises(CloudError, match=r"LimitExceeded\.User\.AccessKey"):
        world.cloud.register(
            "urn:pulumi:dev::hybrid-terway::alicloud:ram/accessKey:AccessKey::third", KEY, {"userName": user}
        )


def test_switching_to_a_slot_that_is_not_there_is_a_config_error() -> None:
    with pytest.raises(SettingsError, match="activeKey 'b' must be one of keySlots"):
        step(None, keySlots=["a"], activeKey="b")
