"""Welfare intake chatbot: Japanese NLU, the cities' window directory, tickets and the staff console."""
