"""The one exception type for "the user asked for something we can't do": fronts show its message."""

from __future__ import annotations


class SearchError(Exception):
    """A user-facing error: a bad query, a missing index, a busy writer.

    Its message is a full English sentence (`str(error)`), made from `template` (the catalog's message id: the
    web page shows its translation, `web/translations`) and `params`.

    >>> str(SearchError("Page must be between 1 and {last}.", last=1000))
    'Page must be between 1 and 1000.'
    """

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params
        super().__init__(template.format(**params) if params else template)
