"""The words of the configuration contract, one enumeration each: the settings, the component package's inputs
(``hybrid_terway.args``) and the RAM component read them from here (docs/configuration.md)."""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """``enum.StrEnum`` of Python 3.11, for 3.10 too: members are their values, in ``str()`` and f-strings."""

    def __str__(self) -> str:
        return str(self.value)


class Scenario(StrEnum):
    """How the on-prem pod network works (README.md, the scenario table)."""

    OVERLAY = "overlay"
    BGP = "bgp"
    HOST = "host"

    @property
    def runs_terway(self) -> bool:
        return self is not Scenario.OVERLAY


class WorkloadKind(StrEnum):
    DAEMONSET = "DaemonSet"
    DEPLOYMENT = "Deployment"
    STATEFULSET = "StatefulSet"
    INSTALLATION = "Installation"
