"""The RedactPII log filter masks valid ID numbers and mobile numbers, in messages, arguments and tracebacks."""

from __future__ import annotations

import datetime as dt
import logging
import sys

from fangpin.core.idcard import make_id
from fangpin.ops.logredact import RedactPII, redact

ID = make_id("130633", dt.date(1985, 2, 2), 3)


def test_valid_ids_and_phones_are_masked_other_numbers_kept():
    assert ID == "130633198502020032"
    text = f"Not Found: /x/{ID}/ tel 13912345678, order 123456789012345678, id {ID.lower()}"
    assert redact(text) == "Not Found: /x/130633********0032/ tel 139****5678, order 123456789012345678, " \
                           "id 130633********0032"


def test_the_filter_rewrites_arguments_and_exception_text():
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "Not Found: %s", (f"/p/{ID}/",), None)
    try:
        raise ValueError(f"bad phone 13812345678 for {ID}")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert RedactPII().filter(record) is True
    assert record.getMessage() == "Not Found: /p/130633********0032/"
    assert ID not in record.exc_text and "13812345678" not in record.exc_text and "138****5678" in record.exc_text
