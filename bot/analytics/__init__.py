"""Analytics over residents' messages: turns Rasa's event stream into analytic rows.

Nothing personal leaves this package: every message text is passed through
``bot.analytics.masking.mask`` before it is stored for analysts.
"""
