"""The one version of this repository's releases: the package, the component package's schema and the policy pack.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``), the component provider answers it in its schema,
and ``policy/PulumiPolicy.yaml`` states it for the Pulumi CLI, which reads a Python pack's version from that file
(``tests/test_release.py`` fails when the two differ). A release is tagged ``v`` + this version.
"""

__version__ = "0.1.0"
