"""The offline engine: the program run under the Pulumi SDK (``program``), each registration turned into a step
as ``pulumi up`` does (``deploy``, ``state``, ``urns``, ``provider_rules``, ``awaits``), and the plugins driven
over gRPC as the engine drives them (``policy_harness``, ``provider_harness``)."""
