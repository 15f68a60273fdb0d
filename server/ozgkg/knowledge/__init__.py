"""The knowledge as it flows in: files read (load), entailment added (inference), checked (validate)."""
