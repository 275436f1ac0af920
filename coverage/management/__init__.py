"""The command-line door: load regions, seed the article's figures, import figures, issue API keys."""
