"""Python's own digests instead of OpenSSL's, for the command line's process.

hashlib loads OpenSSL's libcrypto (megabytes of a small run's memory) for the few digests a
run takes (the workbook's fingerprint, cache keys), and Python's own code for them gives the
same digests. ssl, where a run sends mail, still loads OpenSSL for itself.
"""

from __future__ import annotations

import sys


def own_digests() -> bool:
    """True when this Python has its own code for the digests hashlib offers without OpenSSL
    (some builds, e.g. for FIPS, leave it out: there hashlib needs OpenSSL)."""
    def have(*names: str) -> bool:
        try:
            for name in names:
                __import__(name)
        except ImportError:
            return False
        return True

    return have("_blake2", "_md5", "_sha1") and (have("_sha2") or have("_sha256", "_sha512"))  # 3.12+ or 3.11


def keep_openssl_out() -> None:
    """Make hashlib use Python's own digests, where it has not been imported yet (a library
    user's process that already has it keeps it as it is) and Python has them."""
    if "hashlib" not in sys.modules and own_digests():
        sys.modules.setdefault("_hashlib", None)  # type: ignore[arg-type]
