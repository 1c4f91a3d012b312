"""What the engine did in a run, for plan.json and PLAN.md: each resource's step and options, the conflicts a forced
apply took over, and the provider's waits for rollouts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from preview.engine.awaits import format_seconds
from preview.engine.deploy import Conflict
from preview.engine.program import ProgramRun, Registration


def resource_entry(run: ProgramRun, r: Registration) -> dict[str, Any]:
    """plan.json's engine view of one resource: its step (``create``, ``update``, ``replace``, ``same``, ``read``)
    and the options the engine receives with it."""
    step = run.step_of(r.urn)
    entry: dict[str, Any] = {"options": r.options.as_dict()}
    if step is not None:
        entry["step"] = step.op
        if step.diffs:
            entry["stepDiffs"] = list(step.diffs)
        if step.replaces:
            entry["stepReplaces"] = list(step.replaces)
    return entry


def plan_entries(run: ProgramRun) -> dict[str, Any]:
    """plan.json's top-level engine keys: the deletes, the waits and the conflicts."""
    registered = {r.urn for r in run.registrations}
    return {
        "deletes": [s.as_dict() for s in run.steps if s.op == "delete" and s.urn not in registered],
        "waits": [w.as_dict() for w in run.waits],
        "conflicts": [_conflict(c) for c in run.conflicts],
        "expectNoChanges": not run.changed,
    }


def _conflict(c: Conflict) -> dict[str, Any]:
    return {
        "urn": c.urn,
        "object": c.ref,
        "field": c.path,
        "manager": c.manager,
        "otherManager": c.other,
        "forced": c.forced,
    }


def markdown(run: ProgramRun) -> list[str]:
    """PLAN.md's section on what ``pulumi up`` does: the steps, each conflict a force resolves (the field, the other
    manager), each wait (how long, what for)."""
    counts: dict[str, int] = {}
    for s in run.steps:
        counts[s.op] = counts.get(s.op, 0) + 1
    summary = ", ".join(
        f"{counts[op]} {op}" for op in ("create", "update", "replace", "delete", "same", "read") if op in counts
    )
    out = ["## What `pulumi up` does", "", f"Steps against the stack's state: {summary or 'none'}."]
    if run.changed:
        # pulumi/pulumi pkg/engine/update.go HasChanges: every step but same and read counts, an explicit
        # provider's update too (only a default provider's steps are internal: isInternalStep).
        out.append(f"`pulumi preview --expect-no-changes` would fail: {len(run.changed)} step(s) change something.")
        # each change of something that exists, with its changed keys (the creates are counted above), in URN
        # order: registration order varies run to run
        changes = sorted((s for s in run.changed if s.op != "create"), key=lambda step: step.urn)
        if changes:
            out.append("")
        for s in changes:
            keys = f": {', '.join(f'`{d}`' for d in s.diffs)}" if s.diffs else ""
            out.append(f"- {s.op} of `{s.urn.rsplit('::', 1)[-1]}` (`{s.type}`){keys}")
    else:
        out.append("`pulumi preview --expect-no-changes` holds: every step is same or read.")
    out.append("")
    out += _conflict_lines(run.conflicts)
    out += _wait_lines(run)
    return out


def _conflict_lines(conflicts: Sequence[Conflict]) -> list[str]:
    out = ["### Fields taken from another manager", ""]
    if not conflicts:
        return [*out, "No apply conflicts with another field manager.", ""]
    out += ["| object | field | other manager | applied by | resolved |", "|---|---|---|---|---|"]
    for c in conflicts:
        verdict = "forced (`pulumi.com/patchForce`)" if c.forced else "**conflict: the apply fails**"
        out.append(f"| {c.ref} | `{c.path}` | `{c.other}` | `{c.manager}` | {verdict} |")
    return [*out, ""]


def _wait_lines(run: ProgramRun) -> list[str]:
    out = ["### Waits for rollouts", ""]
    if not run.waits:
        return [*out, "The provider waits for no rollout.", ""]
    out += ["| object | waits for | up to | outcome |", "|---|---|---|---|"]
    for w in run.waits:
        if w.skipped:
            out.append(f'| {w.ref} | nothing (`pulumi.com/skipAwait: "true"`) | - | not awaited |')
            continue
        if w.error is not None:
            out.append(f"| {w.ref} | - | - | **fails**: {w.error} |")
            continue
        what = w.rollout.describe() if w.rollout is not None else "a rollout already under way"
        outcome = (
            f"done after {format_seconds(w.waited)}"
            if w.completed
            else f"**times out** after {format_seconds(w.waited)}"
        )
        if w.condition is not None:
            # the generic awaiter: the object's own conditions, set by the controller that rolls its pods
            rolled = f"; {w.rolled} rolls: {what}" if w.rolled else ""
            what = f"`pulumi.com/waitFor: {w.condition}` at the object's generation{rolled}"
        else:
            what = f"the rollout: {what}"
        out.append(f"| {w.ref} | {what} | {format_seconds(w.timeout)} | {outcome} |")
    return [*out, ""]
