"""The single HTTP entry for web and mobile clients."""
