"""The one rule for email addresses, used wherever an address is read or sent to: the
reader (and so ``check``), the outbox and the SMTP mailer (recipients, owners, From, Reply-To).

An address is refused only when a mail server could not take it: bad syntax, no domain, a
domain without a dot ("sam@gmailcom", nearly always a typo), a non-ASCII part before the @
(that needs SMTPUTF8, which few servers offer). An international domain is accepted in its
xn-- form. No DNS lookups.

Special-use names (RFC 6761 and friends: .local, .test, .home.arpa, .localhost, .onion) are
accepted unless the workbook's Settings say otherwise: a small office's own mail server
often delivers to .local addresses, and a test server to .test ones. ``email_validator``
refuses them whatever its options (only .test can be let through, with
``test_environment``), so they are checked here and the rest of the address by it. The one
exception is .invalid, which is reserved never to exist (RFC 6761 6.4): always refused.
"""

from __future__ import annotations

import re

from sheets_sync.errors import BadAddress

# email_validator's SPECIAL_USE_DOMAIN_NAMES (2.x), less "invalid", refused by the rule itself.
SPECIAL_USE = ("arpa", "local", "localhost", "onion", "test")
NEVER = ("invalid",)
_RESERVED = frozenset((*SPECIAL_USE, *NEVER))

# Plain ASCII addresses that are valid beyond doubt skip the full validator (it costs
# ~100 µs each, which is 10 s on a 100,000-client sheet); anything unusual goes through it.
_PLAIN = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)


SETTING_LABEL = "Email .local and .test addresses"  # the Settings sheet row (settings.SPECS)


def special_use(domain: str) -> str:
    """The special-use name ``domain`` is under ('local' for agency.local), or ''."""
    last = domain.strip().lower().rpartition(".")[2]  # each reserved name is one label
    return last if last in _RESERVED else ""


def check_address(address: str, *, allow_special_use: bool = True) -> str:
    """The address as a mail server takes it (the domain lower-case, in its xn-- form), or
    BadAddress saying what is wrong. ``allow_special_use``: accept .local, .test and the
    like (the default; the Settings sheet can turn it off)."""
    raw = address.strip()
    if len(raw) <= 254 and _PLAIN.fullmatch(raw):
        local, _, domain = raw.rpartition("@")
        if len(local) <= 64:
            return _allowed(f"{local}@{domain.lower()}", special_use(domain), allow_special_use)
    local, at, domain = raw.rpartition("@")
    reserved = special_use(domain) if at else ""
    probe = raw
    if reserved:  # checked without the reserved name: a neutral name of the same length stands in
        probe = f"{local}@{domain[: -len(reserved)]}{'x' * len(reserved)}"
    # Imported here: compiling its grammar costs every command ~20 ms, and plain addresses never need it.
    from email_validator import EmailNotValidError, validate_email

    try:
        # No SMTPUTF8: few servers take it; an international domain is sent in its xn-- form.
        found = validate_email(probe, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise BadAddress(f"'{raw}' is not a valid email address ({exc})") from None
    normal = found.ascii_email or found.normalized
    if reserved:
        normal = normal[: -len(reserved)] + reserved
    return _allowed(normal, reserved, allow_special_use)


def _allowed(address: str, reserved: str, allow_special_use: bool) -> str:
    if reserved in NEVER:
        raise BadAddress(f"'{address}' is not a valid email address (.{reserved} is reserved never to exist)")
    if reserved and not allow_special_use:
        raise BadAddress(f"'{address}' is not an address to email here (.{reserved} is a special-use name, and "
                         f"the Settings sheet says '{SETTING_LABEL}: No')")
    return address
