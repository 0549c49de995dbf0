"""好差评 for responses: every bad rating followed up, rectified or explained, re-rated,
appealable, and public."""
