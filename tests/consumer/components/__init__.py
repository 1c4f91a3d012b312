"""The consumer project's own components: a folder named like ours, which must not clash with hybrid_terway."""
