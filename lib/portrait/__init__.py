"""portrait: turn raw customer data into evidence-backed segments and personas."""

__version__ = "0.1.0"

from .study import Study  # noqa: E402  (the entry point every notebook starts from)

__all__ = ["Study", "__version__"]
