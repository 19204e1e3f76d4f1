"""Logging pieces: one JSON object per line, the request id on every line, and what junk may cost.

`AccessLogMiddleware` (`backend.middleware`) opens a `RequestLog` for each
request; `RequestIdFilter` puts its id on every record logged while it runs,
in any thread's context that the request runs in.
"""

import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

# Record attributes that every record has: anything else is an `extra` of the caller's.
STANDARD_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
# Extras of these types are written out; others (Django's `request`, whose text holds the query string) are not.
JSON_EXTRA_TYPES = (str, int, float, bool, dict, list, tuple, type(None))


@dataclass
class RequestLog:
    """What the logs know of the request being served."""

    request_id: str
    # The kind of suspicious request Django refused (e.g. "DisallowedHost"): the access line says it.
    suspicious: str | None = None


current_request: ContextVar[RequestLog | None] = ContextVar("current_request", default=None)


class RequestIdFilter(logging.Filter):
    """Sets `record.request_id`: the id of the request being served, or "-" outside of one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_log = current_request.get()
        record.request_id = request_log.request_id if request_log is not None else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, the caller's extras, the traceback.

    Control characters (a newline in a path or a message) are escaped, so a
    record can never forge a second line.
    """

    def format(self, record: logging.LogRecord) -> str:
        document = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            document["request_id"] = request_id
        document.update(
            (name, value)
            for name, value in vars(record).items()
            if name not in STANDARD_RECORD_ATTRIBUTES and isinstance(value, JSON_EXTRA_TYPES)
        )
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            document["stack"] = self.formatStack(record.stack_info)
        return json.dumps(document, default=str)


class OneShortLine(logging.Filter):
    """Turns a record into one constant warning line, without its traceback or the request's text.

    For loggers that anyone on the internet can trigger (a forged `Host`
    header): each such request may add at most one short line. While a
    request is being served, the record is left out and its kind is named
    on the request's access line instead, so the request still costs one line.
    """

    def __init__(self, message: str = "Refused a suspicious request") -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        request_log = current_request.get()
        if request_log is not None:
            request_log.suspicious = record.name.rpartition(".")[2]
            return False
        record.msg, record.args = self.message, ()
        record.exc_info = record.exc_text = record.stack_info = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        # Django's extras (the request itself) are not for a line anyone can cause.
        for name in set(vars(record)) - STANDARD_RECORD_ATTRIBUTES:
            delattr(record, name)
        return True
