"""Exceptions of our own: each message names the file, the place and the fix."""


class PortraitError(Exception):
    """Base class for every error the workbook raises on purpose."""


class StudyConfigError(PortraitError):
    """study.yml is missing, malformed or points at files that do not exist."""


class SourceFormatError(PortraitError):
    """A raw file cannot be read as the format study.yml declares."""


class PrivacyError(PortraitError):
    """Pseudonymisation cannot run safely (for example, no secret key)."""


class PipelineError(PortraitError):
    """A notebook of the pipeline failed; the message names notebook, cell and error."""


class CodebookError(PortraitError):
    """A codebook is malformed or does not fit the data; the message names the question and the fix."""


class ModelFitError(PortraitError):
    """A model cannot be fitted to the data (too few customers of a kind, no convergence); the message says why."""
