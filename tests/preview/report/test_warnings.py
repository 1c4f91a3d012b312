"""The preview's warnings: each names its setting, and a fuller check replaces the program's by setting."""

from __future__ import annotations

from preview.report.warnings import Warning, superseded

ZONE = "hybrid-terway:terway.podVswitches.cn-hangzhou-h: zone cn-hangzhou-h has 4 free IPs"
ROUTE = "hybrid-terway:interconnect.routes: route table vtb-1 has no route to 10.0.0.0/8"


def test_a_warning_names_its_setting() -> None:
    assert Warning.of(ZONE).setting == "terway.podVswitches.cn-hangzhou-h"
    assert Warning.of("hybrid-terway:terway.serviceCidr = '10.96.0.0/12': check it").setting == "terway.serviceCidr"
    assert Warning.of("DaemonSet kube-system/calico-node: restarted").setting is None


def test_about_a_setting_or_one_inside_it() -> None:
    assert Warning.of(ZONE).about("terway.podVswitches")
    assert Warning.of(ROUTE).about("interconnect")
    assert not Warning.of("hybrid-terway:interconnectX: other").about("interconnect")
    assert not Warning.of("hybrid-terway:terway.podVswitchesLegacy: other").about("terway.podVswitches")


def test_the_fuller_check_replaces_the_programs_warnings_on_its_settings() -> None:
    program = [Warning.of(ZONE), Warning.of(ROUTE), Warning.of("plain notice")]
    fuller = "hybrid-terway:terway.podVswitches.cn-hangzhou-h: zone cn-hangzhou-h has 4 free IPs; its 1 cloud node"
    assert [w.text for w in superseded(program, ["terway.podVswitches"], [fuller])] == [ROUTE, "plain notice", fuller]
