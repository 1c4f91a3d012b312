"""What a plain ``pulumi up`` / ``pulumi preview`` (no ``--refresh``) cannot hide or repair, shown on a sequence:
the provider's update for a kubeconfig fetched anew (plan.json and PLAN.md say so, a stable kubeconfig is
``same``), and a rewritten ``alibaba-addon-secret``, which only a refresh notices (docs/running-up.md).
"""

from __future__ import annotations

import copy
import json

from hybrid_terway.core import constants
from preview.engine.program import ProgramRun, World, run_program, unwrap
from preview.report import engine_report
from preview.stack_config import StackConfig
from tests.conftest import stack_config
from tests.preview.engine.test_sequences import (
    KUBECONFIG,
    KUBECTL_EDIT,
    SECRET,
    SECRET_RESOURCE,
    changed,
    installed,
    kubectl_secret,
)

PROVIDER = "pulumi:providers:kubernetes"


def preview(world: World, stack: StackConfig) -> ProgramRun:
    return run_program(stack.values, stack.secret_keys, stack.stack, world, dry_run=True)


def provider_entry(run: ProgramRun) -> dict[str, object]:
    registration = next(r for r in run.registrations if r.type == PROVIDER)
    return engine_report.resource_entry(run, registration)


def test_a_fetched_kubeconfig_shows_as_the_providers_update_in_plan_json_and_plan_md() -> None:
    """DiffConfig diffs every provider input (provider.go: olds.Diff(news)); the engine counts an explicit
    provider's update (pkg/engine/update.go HasChanges, isInternalStep): `--expect-no-changes` fails."""
    seq, _ = installed()
    fetched = stack_config("dev")  # no hybrid-terway:kubeconfig: fetched from ACK, new on every run
    seq.up(fetched)
    run = preview(seq.world, fetched)
    assert [(s.type, s.op, s.diffs) for s in run.changed] == [(PROVIDER, "update", ("kubeconfig",))]
    entry = provider_entry(run)
    assert entry["step"] == "update" and entry["stepDiffs"] == ["kubeconfig"]
    assert engine_report.plan_entries(run)["expectNoChanges"] is False
    plan_md = "\n".join(engine_report.markdown(run))
    assert "`pulumi preview --expect-no-changes` would fail: 1 step(s) change something." in plan_md
    assert f"- update of `hybrid-cluster` (`{PROVIDER}`): `kubeconfig`" in plan_md
    registration = next(r for r in run.registrations if r.type == PROVIDER)
    token = json.loads(unwrap(registration.inputs)["kubeconfig"])["users"][0]["user"]["token"]
    assert len(token) >= 32 and token not in plan_md, "only the key's name is shown, never the credential"


def test_a_stable_kubeconfig_keeps_the_provider_same_and_expect_no_changes_holds() -> None:
    seq, stack = installed()
    assert stack.values[f"{constants.PROJECT}:kubeconfig"] == KUBECONFIG
    run = preview(seq.world, stack)
    assert run.changed == []
    assert provider_entry(run)["step"] == "same"
    assert engine_report.plan_entries(run)["expectNoChanges"] is True
    plan_md = "\n".join(engine_report.markdown(run))
    assert "`pulumi preview --expect-no-changes` holds: every step is same or read." in plan_md


def test_a_rewritten_secret_is_left_as_it_is_by_a_plain_up() -> None:
    """provider.go Diff compares the stack's key with the state, not with the live Secret, and the program cannot
    read a Secret that may not exist: a plain `up` changes nothing, and the other key stays (`pulumi up --refresh`
    is what corrects it; the offline engine does not model refresh)."""
    seq, stack = installed()
    ours = copy.deepcopy(seq.obj(SECRET)["data"])
    rewritten = copy.deepcopy(seq.obj(SECRET))
    rewritten["data"] = kubectl_secret()["data"]
    seq.world.cluster.update(rewritten, manager=KUBECTL_EDIT)
    run = seq.up(stack)
    assert SECRET_RESOURCE not in changed(run) and run.changed == []
    assert seq.obj(SECRET)["data"] == kubectl_secret()["data"] != ours
