"""The hybrid-terway component package (source-based); ``__main__.py`` is its entry point."""
