"""Opinion analysis for officials: key terms, themes, near-duplicates, opinion groups.

``text`` segments Chinese (jieba with a project dictionary) and English; ``keyterms``,
``themes``, ``duplicates`` and ``groups`` are pure functions over plain data, so they are
tested and benchmarked without a database; ``pipeline`` loads a round and runs them;
``jobs`` runs the pipeline in the background (RQ when ``REDIS_URL`` is set, else a
thread, or inline in tests) and stores an ``AnalysisResult`` per round.
"""
