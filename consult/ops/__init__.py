"""Operations: backup and restore (``flask backup create PATH`` / ``flask backup restore PATH``)."""
