"""The nodes of a cluster in classes a set of pod specs cannot tell apart, and the nodes each spec admits
(``hybrid_terway.core.scheduling``: nodeSelector and required node affinity; taints left out, see
``preview.report.placement``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hybrid_terway.core import constants, scheduling


class NodeIndex:
    """The nodes of a cluster in classes, and for each distinct placement (nodeSelector and required node affinity)
    the nodes it admits.

    Nodes that agree on every label read by the given pod specs (their nodeSelector and required node-affinity
    terms) and on the cloud-node label, and on their name where a ``matchFields`` term reads it, cannot be told
    apart by any of those specs: they form one class, and each spec is judged once per class, so the work grows
    with the classes, not with the nodes. Taints tell no nodes apart here (placement leaves them out; see the
    module docstring). A spec that reads a label outside these is judged node by node (the same answer, only
    slower). Without ``pod_specs`` every node is its own class (node-by-node judgement). One index serves every
    state of a cluster whose nodes stay the same (today and after the plan)."""

    def __init__(
        self,
        nodes: Sequence[Mapping[str, Any]],
        pod_specs: Iterable[Mapping[str, Any] | None] | None = None,
        cloud_node_label: str = constants.CLOUD_NODE_LABEL,
    ) -> None:
        self._cloud_key, self._cloud_value = constants.split_label(cloud_node_label)
        self._label = cloud_node_label
        views = [(str(n["metadata"]["name"]), scheduling.view_node(n)) for n in nodes]
        self._keys: frozenset[str] | None = None
        self._by_name = True
        self._filters: dict[int, tuple[Mapping[str, Any] | None, scheduling.NodeFilter]] = {}
        if pod_specs is not None:
            filters = [self._filter(spec) for spec in pod_specs]
            self._keys = frozenset({self._cloud_key}.union(*(f.label_keys() for f in filters)))
            self._by_name = any(f.reads_name() for f in filters)
        ordered = sorted(self._keys or ())
        found: dict[tuple[Any, ...], int] = {}
        self.members: list[list[str]] = []
        """The names of each class's nodes, in the order given."""
        self.views: list[scheduling.NodeView] = []
        """One node of each class, standing for all of them."""
        self.class_of: dict[str, int] = {}
        for name, view in views:
            labels = view.labels
            key = (name if self._by_name else None, *(labels.get(k) for k in ordered))
            number = found.get(key)
            if number is None:
                number = found[key] = len(self.views)
                self.views.append(view)
                self.members.append([])
            self.members[number].append(name)
            self.class_of[name] = number
        self.cloud = [v.labels.get(self._cloud_key) == self._cloud_value for v in self.views]
        """Whether each class's nodes carry the cloud-node label."""
        self._classes: dict[scheduling.NodeFilter, frozenset[int]] = {}
        self._admitted: dict[scheduling.NodeFilter, frozenset[str]] = {}
        self._names = views

    def _filter(self, pod_spec: Mapping[str, Any] | None) -> scheduling.NodeFilter:
        """The spec's filter, read once per spec (specs are never changed in place; each is held while cached)."""
        found = self._filters.get(id(pod_spec))
        if found is None:
            found = self._filters[id(pod_spec)] = (pod_spec, scheduling.node_filter(pod_spec))
        return found[1]

    def covers(self, pod_specs: Iterable[Mapping[str, Any] | None], cloud_node_label: str) -> bool:
        """Whether every spec is judged by class here (and the classes split on this cloud-node label)."""
        return cloud_node_label == self._label and all(self._covered(self._filter(spec)) for spec in pod_specs)

    def _covered(self, fits: scheduling.NodeFilter) -> bool:
        if self._keys is None:
            return True
        return fits.label_keys() <= self._keys and (self._by_name or not fits.reads_name())

    def admitted_classes(self, pod_spec: Mapping[str, Any] | None) -> frozenset[int]:
        """The classes whose nodes the spec admits; only for a spec this index covers."""
        fits = self._filter(pod_spec)
        found = self._classes.get(fits)
        if found is None:
            if not self._covered(fits):
                raise ValueError("the pod spec reads a node label the node classes do not tell apart")
            found = self._classes[fits] = frozenset(c for c, view in enumerate(self.views) if fits.admits(view))
        return found

    def admitted(self, pod_spec: Mapping[str, Any] | None) -> frozenset[str]:
        fits = self._filter(pod_spec)
        found = self._admitted.get(fits)
        if found is None:
            if self._covered(fits):
                classes = self.admitted_classes(pod_spec)
                found = frozenset(name for c in classes for name in self.members[c])
            else:
                found = frozenset(name for name, view in self._names if fits.admits(view))
            self._admitted[fits] = found
        return found
