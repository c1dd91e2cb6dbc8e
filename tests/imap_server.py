"""A real IMAP server for tests: Dovecot (Debian's dovecot-imapd) on 127.0.0.1 with a
throwaway config, a passwd-file user and a maildir in a temporary folder; plain IMAP and
IMAPS with a throwaway trustme certificate.

Dovecot's login processes refuse to run as root: as root the server uses Debian's
``dovenull``/``dovecot`` users for its own processes and ``nobody`` for the mail, and the
folder is made readable for them; as any other user everything runs as that user.
Messages are delivered as files into Maildir/new (``deliver``), as a local delivery agent
would, so the test decides every byte.
"""

from __future__ import annotations

import grp
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import trustme

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "office@harbor.example", "imap-secret-123"
_SERIAL = itertools.count(1)


def free_port() -> int:
    """A TCP port nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    """True when Dovecot is installed here."""
    return os.path.exists(DOVECOT)


class Dovecot:
    """One running Dovecot; ``stop`` ends it."""

    def __init__(self) -> None:
        if not available():
            pytest.skip("Dovecot is not installed (Debian: apt-get install dovecot-imapd)")
        # Not under pytest's tmp_path: its parents are private to root, and as root the mail
        # processes run as nobody.
        self.root = Path(tempfile.mkdtemp(prefix="sheets-sync-dovecot-"))
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.tls_port = free_port()
        self.maildir = self.root / "Maildir"
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = str(self.root / "ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        cert.private_key_pem.write_to_path(str(self.root / "key.pem"))
        cert.cert_chain_pems[0].write_to_path(str(self.root / "cert.pem"))
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        if os.geteuid() == 0:
            internal, login = "dovecot", "dovenull"
            mail_uid, mail_gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
            internal_group = "dovecot"
        else:
            internal = login = pwd.getpwuid(os.getuid()).pw_name
            internal_group = grp.getgrgid(os.getgid()).gr_name
            mail_uid, mail_gid = os.getuid(), os.getgid()
        self.mail_uid, self.mail_gid = mail_uid, mail_gid
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "home").mkdir()
        for path in (self.maildir, *(self.maildir / s for s in ("cur", "new", "tmp")), self.root / "home"):
            os.chown(path, mail_uid, mail_gid)
        (self.root / "dovecot.conf").write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
instance_name = sheets-sync-test-{self.port}
protocols = imap
listen = 127.0.0.1
disable_plaintext_auth = no
ssl = yes
ssl_cert = <{self.root}/cert.pem
ssl_key = <{self.root}/key.pem
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = {min(mail_uid, 500)}
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={self.root}/home mail=maildir:{self.maildir}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""", encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        """Start the server and wait until it answers."""
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        log = (self.root / "dovecot.log").read_text(errors="replace") if (self.root / "dovecot.log").exists() else ""
        self.stop()
        raise RuntimeError(f"Dovecot did not start: {log[-2000:]}")

    def stop(self, cleanup: bool = False) -> None:
        """Stop the server (and remove its folder with ``cleanup``)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        if cleanup:
            shutil.rmtree(self.root, ignore_errors=True)

    def deliver(self, data: bytes) -> Path:
        """Put one message into Maildir/new, named as a delivery agent names it."""
        name = f"{int(time.time())}.M{next(_SERIAL)}P{os.getpid()}.test,S={len(data)}"
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(data.replace(b"\r\n", b"\n"))
        os.chown(tmp, self.mail_uid, self.mail_gid)
        path = self.maildir / "new" / name
        os.rename(tmp, path)
        return path

    def env(self, security: str = "none") -> dict[str, str]:
        """Environment variables that point sheets-sync at this mailbox."""
        port = self.tls_port if security == "ssl" else self.port
        return {"SHEETS_SYNC_IMAP_HOST": "127.0.0.1", "SHEETS_SYNC_IMAP_PORT": str(port),
                "SHEETS_SYNC_IMAP_SECURITY": security, "SHEETS_SYNC_IMAP_USER": USER,
                "SHEETS_SYNC_IMAP_PASSWORD": PASSWORD}

    def new_uidvalidity(self) -> None:
        """Make the server renumber the folder (a new UIDVALIDITY), as after a mailbox restore."""
        self.stop()
        uidlist = self.maildir / "dovecot-uidlist"
        lines = uidlist.read_text().splitlines()
        head = lines[0].split()
        head = [f"V{int(p[1:]) + 1000}" if p.startswith("V") else p for p in head]
        uidlist.write_text("\n".join([" ".join(head), *lines[1:]]) + "\n")
        for index in self.maildir.glob("dovecot.index*"):
            index.unlink()
        self.start()
