"""Step 03: interview codebook, auto-coding, a second coder, agreement, quotes, REFI-QDA."""
