"""Step 05: persona cards, journey maps, the message library."""
