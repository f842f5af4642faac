"""The tinydb backend: the embedded default, one process owning the data file."""
