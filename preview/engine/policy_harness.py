"""Runs the policy pack as its own process and drives it over ``pulumirpc.Analyzer``, as the Pulumi engine does
(docs/policy-pack.md, "As the engine drives it": the start-up, the calls in order, what each is sent).

pulumi/pulumi (1b5949891b) ``pkg/resource/plugin/analyzer_plugin.go`` (start-up, ``MarshalOptions`` of each call,
the version from ``PulumiPolicy.yaml``), ``pkg/resource/deploy/step_generator.go`` (``Remediate`` then ``Analyze``
per registration, ``AnalyzeResources``: ``AnalyzeStack`` with outputs), ``pkg/resource/analyzer/config.go`` (the
configuration).
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from hybrid_terway.core import constants
from preview.engine import wire
from preview.engine.plugin import Plugin, plugin_environment
from preview.safe_yaml import YamlInputError, load_documents, read_input

if TYPE_CHECKING:
    from preview.engine.program import ProgramRun, Registration

POLICY_DIR: Final = Path(__file__).resolve().parents[2] / "policy"
PACKAGE_DIR: Final = Path(__file__).resolve().parents[2] / "components"
"""Holds the ``hybrid_terway`` package the pack imports."""
DEFAULT_STACK: Final = "dev"
DEFAULT_ORGANIZATION: Final = "organization"

LEVELS: Final = ("advisory", "mandatory", "remediate", "disabled")
_MAX_MESSAGE: Final = 400 * 1024 * 1024
_NO_ENGINE: Final = "127.0.0.1:0"
"""The engine address passed to a pack: there is no engine here, and a Python pack never dials it."""


def make_urn(
    type_: str,
    name: str,
    *,
    project: str = constants.PROJECT,
    stack: str = DEFAULT_STACK,
    parent: str | None = None,
) -> str:
    """A URN as the engine builds it (``preview.engine.wire.new_urn``), with the stack and project defaulted."""
    return wire.new_urn(stack, project, parent or "", type_, name)


# --- resources in ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderResource:
    urn: str
    type: str
    name: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceOptions:
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool | None = None
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    custom_timeouts: tuple[float, float, float] | None = None
    """(create, update, delete) seconds."""


@dataclass(frozen=True)
class AnalyzerResource:
    """One resource of a stack as the engine shows it to a policy pack."""

    urn: str
    type: str
    name: str
    properties: dict[str, Any]
    """Inputs, in wire form: what ``Remediate``/``Analyze`` see."""
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, Any] | None = None
    """What ``AnalyzeStack`` sees (the engine sends outputs there); None: the inputs."""
    read: bool = False
    """A read (``.get``) resource: the engine never passes it to ``Remediate``/``Analyze``."""
    options: ResourceOptions = field(default_factory=ResourceOptions)
    provider: ProviderResource | None = None


def resource(
    type_: str,
    name: str,
    properties: Mapping[str, Any],
    *,
    parent: AnalyzerResource | str | None = None,
    project: str = constants.PROJECT,
    stack: str = DEFAULT_STACK,
    **fields: Any,
) -> AnalyzerResource:
    """An AnalyzerResource with its URN made from type, name and parent."""
    parent_urn = parent.urn if isinstance(parent, AnalyzerResource) else parent
    urn = make_urn(type_, name, project=project, stack=stack, parent=parent_urn)
    return AnalyzerResource(urn, type_, name, dict(properties), parent=parent_urn, **fields)


# --- results out -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    level: str
    kind: str
    """"resource" or "stack"."""
    config_schema: dict[str, Any] | None


@dataclass(frozen=True)
class AnalyzerInfo:
    name: str
    version: str
    supports_config: bool
    policies: dict[str, PolicyInfo]
    initial_config: dict[str, dict[str, Any]]
    reported_version: str = ""
    """What the pack itself answers in ``GetAnalyzerInfo`` (``version`` is what the engine uses)."""


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    urn: str
    message: str


@dataclass(frozen=True)
class Remediation:
    policy: str
    urn: str
    properties: dict[str, Any] | None
    """The new inputs (wire form), or None when the policy could not run (see ``diagnostic``)."""
    diagnostic: str


def _sort_key(v: Violation) -> tuple[str, str, str, str]:
    return (v.policy, v.urn, v.message, v.level)


@dataclass
class PolicyReport:
    policies: list[str]
    """The policies that ran (not disabled), sorted."""
    violations: list[Violation]
    remediations: list[Remediation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.policies = sorted(self.policies)
        self.violations = sorted(self.violations, key=_sort_key)

    def to_json(self) -> dict[str, Any]:
        return {"policies": list(self.policies), "violations": [asdict(v) for v in self.violations]}

    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "advisory"]

    def of(self, policy: str) -> list[Violation]:
        return [v for v in self.violations if v.policy == policy]

    def messages(self, policy: str | None = None) -> list[str]:
        return [v.message for v in self.violations if policy is None or v.policy == policy]


def mandatory(report: PolicyReport | Mapping[str, Any]) -> list[Any]:
    """The mandatory violations of a report (a PolicyReport, or its JSON form)."""
    if isinstance(report, PolicyReport):
        return report.mandatory()
    return [v for v in report.get("violations", []) if v.get("level") == "mandatory"]


class PolicyPackError(RuntimeError):
    """The pack failed to start or a call failed; the message ends with the pack's stderr."""


