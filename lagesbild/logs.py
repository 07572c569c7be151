"""The operator's log: one line per request error and per write, with who and what, never a password or free text.

Lines go to standard output, and also to a rotating file when LAGESBILD_LOG_FILE names one
(5 files of 5 MB).
"""
from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler

LOGGER_NAME = "lagesbild"
FORMAT = "%(asctime)s %(levelname)s lagesbild %(message)s"


def logger() -> logging.Logger:
    """The app's logger, set up on first use."""
    log = logging.getLogger(LOGGER_NAME)
    if not getattr(log, "_lagesbild_ready", False):
        log.setLevel(logging.INFO)
        log.propagate = False
        stream = logging.StreamHandler(sys.stdout)
        stream.setFormatter(logging.Formatter(FORMAT))
        log.addHandler(stream)
        if path := os.environ.get("LAGESBILD_LOG_FILE"):
            rotating = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")
            rotating.setFormatter(logging.Formatter(FORMAT))
            log.addHandler(rotating)
        log._lagesbild_ready = True  # type: ignore[attr-defined]
    return log


PENDING = "lagesbild_log_pending"


def write(username: str, role: str, action: str, table: str, record_id: object, conn=None) -> None:
    """One line for one write: who (account and role), what kind of change, which table and record.

    With the write's connection the line waits for the commit (written_after_commit), so that a write
    rolled back is never logged as done.
    """
    line = ("write user=%s role=%s action=%s table=%s id=%s",
            username or "-", role, action, table, "-" if record_id is None else record_id)
    if conn is not None:
        conn.info.setdefault(PENDING, []).append(line)
    else:
        logger().info(*line)


def committed(conn) -> None:
    """Log the writes a connection's transaction has just committed."""
    for line in conn.info.pop(PENDING, []):
        logger().info(*line)


def rolled_back(conn) -> None:
    """Forget the writes of a transaction that was rolled back."""
    conn.info.pop(PENDING, None)


def request_error(reference: str, page: str, username: str, role: str, error: BaseException) -> None:
    """One line (and the traceback below it) for an error a person saw with the reference."""
    logger().error("error ref=%s page=%s user=%s role=%s type=%s", reference, page, username or "-", role,
                   type(error).__name__, exc_info=error)
