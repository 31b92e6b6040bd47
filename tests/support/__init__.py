"""Helpers the tests share (stand-ins, media builders, GUI pumping); imported, never collected."""
