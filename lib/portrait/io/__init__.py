"""Files in and out: readers, atomic writes, the catalog of processed outputs, provenance, templates."""
