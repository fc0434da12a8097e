"""Step 04: schemes, RFM, data-driven segments, profiles, the typing tool."""
