"""Diffs of a sent object against the live one: paths, JSON inside strings, creates, Secrets, masking."""

from __future__ import annotations

import json
from typing import Any

import pytest

from preview.report.diff import (
    CREATE,
    JSON,
    MASK,
    SAME,
    UPDATE,
    WRITTEN,
    Entry,
    diff_values,
    format_path,
    object_change,
)


def entries(old: Any, new: Any) -> list[dict[str, Any]]:
    return [e.as_dict() for e in diff_values(old, new)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("spec", "template", "spec", "nodeSelector"), "spec.template.spec.nodeSelector"),
        (("metadata", "annotations", "hybrid-terway/config-hash"), 'metadata.annotations["hybrid-terway/config-hash"]'),
        (("spec", "terms", 0, "matchExpressions", 1), "spec.terms[0].matchExpressions[1]"),
        (("data", "eni_conf", JSON, "max_pool_size"), "data.eni_conf:max_pool_size"),
        (("data", "eni_conf", JSON, "vswitches", "cn-hangzhou-h", 0), "data.eni_conf:vswitches.cn-hangzhou-h[0]"),
        (("data", "eni_conf", JSON, "eni_tags", "ack.aliyun.com"), 'data.eni_conf:eni_tags["ack.aliyun.com"]'),
        (("data", "10-terway.conf"), 'data["10-terway.conf"]'),
    ],
)
def test_format_path(path: tuple[Any, ...], text: str) -> None:
    assert format_path(path) == text


def test_maps_key_by_key_and_equal_values_give_nothing() -> None:
    old = {"a": 1, "b": {"c": "x", "d": [1, 2]}, "gone": True}
    new = {"a": 1, "b": {"c": "y", "d": [1, 2]}, "added": {"k": "v"}}
    assert entries(old, new) == [
        {"path": "added.k", "old": None, "new": "v"},
        {"path": "b.c", "old": "x", "new": "y"},
        {"path": "gone", "old": True, "new": None},
    ]
    assert entries(old, json.loads(json.dumps(old))) == []


def test_list_items_compared_by_position_an_added_item_whole() -> None:
    exclusion = {"key": "alibabacloud.com/external", "operator": "NotIn", "values": ["true"]}
    arch = {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}
    old = {"terms": [{"matchExpressions": [arch]}]}
    new = {"terms": [{"matchExpressions": [arch, exclusion]}]}
    assert entries(old, new) == [{"path": "terms[0].matchExpressions[1]", "old": None, "new": exclusion}]
    assert entries(new, old) == [{"path": "terms[0].matchExpressions[1]", "old": exclusion, "new": None}]
    assert entries({"v": ["a", "b"]}, {"v": ["a", "c"]}) == [{"path": "v[1]", "old": "b", "new": "c"}]


def test_json_inside_a_string_is_diffed_key_by_key() -> None:
    live = json.dumps({"version": "1", "max_pool_size": 5, "min_pool_size": 0, "extra_key": "kept"})
    sent = json.dumps({"version": "1", "max_pool_size": 10, "min_pool_size": 0, "extra_key": "kept"}, indent=2)
    assert entries({"data": {"eni_conf": live}}, {"data": {"eni_conf": sent}}) == [
        {"path": "data.eni_conf:max_pool_size", "old": 5, "new": 10}
    ]


def test_the_same_json_written_differently_is_no_change() -> None:
    assert entries({"c": '{"a": 1, "b": 2}'}, {"c": '{\n  "b": 2,\n  "a": 1\n}\n'}) == []


def test_a_string_that_is_not_json_is_one_value() -> None:
    assert entries({"c": "{not json"}, {"c": "{still not"}) == [{"path": "c", "old": "{not json", "new": "{still not"}]
    assert entries({"c": '{"a": 1}'}, {"c": "plain"}) == [{"path": "c", "old": '{"a": 1}', "new": "plain"}]


