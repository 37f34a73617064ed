"""Sources: reading disclosure texts (any common encoding) into numbered, de-noised lines."""