# --- wire conversion -----------------------------------------------------------------------------------


def _level_name(level: int) -> str:
    return analyzer_pb2.EnforcementLevel.Name(level).lower()  # type: ignore[arg-type]


def _level_value(name: str) -> int:
    return analyzer_pb2.EnforcementLevel.Value(name.upper())


def _options(resource: AnalyzerResource) -> analyzer_pb2.AnalyzerResourceOptions:
    opts = resource.options
    message = analyzer_pb2.AnalyzerResourceOptions(
        protect=opts.protect,
        ignoreChanges=list(opts.ignore_changes),
        deleteBeforeReplace=bool(opts.delete_before_replace),
        deleteBeforeReplaceDefined=opts.delete_before_replace is not None,
        additionalSecretOutputs=list(opts.additional_secret_outputs),
        aliases=list(opts.aliases),
        parent=resource.parent or "",
    )
    create, update, delete = opts.custom_timeouts or (0.0, 0.0, 0.0)
    message.customTimeouts.CopyFrom(
        analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(create=create, update=update, delete=delete)
    )
    return message


def _provider(resource: AnalyzerResource) -> analyzer_pb2.AnalyzerProviderResource | None:
    if resource.provider is None:
        return None
    provider = resource.provider
    message = analyzer_pb2.AnalyzerProviderResource(type=provider.type, urn=provider.urn, name=provider.name)
    message.properties.CopyFrom(wire.struct(provider.properties, skip_internal_keys=True))
    return message


def _analyze_request(resource: AnalyzerResource, *, remediate: bool = False) -> analyzer_pb2.AnalyzeRequest:
    request = analyzer_pb2.AnalyzeRequest(
        type=resource.type, urn=resource.urn, name=resource.name, options=_options(resource)
    )
    request.properties.CopyFrom(wire.struct(resource.properties, skip_internal_keys=not remediate))
    provider = _provider(resource)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def _stack_resource(resource: AnalyzerResource) -> analyzer_pb2.AnalyzerResource:
    message = analyzer_pb2.AnalyzerResource(
        type=resource.type,
        urn=resource.urn,
        name=resource.name,
        options=_options(resource),
        parent=resource.parent or "",
        dependencies=list(resource.dependencies),
    )
    shown = resource.outputs if resource.outputs is not None else resource.properties
    message.properties.CopyFrom(wire.struct(shown, skip_internal_keys=True))
    for key, urns in resource.property_dependencies.items():
        if urns:
            message.propertyDependencies[key].CopyFrom(analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns)))
    provider = _provider(resource)
    if provider is not None:
        message.provider.CopyFrom(provider)
    return message


