"""The integration's entity classes and descriptions, one module per kind."""
