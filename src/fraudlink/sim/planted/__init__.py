"""Planted typologies: fraud with ground-truth labels, and honest look-alikes."""
