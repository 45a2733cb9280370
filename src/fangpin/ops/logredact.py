"""A logging filter that masks ID numbers and mobile numbers in every record (defence in depth).

The application never logs personal data on purpose, and django.request logs only errors (settings.LOGGING),
but a log line can still carry what a user typed: ``Not Found: /<an ID typed into the address bar>/`` at
WARNING, an exception message quoting a bad value. Installed on every handler, this filter rewrites the
formatted message (arguments merged) and the exception text, masking any valid 18-digit ID number (GB 11643
check digit) and any 11-digit mainland mobile number the way the pages show them.

settings.LOGGING: ``"filters": {"redact_pii": {"()": "fangpin.ops.logredact.RedactPII"}}`` and
``"filters": ["redact_pii"]`` on each handler.
"""

from __future__ import annotations

import logging
import re

from fangpin.core.idcard import IdNumberError, mask_id, mask_phone, parse_id

EIGHTEEN = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def _id(match: re.Match) -> str:
    try:
        return mask_id(parse_id(match.group(0).upper()).value)
    except IdNumberError:
        return match.group(0)


def redact(text: str) -> str:
    return PHONE.sub(lambda m: mask_phone(m.group(0)), EIGHTEEN.sub(_id, text))


class RedactPII(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
