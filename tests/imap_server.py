"""A real IMAP4rev1 server for tests, on 127.0.0.1 and a free port, in clear (no TLS).

Enough of RFC 3501 for Python's imaplib and the reporting mailbox (awareness/imap.py):
CAPABILITY, NOOP, LOGIN, SELECT / EXAMINE, UID SEARCH (ALL, UNSEEN, SEEN, SINCE <date>),
UID FETCH (RFC822, BODY[], BODY.PEEK[], FLAGS, UID), UID STORE ±FLAGS[.SILENT], CLOSE and
LOGOUT. One thread per connection (socketserver)::

    with IMAPServer(username="signalement", password="secret") as imap:
        uid = imap.add(raw_bytes)                # into INBOX, unread
        ...                                      # ReportMailbox(host=imap.host, port=imap.port)
        imap.flags(uid)                          # {"\\Seen"} once read

`imap.logins` counts the successful LOGINs (a poll skipped leaves it unchanged).
"""

import datetime
import re
import socketserver
import threading
from dataclasses import dataclass, field

ATOM = re.compile(rb'\s*(?:"((?:[^"\\]|\\.)*)"|\(([^)]*)\)|(\S+))')
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class StoredMessage:
    uid: int
    raw: bytes
    received: datetime.datetime
    flags: set = field(default_factory=set)


class _Bad(Exception):
    """A command the server does not understand: answered BAD."""


def _arguments(text: bytes) -> list:
    """Atoms, quoted strings (unescaped) and parenthesised lists (as one bytes value)."""
    found, position = [], 0
    while position < len(text) and text[position:].strip():
        match = ATOM.match(text, position)
        if not match:
            raise _Bad("syntaxe")
        quoted, listed, atom = match.groups()
        if quoted is not None:
            found.append(re.sub(rb"\\(.)", rb"\1", quoted))
        elif listed is not None:
            found.append(listed)
        else:
            found.append(atom)
        position = match.end()
    return found


def _uid_set(text: bytes, last: int) -> set[int]:
    """1,3:5,7:* as a set of UIDs (* is the highest UID)."""
    uids = set()
    for part in text.decode().split(","):
        low, _sep, high = part.partition(":")
        low = last if low == "*" else int(low)
        high = low if not high else last if high == "*" else int(high)
        uids.update(range(min(low, high), max(low, high) + 1))
    return uids


def _since(text: bytes) -> datetime.date:
    day, month, year = text.decode().split("-")
    return datetime.date(int(year), MONTHS.index(month.title()) + 1, int(day))


