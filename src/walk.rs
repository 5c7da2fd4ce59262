//! Walks an image recursively through every container layer.
