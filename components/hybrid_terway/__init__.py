"""hybrid-terway: Pulumi components for the container network of ACK One registered (hybrid) clusters."""
