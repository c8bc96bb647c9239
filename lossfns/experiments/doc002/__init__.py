"""Document 002 (Chadha & Jain, a primer of loss functions): :mod:`.protocols` (the atlas's
computations) and :mod:`.plots` (figures)."""
