"""Reports people read: one self-contained HTML file with pictures, no network needed."""
