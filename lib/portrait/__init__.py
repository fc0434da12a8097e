"""portrait: turn raw customer data into evidence-backed segments and personas."""

__version__ = "0.1.0"
