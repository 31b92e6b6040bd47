"""Data package: the shipped model files, installed as ``emotune.models`` (see emotune.resources)."""
