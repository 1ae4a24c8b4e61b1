"""What the tree shows, rendered from the store: pages, QR codes, indexes, home page."""
