"""What tests share: builders, helpers and recorded answers. Tests import these, never each other."""
