"""The words of the configuration contract, one enumeration each: the settings, the component package's inputs
(``hybrid_terway.args``) and the RAM component read them from here (docs/configuration.md)."""

from __future__ import annotations

from enum import Enum


class StrEnum(str, Enum):
    """``enum.StrEnum`` of Python 3.11, for 3.10 too: a member is its value in ``str()``, f-strings and ``repr()``
    (so a message shows ``'a'``, never ``<KeySlot.A: 'a'>``), and equal to it, hashed as it."""

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return repr(self.value)


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


class VswitchSelectionPolicy(StrEnum):
    """How Terway picks a pod vSwitch among a zone's."""

    ORDERED = "ordered"
    """The vSwitch with the most free IPs first."""
    RANDOM = "random"


class IpStack(StrEnum):
    """The pod IP families."""

    IPV4 = "ipv4"
    DUAL = "dual"
    """IPv4 and IPv6; also grants the IPv6 address actions."""


class CredentialSource(StrEnum):
    """Where Terway's AccessKey comes from."""

    MANAGED = "managed"
    """This component creates the RAM user, its policy and keys."""
    EXISTING = "existing"
    """You give a key: accessKeyId, and its secret in accessKeySecret."""


class CredentialStore(StrEnum):
    """Where Terway's AccessKey is kept in the cluster."""

    SECRET = "secret"
    """Secret kube-system/alibaba-addon-secret (recommended)."""
    CONFIGMAP = "configmap"
    """Inside eni_conf, in plain text in ConfigMap kube-system/eni-config."""


class KeySlot(StrEnum):
    """One AccessKey per slot; RAM allows two keys per user."""

    A = "a"
    B = "b"


class InterconnectVia(StrEnum):
    """How the VPC reaches the data centre."""

    VBR = "vbr"
    """Express Connect Virtual Border Routers (vbrIds)."""
    CEN = "cen"
    TRANSIT_ROUTER = "transitRouter"
    EXPRESS_CONNECT_ROUTER = "expressConnectRouter"


class InterconnectMode(StrEnum):
    """What is done about one piece of the interconnect."""

    CHECK = "check"
    """Read it and stop (or warn) when it is wrong."""
    MANAGE = "manage"
    """Add what is missing; existing equal ones are kept."""
    OFF = "off"
