"""Logging pieces: what anonymous junk may cost the logs."""

import logging


class OneShortLine(logging.Filter):
    """Turns a record into one constant warning line, without its traceback or the request's text.

    For loggers that anyone on the internet can trigger (a forged `Host`
    header): each such request may add at most one short line.
    """

    def __init__(self, message: str = "Refused a suspicious request") -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.message, ()
        record.exc_info = record.exc_text = record.stack_info = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
