"""Step 02: the survey codebook, reliability, weighting, funnel, banner tables, open answers."""
