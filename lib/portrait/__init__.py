"""portrait: turn raw customer data into evidence-backed segments and personas."""

import warnings

__version__ = "0.1.0"

# pyspark (the Spark engine) warns on import under pandas 3 although no pandas-on-Spark API is used (pandera imports
# it when present): noise in every notebook and log, not a problem of the study's run.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

__all__ = ["Study", "__version__"]


def __getattr__(name: str):
    # `Study` (the entry point every notebook starts from) is imported on first use, so that a
    # scheduled job using one module (say `portrait.segments.rfm`) does not pay for loading every other one.
    if name == "Study":
        from portrait.config.study import Study

        return Study
    raise AttributeError(f"module 'portrait' has no attribute {name!r}")
