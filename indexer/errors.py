"""The one exception type for "the user asked for something we can't do": fronts show its message as is."""


class SearchError(Exception):
    """A user-facing error: a bad query, a missing index, a busy writer. Its message is a full sentence."""
