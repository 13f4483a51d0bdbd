"""`make bench`: the bot's figures (bench/README.md)."""
