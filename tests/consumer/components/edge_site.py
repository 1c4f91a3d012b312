"""How this consumer describes its edge sites; it builds hybrid_terway's settings for one."""

from hybrid_terway.core.settings import Settings

SITE = "edge-site"


def edge_site_settings(cluster_id: str) -> Settings:
    return Settings.model_validate(
        {
            "scenario": "host",
            "clusterId": cluster_id,
            "terway": {
                "podVswitches": {"cn-shenzhen-a": ["vsw-wz9a1b2c3d4e5f6g7h8i9"]},
                "serviceCidr": "10.96.0.0/16",
                "securityGroupIds": ["sg-wz9a1b2c3d4e5f6g7h8i"],
            },
            "credentials": {"ramUserName": f"{SITE}-terway"},
            "onPremWorkloads": [{"kind": "StatefulSet", "namespace": "db", "name": "onprem-postgres"}],
        }
    )
