"""Config flows: one module per subentry type, with its form and checks."""
