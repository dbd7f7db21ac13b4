"""schemathesis hooks for .ci/python-tests.sh: one extra check, that every 4xx names a field.

The control API's errors are ``{"error": "field: reason"}`` (docs/control-api.yaml): a client can tell which
part of its request to change. A 4xx whose message does not start with ``something: `` fails the run.
"""
import re

import schemathesis

_FIELD_FIRST = re.compile(r"^[^\s:][^:]{0,200}: \S")


@schemathesis.check
def error_names_a_field(ctx, response, case):
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError:
        raise AssertionError("%d without a JSON body: %r" % (response.status_code, response.text[:200]))
    message = body.get("error") if isinstance(body, dict) else None
    if not isinstance(message, str) or not _FIELD_FIRST.match(message):
        raise AssertionError("%d whose error names no field: %r" % (response.status_code, message))
    return None
