"""The article store: every mirrored article kept as data inside the tree."""
