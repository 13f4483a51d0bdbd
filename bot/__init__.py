"""Welfare intake chatbot: Japanese NLU, the window directory, tickets and the staff console."""
