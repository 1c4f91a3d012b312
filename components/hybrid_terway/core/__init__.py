"""The pure core of hybrid-terway: the facts the components, the policy pack and the offline preview share.

Standard library and pydantic only (the import contract in tests/test_import_contract.py keeps it so): no
Pulumi SDK, no provider SDK. The Pulumi components beside this package import it; docs/layout.md maps it.
"""
