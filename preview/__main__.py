"""Offline preview: ``python -m preview --stack dev [--snapshot cluster.yaml] [--cloud-snapshot cloud.json]``.

Runs the real program against a fake Alibaba Cloud and a fake cluster, writes the plan, the Kubernetes objects
it sends, the node placement and the policy report, and exits 0 (fine), 1 (a mandatory policy violation or a
placement failure) or 2 (invalid configuration, stack file, snapshot or cloud snapshot, or an address plan that
does not fit the cloud and the cluster).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from preview.run import EXIT_INVALID, PreviewError, preview

ROOT = Path(__file__).resolve().parent.parent


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; say what is valid
        self.print_usage(sys.stderr)
        print(f"preview: error: {message}", file=sys.stderr)
        sys.exit(EXIT_INVALID)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="python -m preview", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument(
        "-C",
        "--cwd",
        type=Path,
        default=ROOT,
        help="project directory holding Pulumi.<stack>.yaml, as pulumi's --cwd (default: this project)",
    )
    parser.add_argument(
        "--snapshot",
        type=Path,
        help="output of `kubectl get nodes,daemonsets,deployments,statefulsets,configmaps -A -o json` (or -o yaml; "
        "a List or several documents)",
    )
    parser.add_argument(
        "--cloud-snapshot",
        type=Path,
        help="the region's DescribeVSwitches, DescribeSecurityGroups and DescribeVpcs responses as the aliyun CLI "
        "prints them, in one JSON (or YAML) object keyed by action name; checks the address plan against them",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="artifact directory; the stack's files go to <out>/<stack>/ (default: <cwd>/build/preview)",
    )
    parser.add_argument("--no-policy", action="store_true", help="skip the policy pack (placement is still judged)")
    parser.add_argument(
        "--policy-pack-config",
        type=Path,
        help="the policy pack's configuration, the JSON file `pulumi preview --policy-pack-config` takes",
    )
    args = parser.parse_args(argv)
    if args.snapshot is not None and not args.snapshot.is_file():
        parser.error(f"--snapshot {args.snapshot}: no such file")
    if args.cloud_snapshot is not None and not args.cloud_snapshot.is_file():
        parser.error(f"--cloud-snapshot {args.cloud_snapshot}: no such file")
    if args.policy_pack_config is not None and not args.policy_pack_config.is_file():
        parser.error(f"--policy-pack-config {args.policy_pack_config}: no such file")
    if not args.cwd.is_dir():
        parser.error(f"--cwd {args.cwd}: no such directory")
    out = (args.out or args.cwd / "build" / "preview") / args.stack
    try:
        result = preview(
            args.cwd,
            args.stack,
            args.snapshot,
            out,
            policy=not args.no_policy,
            cloud_snapshot=args.cloud_snapshot,
            policy_config=args.policy_pack_config,
        )
    except PreviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(result.summary)
    return result.exit_code


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Every artifact is written and closed and the policy pack is stopped: skip the interpreter's teardown of
    # the provider SDKs' many thousands of classes, which takes about a third of an offline preview.
    os._exit(status)
