"""Entry point of the hybrid-terway component package: serves ``HybridTerwayNetwork`` and ``TerwayIdentity`` to any
Pulumi language.

The Pulumi language host runs ``<venv>/bin/python <this folder> <engine address>``; the provider prints the
port of its gRPC server (``pulumirpc.ResourceProvider``) and serves until the engine stops it.
"""

import sys

from pulumi.provider import main

from hybrid_terway.package import HybridTerwayProvider

if __name__ == "__main__":
    main(HybridTerwayProvider(), sys.argv[1:])