# --- configuration -------------------------------------------------------------------------------------


def pack_version(policy_dir: Path) -> str | None:
    """The version in the pack's ``PulumiPolicy.yaml``, which the engine uses over the one the pack answers
    (pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go``: "The version from PulumiPolicy.yaml is used, if
    set, over the version from the diagnostic")."""
    path = policy_dir / "PulumiPolicy.yaml"
    if not path.is_file():
        return None
    try:
        documents = load_documents(read_input(path, path.name), path.name)
    except YamlInputError as exc:
        raise PolicyPackError(str(exc)) from None
    version = documents[0].get("version") if documents and isinstance(documents[0], dict) else None
    return str(version) if version is not None else None


def reconcile_config(info: AnalyzerInfo, config: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Every policy's enforcement level and settings: schema defaults, the pack's initial config, then ``config``.

    ``config`` is a policy-pack configuration as ``pulumi preview --policy-pack-config`` takes it:
    ``{"all": level}``, ``{policy: level}`` or ``{policy: {"enforcementLevel": level, setting: value, ...}}``.
    """
    result: dict[str, dict[str, Any]] = {}
    for name, policy in info.policies.items():
        defaults = {
            key: schema["default"]
            for key, schema in ((policy.config_schema or {}).get("properties") or {}).items()
            if isinstance(schema, Mapping) and "default" in schema
        }
        result[name] = {"enforcementLevel": policy.level, **defaults}
    for layer in (info.initial_config, dict(config or {})):
        _apply_config(result, layer)
    problems = _config_problems(info, result)
    if problems:
        raise PolicyPackError("invalid policy pack configuration:\n" + "\n".join(f"  - {p}" for p in problems))
    return result


def _apply_config(result: dict[str, dict[str, Any]], layer: Mapping[str, Any]) -> None:
    everything = layer.get("all")
    if everything is not None:
        level = everything.get("enforcementLevel") if isinstance(everything, Mapping) else everything
        if level is not None:
            for entry in result.values():
                entry["enforcementLevel"] = level
    for name, value in layer.items():
        if name == "all":
            continue
        if name not in result:
            close = difflib.get_close_matches(name, list(result), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise PolicyPackError(
                f"configuration names policy {name!r}, which the pack does not have; {hint}"
                f"valid: all, {', '.join(sorted(result))}"
            )
        if isinstance(value, Mapping):
            result[name].update(value)
        else:
            result[name]["enforcementLevel"] = value


def _config_problems(info: AnalyzerInfo, result: Mapping[str, Mapping[str, Any]]) -> list[str]:
    problems = []
    for name, entry in sorted(result.items()):
        level = entry.get("enforcementLevel")
        if level not in LEVELS:
            problems.append(f"{name}.enforcementLevel = {level!r}: must be one of {', '.join(LEVELS)}")
    try:
        import jsonschema
    except ImportError:  # the engine validates too; without jsonschema only the levels are checked here
        return problems
    for name, entry in sorted(result.items()):
        schema = dict(info.policies[name].config_schema or {})
        properties = {**(schema.get("properties") or {}), "enforcementLevel": {"type": "string", "enum": list(LEVELS)}}
        # The engine passes settings a policy does not declare straight through; here they are refused.
        document = {"type": "object", **schema, "properties": properties, "additionalProperties": False}
        for error in jsonschema.Draft7Validator(document).iter_errors(dict(entry)):
            if error.validator == "additionalProperties":
                valid = sorted(set(properties) - {"enforcementLevel"})
                for key in sorted(set(entry) - set(properties)):
                    close = difflib.get_close_matches(key, valid, n=1)
                    hint = f"did you mean {close[0]}? " if close else ""
                    takes = f"its settings are {', '.join(valid)}" if valid else "it takes no settings"
                    problems.append(f"{name}: unknown setting {key!r}; {hint}{takes}")
                continue
            where = ".".join(str(p) for p in error.absolute_path)
            problems.append(f"{name}{'.' + where if where else ''}: {error.message}")
    return problems


# --- the process -------------------------------------------------------------------------------------


class PolicyPackProcess:
    """The pack as a running process and a client of its Analyzer service. Use it as a context manager."""

    def __init__(
        self,
        policy_dir: Path | str = POLICY_DIR,
        *,
        python: str | None = None,
        project: str = constants.PROJECT,
        stack: str = DEFAULT_STACK,
        organization: str = DEFAULT_ORGANIZATION,
        dry_run: bool = True,
        stack_config: Mapping[str, str] | None = None,
        startup_timeout: float = 90.0,
        call_timeout: float = 120.0,
        launcher: Literal["direct", "engine"] = "direct",
    ) -> None:
        """``launcher`` "direct" runs ``python __main__.py``; "engine" runs what the CLI's
        ``pulumi-analyzer-policy-python`` shim runs: ``python -u -m pulumi.policy <engine address> .``."""
        self.policy_dir = Path(policy_dir).resolve()
        if not (self.policy_dir / "__main__.py").is_file():
            raise PolicyPackError(f"{self.policy_dir} holds no __main__.py: not a Python policy pack")
        self.python = python or sys.executable
        self.project = project
        self.stack = stack
        self.organization = organization
        self.dry_run = dry_run
        self.stack_config = dict(stack_config or {})
        self.startup_timeout = startup_timeout
        self.call_timeout = call_timeout
        self.launcher = launcher
        self.handshake_supported: bool | None = None
        self._plugin: Plugin | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._info: AnalyzerInfo | None = None

    # lifecycle

    def __enter__(self) -> PolicyPackProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int | None:
        return self._plugin.port if self._plugin is not None else None

    def start(self) -> PolicyPackProcess:
        """Launch the pack and wait until it answers."""
        self.spawn()
        self._ensure_connected()
        return self

    def spawn(self) -> PolicyPackProcess:
        """Launch the pack without waiting: it boots while the caller works, and the first call connects."""
        if self._plugin is not None and self._plugin.started:
            return self
        env = {
            "PULUMI_PROJECT": self.project,
            "PULUMI_STACK": self.stack,
            "PULUMI_ORGANIZATION": self.organization,
            "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
        }
        if self.stack_config:
            env["PULUMI_CONFIG"] = json.dumps(self.stack_config)
        command = [self.python, "__main__.py"]
        if self.launcher == "engine":
            command = [self.python, "-u", "-m", "pulumi.policy", _NO_ENGINE, "."]
        self._plugin = Plugin(
            command,
            self.policy_dir,
            plugin_environment(PACKAGE_DIR, env),  # the pack imports hybrid_terway
            noun="policy pack",
            error=PolicyPackError,
            startup_timeout=self.startup_timeout,
            channel_options=[
                ("grpc.max_receive_message_length", _MAX_MESSAGE),
                ("grpc.max_send_message_length", _MAX_MESSAGE),
            ],
        )
        self._plugin.spawn()
        return self

    def _ensure_connected(self) -> None:
        if self._stub is not None or self._plugin is None or not self._plugin.started:
            return
        try:
            self._stub = analyzer_pb2_grpc.AnalyzerStub(self._plugin.connect())
            self._handshake()
            self._configure_stack()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill the process and close the connection (always safe to call)."""
        if self._plugin is not None:
            self._plugin.stop()
        self._stub = None

    def stderr(self) -> str:
        return self._plugin.stderr() if self._plugin is not None else ""

    def _error(self, message: str) -> Exception:
        if self._plugin is None:
            return PolicyPackError(message)
        return self._plugin.error(message)

    def _call(self, method: str, request: Any) -> Any:
        self._ensure_connected()
        if self._stub is None:
            raise PolicyPackError("the policy pack is not running: call start() or use it as a context manager")
        try:
            return getattr(self._stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            code = exc.code() if isinstance(exc, grpc.Call) else None
            details = exc.details() if isinstance(exc, grpc.Call) else str(exc)
            raise self._error(f"{method} failed: {code}: {details}") from None

    # the engine's calls, in its order

    def _handshake(self) -> None:
        request = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=_NO_ENGINE, root_directory=str(self.policy_dir), program_directory=str(self.policy_dir)
        )
        assert self._stub is not None
        try:
            self._stub.Handshake(request, timeout=self.call_timeout)
            self.handshake_supported = True
        except grpc.RpcError as exc:
            if isinstance(exc, grpc.Call) and exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                self.handshake_supported = False
                return
            raise self._error(f"Handshake failed: {exc}") from None

    def _configure_stack(self) -> None:
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack,
            project=self.project,
            organization=self.organization,
            dry_run=self.dry_run,
            config=self.stack_config,
        )
        assert self._stub is not None
        try:
            self._stub.ConfigureStack(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            if not (isinstance(exc, grpc.Call) and exc.code() == grpc.StatusCode.UNIMPLEMENTED):
                raise self._error(f"ConfigureStack failed: {exc}") from None

    def info(self) -> AnalyzerInfo:
        if self._info is None:
            response = self._call("GetAnalyzerInfo", empty_pb2.Empty())
            policies = {}
            for p in response.policies:
                schema = None
                if p.HasField("configSchema"):
                    schema = {
                        "properties": json_format.MessageToDict(p.configSchema.properties),
                        **({"required": list(p.configSchema.required)} if p.configSchema.required else {}),
                    }
                kind = {
                    analyzer_pb2.POLICY_TYPE_RESOURCE: "resource",
                    analyzer_pb2.POLICY_TYPE_STACK: "stack",
                }.get(p.policy_type, "unknown")
                policies[p.name] = PolicyInfo(p.name, p.description, _level_name(p.enforcementLevel), kind, schema)
            initial = {
                name: {
                    **({"enforcementLevel": _level_name(c.enforcementLevel)} if c.enforcementLevel else {}),
                    **json_format.MessageToDict(c.properties),
                }
                for name, c in response.initialConfig.items()
            }
            version = pack_version(self.policy_dir) or response.version
            self._info = AnalyzerInfo(
                response.name, version, response.supportsConfig, policies, initial, response.version
            )
        return self._info

    def configure(self, config: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
        """Send ``Configure`` for every policy; returns what was sent (level and settings per policy)."""
        effective = reconcile_config(self.info(), config)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, entry in effective.items():
            settings = {k: v for k, v in entry.items() if k != "enforcementLevel"}
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(
                    enforcementLevel=_level_value(entry["enforcementLevel"]),  # type: ignore[arg-type]
                    properties=wire.struct(settings),
                )
            )
        self._call("Configure", request)
        return effective

    def analyze(self, resource: AnalyzerResource) -> list[Violation]:
        response = self._call("Analyze", _analyze_request(resource))
        return [_violation(d, resource.urn) for d in response.diagnostics]

    def remediate(self, resource: AnalyzerResource) -> list[Remediation]:
        response = self._call("Remediate", _analyze_request(resource, remediate=True))
        return [
            Remediation(
                r.policyName,
                resource.urn,
                json_format.MessageToDict(r.properties) if r.HasField("properties") else None,
                r.diagnostic,
            )
            for r in response.remediations
        ]

    def analyze_stack(self, resources: Sequence[AnalyzerResource]) -> list[Violation]:
        request = analyzer_pb2.AnalyzeStackRequest(resources=[_stack_resource(r) for r in resources])
        response = self._call("AnalyzeStack", request)
        urns = {r.urn for r in resources}
        return [_violation(d, "", urns) for d in response.diagnostics]

    def run(self, resources: Iterable[AnalyzerResource], config: Mapping[str, Any] | None = None) -> PolicyReport:
        """One deployment: Configure, then Remediate and Analyze per registered resource, then AnalyzeStack."""
        effective = self.configure(config)
        violations: list[Violation] = []
        remediations: list[Remediation] = []
        stack: list[AnalyzerResource] = []
        for item in resources:
            if not item.read:
                changes = self.remediate(item)
                remediations += changes
                for change in changes:
                    if change.diagnostic:  # the engine shows it as an advisory and keeps the inputs
                        violations.append(Violation(change.policy, "advisory", item.urn, change.diagnostic))
                changed = [c.properties for c in changes if c.properties is not None and not c.diagnostic]
                if changed:
                    item = replace(item, properties=changed[-1], outputs=None)
                violations += self.analyze(item)
            stack.append(item)
        violations += self.analyze_stack(stack)
        ran = [name for name, entry in effective.items() if entry["enforcementLevel"] != "disabled"]
        return PolicyReport(ran, violations, remediations)

    def analyze_run(self, program_run: ProgramRun, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The report (JSON form) for a run of the program recorded by ``preview.engine.program``."""
        report = self.run(resources_from_run(program_run), config).to_json()
        return {"pack": {"name": self.info().name, "version": self.info().version}, **report}


def _violation(diagnostic: Any, default_urn: str, urns: set[str] | None = None) -> Violation:
    urn = diagnostic.urn or default_urn
    if urns is not None and urn not in urns:
        urn = ""
    return Violation(diagnostic.policyName, _level_name(diagnostic.enforcementLevel), urn, diagnostic.message)


def resources_from_run(program_run: ProgramRun) -> list[AnalyzerResource]:
    """AnalyzerResources from a run of the program (its registrations, in order, and its exports).

    Inputs stay in wire form (secrets marked). Outputs, what ``AnalyzeStack`` sees: the stack's exports, a custom
    resource's state, a component's registered outputs (``{}`` for one that registered none, as the engine holds
    it).
    """
    by_urn = {r.urn: r for r in program_run.registrations}
    result = []
    for reg in program_run.registrations:
        outputs: dict[str, Any] | None
        if reg.type == wire.ROOT_STACK_TYPE:
            outputs = dict(program_run.outputs)
        elif reg.custom:
            outputs = dict(reg.state) if reg.state else None
        else:
            outputs = dict(reg.outputs or {})  # the engine shows a component's registered outputs, never its inputs
        provider = None
        provider_urn = reg.provider.rsplit("::", 1)[0]  # a provider reference is "<urn>::<id>"
        if provider_urn in by_urn:
            p = by_urn[provider_urn]
            provider = ProviderResource(p.urn, p.type, p.name, dict(p.inputs))
        result.append(
            AnalyzerResource(
                urn=reg.urn,
                type=reg.type,
                name=reg.name,
                properties=dict(reg.inputs),
                parent=reg.parent or None,
                dependencies=list(reg.dependencies),
                outputs=outputs,
                read=reg.read,
                property_dependencies={key: list(urns) for key, urns in reg.property_dependencies.items()},
                options=_registration_options(reg),
                provider=provider,
            )
        )
    return result


def _registration_options(reg: Registration) -> ResourceOptions:
    """The options the engine sends with a registration: as registered, the aliases as the URNs it looked the
    resource up under."""
    options = reg.options
    timeouts = options.custom_timeouts
    seconds = (timeouts.get("create", 0.0), timeouts.get("update", 0.0), timeouts.get("delete", 0.0))
    return ResourceOptions(
        protect=options.protect,
        ignore_changes=tuple(options.ignore_changes),
        delete_before_replace=True if options.delete_before_replace else None,
        additional_secret_outputs=tuple(options.additional_secret_outputs),
        aliases=tuple(reg.alias_urns),
        custom_timeouts=seconds if timeouts else None,
    )


def run_pack(
    resources: Iterable[AnalyzerResource],
    *,
    project: str = constants.PROJECT,
    stack: str = DEFAULT_STACK,
    dry_run: bool = True,
    config: Mapping[str, Any] | None = None,
    policy_dir: Path | str = POLICY_DIR,
    python: str | None = None,
) -> PolicyReport:
    """Start the pack, run one deployment's analysis over ``resources``, stop the pack."""
    with PolicyPackProcess(policy_dir, python=python, project=project, stack=stack, dry_run=dry_run) as pack:
        return pack.run(resources, config)
