"""What the preview tells a reader: the artifacts (``artifacts``, ``engine_report``, ``provenance``,
``security_review``), the changes against the live cluster (``diff``) and the rollouts they cause (``rollouts``),
node placement (``placement``), cloud nodes to recycle (``recycle``), and the schemas objects are held to
(``schema``)."""
