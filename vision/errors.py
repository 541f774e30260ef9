"""Typed errors raised by the library; the CLIs turn each into one line on stderr."""


class VisionError(Exception):
    """Base class of every error the library raises on bad input."""


class ConfigError(VisionError, ValueError):
    """An invalid model/clip configuration (unknown backbone, bad value, unknown key)."""


class CheckpointError(VisionError):
    """A checkpoint directory that is missing, corrupt, unsafe or does not match the model."""


class VideoError(VisionError):
    """A video that cannot be opened or decoded; the message names the path and the reason."""


class DatasetError(VisionError):
    """A dataset tree or split file that cannot be indexed."""


class ExportError(VisionError):
    """A model that cannot be exported to the asked format."""
