"""Questionnaires: the one set of questions, options and answers behind a vote's poll and
a satisfaction survey's own questions (after Decidim's ``decidim-forms``). Voting and
surveys build on it; it knows neither of them."""
