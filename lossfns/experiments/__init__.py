"""Experiment protocols of the documents, shared by their notebooks (which only plot and narrate)."""
