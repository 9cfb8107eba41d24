"""Checks a DSN with Python's email package (a parser nobody here wrote).

usage: check_dsn.py FILE EXPECTED_ACTION EXPECTED_STATUS [EXPECTED_DIAGNOSTIC_SUBSTRING]
Prints "ok" and exits 0 when the message is a multipart/report of report-type
delivery-status whose per-recipient group has the expected Action and Status (and a
Diagnostic-Code containing the substring, if given); exits 1 with a reason otherwise.
"""

import email
import email.policy
import sys


def fail(why):
    print("FAIL:", why)
    sys.exit(1)


def main():
    path, action, status = sys.argv[1:4]
    diagnostic = sys.argv[4] if len(sys.argv) > 4 else None
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    if msg.get_content_type() != "multipart/report":
        fail("content type is %s" % msg.get_content_type())
    if msg.get_param("report-type") != "delivery-status":
        fail("report-type is %s" % msg.get_param("report-type"))
    parts = msg.get_payload()
    if len(parts) != 3:
        fail("%d parts" % len(parts))
    if parts[0].get_content_type() != "text/plain":
        fail("first part is %s" % parts[0].get_content_type())
    ds = parts[1]
    if ds.get_content_type() not in ("message/delivery-status", "message/global-delivery-status"):
        fail("second part is %s" % ds.get_content_type())
    # The email package parses message/delivery-status into a list of header blocks.
    blocks = ds.get_payload()
    if len(blocks) < 2:
        fail("%d field groups" % len(blocks))
    if not blocks[0].get("Reporting-MTA", "").startswith("dns;"):
        fail("Reporting-MTA is %r" % blocks[0].get("Reporting-MTA"))
    rcpt = blocks[1]
    if rcpt.get("Action") != action:
        fail("Action is %r" % rcpt.get("Action"))
    if rcpt.get("Status") != status:
        fail("Status is %r" % rcpt.get("Status"))
    if not rcpt.get("Final-Recipient", "").startswith(("rfc822;", "utf-8;")):
        fail("Final-Recipient is %r" % rcpt.get("Final-Recipient"))
    if diagnostic is not None and diagnostic not in str(rcpt.get("Diagnostic-Code", "")):
        fail("Diagnostic-Code is %r" % rcpt.get("Diagnostic-Code"))
    third = parts[2].get_content_type()
    if third not in ("message/rfc822", "text/rfc822-headers"):
        fail("third part is %s" % third)
    if msg["Auto-Submitted"] != "auto-replied":
        fail("no Auto-Submitted")
    print("ok", action, status, third)


main()
