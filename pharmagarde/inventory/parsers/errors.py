"""The one error the parsers raise for a file that cannot be read at all."""


class ImportFileError(Exception):
    """The whole file is refused; `message` says why and what to do, in French.

    `line` is the line of the file (1-based, as a text editor or a spreadsheet counts them)
    where the problem was found, when there is one. The message already names it: `line` is
    there for the caller that wants to point at it.
    """

    def __init__(self, message, *, line=None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return str(self.message)