def test_patch_applied_to_the_live_object_update_and_same() -> None:
    live = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "terway-eniip", "namespace": "kube-system", "uid": "u1"},
        "spec": {
            "template": {
                "metadata": {"annotations": {"a": "1"}},
                "spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "hostNetwork": True},
            }
        },
    }
    patch = {"metadata": {"name": "terway-eniip", "namespace": "kube-system"}}
    patch["spec"] = {
        "template": {
            "metadata": {"annotations": {"b": "2"}},
            "spec": {"nodeSelector": {"alibabacloud.com/external": "true"}},
        }
    }
    change = object_change("DaemonSet", "kube-system", "terway-eniip", live, patch)
    assert change.change == UPDATE
    # PodSpec.nodeSelector is an atomic map (x-kubernetes-map-type: atomic in the upstream OpenAPI): the patch's
    # replaces the live one whole. Annotations are a granular map: they merge key by key.
    assert [e.as_dict() for e in change.entries] == [
        {"path": "spec.template.metadata.annotations.b", "old": None, "new": "2"},
        {"path": 'spec.template.spec.nodeSelector["alibabacloud.com/external"]', "old": None, "new": "true"},
        {"path": 'spec.template.spec.nodeSelector["kubernetes.io/os"]', "old": "linux", "new": None},
    ]
    assert change.after is not None and change.after["spec"]["template"]["spec"]["hostNetwork"] is True
    assert change.after["spec"]["template"]["metadata"]["annotations"] == {"a": "1", "b": "2"}, "maps merge"
    again = object_change("DaemonSet", "kube-system", "terway-eniip", change.after, patch)
    assert again.change == SAME and again.entries == []


def test_an_object_not_in_the_cluster_is_a_create_listing_what_is_sent() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "y"}}
    body["data"] = {"eni_conf": json.dumps({"max_pool_size": 5})}
    change = object_change("ConfigMap", "y", "x", None, body)
    assert change.change == CREATE
    assert [e.as_dict() for e in change.entries] == [
        {"path": "data.eni_conf:max_pool_size", "old": None, "new": 5},
        {"path": "metadata.name", "old": None, "new": "x"},
        {"path": "metadata.namespace", "old": None, "new": "y"},
    ]


def test_a_secret_is_written_without_comparison() -> None:
    live = {"kind": "Secret", "metadata": {"name": "s", "namespace": "n"}, "data": {"k": "old"}}
    change = object_change("Secret", "n", "s", live, {"metadata": {"name": "s"}, "stringData": {"k": "new"}})
    assert change.change == WRITTEN and change.entries == [] and change.after is None


def test_secret_values_are_never_shown_old_or_new() -> None:
    conf_old = {"access_key": "LTAI5tOld", "access_secret": "old-plain-secret", "max_pool_size": 5}
    conf_new = {"access_key": "LTAI5tNew", "access_secret": "new-secret", "max_pool_size": 5}
    live = {"metadata": {"name": "eni-config"}, "data": {"eni_conf": json.dumps(conf_old), "token": "t1"}}
    body = {"data": {"eni_conf": json.dumps(conf_new), "token": "t2"}}
    secret_paths = [("data", "eni_conf"), ("data", "token")]
    change = object_change("ConfigMap", "kube-system", "eni-config", live, body, secret_paths)
    shown = {e.as_dict()["path"]: (e.old, e.new) for e in change.entries}
    assert shown == {
        "data.eni_conf:access_key": (MASK, MASK),  # a plaintext key in the live ConfigMap is never echoed
        "data.eni_conf:access_secret": (MASK, MASK),
        "data.token": (MASK, MASK),
    }
    text = json.dumps([e.as_dict() for e in change.entries])
    assert all(v not in text for v in ("old-plain-secret", "new-secret", "LTAI5tOld", "LTAI5tNew"))


def test_a_credential_in_plain_text_in_the_live_object_is_masked_too() -> None:
    live = {"data": {"eni_conf": json.dumps({"access_secret": "plain-in-configmap"})}}
    body = {"data": {"eni_conf": json.dumps({"access_secret": ""})}}
    change = object_change("ConfigMap", "kube-system", "eni-config", live, body)
    assert change.entries == [Entry(("data", "eni_conf", JSON, "access_secret"), MASK, "")]
