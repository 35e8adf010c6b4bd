"""The channel-agnostic core of the hate-report intake: it imports no web framework or provider SDK."""
