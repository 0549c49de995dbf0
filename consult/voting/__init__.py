"""Voting: ballots (a stance on the draft plus answers to the round's poll questions),
the poll questions officials define, and the tallies kept as counters."""
