"""The hybrid-terway-guard policy pack: rules as plain functions (one module per concern) and their policies."""
