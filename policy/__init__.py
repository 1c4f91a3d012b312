"""The CrossGuard policy pack (``pulumi preview --policy-pack policy``); its rules live in ``hybrid_terway_guard``."""