class _Handler(socketserver.StreamRequestHandler):
    server: "_Server"

    def setup(self):
        super().setup()
        self.user = None
        self.folder = None

    def reply(self, text: str | bytes) -> None:
        self.wfile.write((text.encode() if isinstance(text, str) else text) + b"\r\n")

    def handle(self):
        self.reply("* OK [CAPABILITY IMAP4rev1] Test IMAP server ready")
        while True:
            try:
                line = self.rfile.readline()
            except OSError:  # the client went away (a TLS handshake, a killed worker)
                return
            if not line:
                return
            tag, _sep, rest = line.rstrip(b"\r\n").partition(b" ")
            name, _sep, args = rest.partition(b" ")
            try:
                done = self.command(tag.decode(), name.upper().decode(), args)
            except (_Bad, ValueError, IndexError, UnicodeDecodeError) as error:
                self.reply(f"{tag.decode(errors='replace')} BAD {error}")
                continue
            self.wfile.flush()
            if done:
                return

    def command(self, tag: str, name: str, args: bytes) -> bool:
        if name == "CAPABILITY":
            self.reply("* CAPABILITY IMAP4rev1")
        elif name == "NOOP":
            pass
        elif name == "LOGOUT":
            self.reply("* BYE Au revoir")
            self.reply(f"{tag} OK LOGOUT completed")
            return True
        elif name == "LOGIN":
            user, password = _arguments(args)[:2]
            if (user.decode(), password.decode()) != (self.server.owner.username,
                                                      self.server.owner.password):
                self.reply(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                return False
            self.user = user.decode()
            with self.server.owner.lock:
                self.server.owner.logins += 1
        elif self.user is None:
            self.reply(f"{tag} NO Not authenticated")
            return False
        elif name in ("SELECT", "EXAMINE"):
            folder = _arguments(args)[0].decode()
            if folder not in self.server.owner.folders:
                self.folder = None
                self.reply(f"{tag} NO [NONEXISTENT] Unknown mailbox")
                return False
            self.folder = folder
            messages = self.messages()
            self.reply(f"* {len(messages)} EXISTS")
            self.reply("* 0 RECENT")
            self.reply("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
            self.reply("* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted)] Ok")
            self.reply("* OK [UIDVALIDITY 1] Ok")
            self.reply(f"* OK [UIDNEXT {self.server.owner.next_uid}] Ok")
            access = "READ-ONLY" if name == "EXAMINE" else "READ-WRITE"
            self.reply(f"{tag} OK [{access}] {name} completed")
            return False
        elif self.folder is None:
            self.reply(f"{tag} NO No mailbox selected")
            return False
        elif name == "CLOSE":
            self.folder = None
        elif name == "UID":
            sub, _sep, rest = args.partition(b" ")
            getattr(self, "uid_" + sub.upper().decode().lower(), self.unknown)(rest)
        else:
            raise _Bad(f"Unknown command {name}")
        self.reply(f"{tag} OK {name} completed")
        return False

    def unknown(self, _args):
        raise _Bad("Unknown UID command")

    def messages(self) -> list[StoredMessage]:
        with self.server.owner.lock:
            return list(self.server.owner.folders[self.folder])

    def uid_search(self, args: bytes) -> None:
        keys = _arguments(args)
        found = self.messages()
        while keys:
            key = keys.pop(0).upper()
            if key == b"ALL":
                continue
            if key == b"UNSEEN":
                found = [m for m in found if "\\Seen" not in m.flags]
            elif key == b"SEEN":
                found = [m for m in found if "\\Seen" in m.flags]
            elif key == b"SINCE":
                since = _since(keys.pop(0))
                found = [m for m in found if m.received.date() >= since]
            else:
                raise _Bad(f"Unsupported search key {key.decode(errors='replace')}")
        self.reply("* SEARCH" + "".join(f" {m.uid}" for m in found))

    def uid_fetch(self, args: bytes) -> None:
        numbers, items = _arguments(args)[:2]
        items = items.upper()
        messages = self.messages()
        wanted = _uid_set(numbers, max((m.uid for m in messages), default=0))
        for number, message in enumerate(messages, start=1):
            if message.uid not in wanted:
                continue
            parts = [b"UID %d" % message.uid]
            literal = None
            if b"RFC822" in items.split() or b"BODY[]" in items:
                with self.server.owner.lock:
                    message.flags.add("\\Seen")
                literal = (b"RFC822" if b"RFC822" in items.split() else b"BODY[]")
            elif b"BODY.PEEK[]" in items:
                literal = b"BODY[]"
            if b"FLAGS" in items:
                parts.append(b"FLAGS (" + " ".join(sorted(message.flags)).encode() + b")")
            if literal:
                parts.append(literal + b" {%d}" % len(message.raw))
                self.wfile.write(b"* %d FETCH (" % number + b" ".join(parts) + b"\r\n")
                self.wfile.write(message.raw + b")\r\n")
            else:
                self.reply(b"* %d FETCH (" % number + b" ".join(parts) + b")")

    def uid_store(self, args: bytes) -> None:
        numbers, action, flags = _arguments(args)[:3]
        action = action.upper()
        names = set(flags.decode().split())
        messages = self.messages()
        wanted = _uid_set(numbers, max((m.uid for m in messages), default=0))
        for number, message in enumerate(messages, start=1):
            if message.uid not in wanted:
                continue
            with self.server.owner.lock:
                if action.startswith(b"+"):
                    message.flags |= names
                elif action.startswith(b"-"):
                    message.flags -= names
                else:
                    message.flags = set(names)
                shown = " ".join(sorted(message.flags))
            if not action.endswith(b".SILENT"):
                self.reply(f"* {number} FETCH (UID {message.uid} FLAGS ({shown}))")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "IMAPServer"


class IMAPServer:
    """A threaded IMAP server holding its folders in memory."""

    host = "127.0.0.1"

    def __init__(self, *, username: str = "signalement", password: str = "secret",
                 folders: tuple[str, ...] = ("INBOX",)):
        self.username, self.password = username, password
        self.lock = threading.Lock()
        self.folders = {name: [] for name in folders}
        self.next_uid = 1
        self.logins = 0
        self._server = _Server((self.host, 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def add(self, raw: bytes, *, folder: str = "INBOX", seen: bool = False,
            received: datetime.datetime | None = None) -> int:
        """Store a message (CRLF line ends added); its UID."""
        raw = re.sub(rb"\r?\n", b"\r\n", raw)
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.folders[folder].append(StoredMessage(
                uid, raw, received or datetime.datetime.now(datetime.UTC),
                {"\\Seen"} if seen else set()))
        return uid

    def flags(self, uid: int, *, folder: str = "INBOX") -> set[str]:
        with self.lock:
            return next(set(m.flags) for m in self.folders[folder] if m.uid == uid)

    def clear(self) -> None:
        with self.lock:
            for messages in self.folders.values():
                messages.clear()
            self.logins = 0

    def start(self) -> "IMAPServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

