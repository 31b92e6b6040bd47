"""Data package: icons, the track catalog and other shipped files, installed as ``emotune.assets``."""
