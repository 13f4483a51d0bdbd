"""The handoff intake: the questions, how answers are read, and the summary staff work from.

Pure Python (no Rasa): ``actions/intake_*.py`` wire it to a Rasa form.
"""
