"""Step 05's outputs: the stakeholder report, cards and the appendix on method and data quality."""
