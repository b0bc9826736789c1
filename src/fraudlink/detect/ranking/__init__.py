"""Account risk ranking: accounts ordered by combined evidence, each score explained.

The default ranking combines the rules' findings with per-account features that stand
out from the population (:mod:`.combine`); an optional learned ranker
(:mod:`.learned`) is trained on labels. Both give every account the list of sources
that made its score, and the contributions add up to the score.
"""
