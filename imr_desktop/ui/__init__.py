"""Qt layer: adapts the core to widgets. Nothing here is imported by the CLI paths."""
