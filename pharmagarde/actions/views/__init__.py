"""Views of the action plan: list and board, editing, evidence, exports."""
