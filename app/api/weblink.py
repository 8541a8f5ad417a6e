"""What a web address a visitor sends us may be (the suggestion form and API, the confirmation form): an http(s)
page on the public web. No user name or password in it, and no host that is private, local or reserved, read the way
a browser reads it (`http://2130706433`, `http://0x7f.1` and `http://[::ffff:127.0.0.1]` are all 127.0.0.1)."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import unquote

from pydantic import TypeAdapter, ValidationError

from app.catalog.models import Url

URL = TypeAdapter(Url)  # what the catalog accepts as a link, so an accepted suggestion can be applied as it is
AUTHORITY = re.compile(r"^https?://([^/\\?#]*)")  # as browsers read it: a backslash ends it too
RFC_AUTHORITY = re.compile(r"^https?://([^/?#]*)")  # as RFC 3986 reads it (httpx, curl, urllib): a backslash does not
NOT_A_LINK = "must be a web address starting with http:// or https://, with no spaces"
CREDENTIALS = "must not carry a user name or password (the part before '@'); send the page's public address"
PRIVATE = "points to a private, local or reserved address, not a page on the public web"
LOCAL_NAMES = ("localhost", "local", "internal", "home.arpa", "localdomain")  # and every name under them
DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})  # the dots IDNA reads as full stops
NUMBER = {16: re.compile(r"^[0-9a-f]*$"), 8: re.compile(r"^[0-7]+$"), 10: re.compile(r"^[0-9]+$")}


def link_problem(url: str) -> str | None:
    """Why a link sent to us cannot be kept (the end of a sentence naming the field), or None when it is fine."""
    try:
        URL.validate_python(url)
    except ValidationError:
        return NOT_A_LINK
    found = AUTHORITY.match(url)
    if found is None:
        return NOT_A_LINK
    authority = found.group(1)
    strict = RFC_AUTHORITY.match(url)
    if "@" in authority or (strict is not None and "@" in strict.group(1)):  # "http://a.org\@127.0.0.1/"
        return CREDENTIALS  # a browser goes to a.org, but the link checker (httpx) to 127.0.0.1 as user "a.org\"
    host = _host(authority)
    return NOT_A_LINK if host is None else _host_problem(host)


def _host(authority: str) -> str | None:
    """The host as a browser reads it (percent-decoded, width-folded, lower case), or None when it has none."""
    if authority.startswith("["):
        inner, bracket, port = authority[1:].partition("]")
        host = inner if bracket and (not port or port[:1] == ":") else ""
    else:
        host, _, port = authority.partition(":")
        host = unicodedata.normalize("NFKC", unquote(host)).translate(DOTS).lower()
    port = port.removeprefix(":") if authority.startswith("[") else port
    if not host or (port and not port.isascii()) or (port and not port.isdigit()):
        return None
    return host


def _host_problem(host: str) -> str | None:
    """None when a browser sending a request to this host would reach a site on the public web."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.IPv6Address(host)
    except ValueError:
        number = None if ":" in host else _ipv4(host)
        if number is False or ":" in host:
            return NOT_A_LINK  # ends in a number but is no IPv4 address, or a bad IPv6 one: browsers refuse it
        address = ipaddress.IPv4Address(number) if number is not None else None
    if address is not None:
        return None if _public_address(address) else PRIVATE
    name = host.rstrip(".")
    if "." not in name or not name.split(".")[-1]:
        return PRIVATE  # a single label ("intranet", "router") resolves on the local network, if at all
    return PRIVATE if any(name == local or name.endswith("." + local) for local in LOCAL_NAMES) else None


def _public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return _public_address(address.ipv4_mapped)
    if not address.is_global or address.is_multicast or address.is_reserved:
        return False
    if isinstance(address, ipaddress.IPv6Address):  # an IPv4 address carried inside an IPv6 one
        inside = [address.sixtofour, *(address.teredo or ())]
        return all(_public_address(v4) for v4 in inside if v4 is not None)
    return True


def _ipv4(host: str) -> int | bool | None:
    """The IPv4 address a browser reads in a host (WHATWG URL: 1 to 4 parts, each decimal, 0x-hex or 0-octal);
    None when the host is a name; False when it ends in a number but is no valid address."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if _number(parts[-1]) is None and not NUMBER[10].match(parts[-1]):
        return None
    numbers = [_number(part) for part in parts]
    if len(numbers) > 4 or any(n is None for n in numbers):
        return False
    *high, low = (n for n in numbers if n is not None)
    if any(n > 255 for n in high) or low >= 256 ** (5 - len(numbers)):
        return False
    return low + sum(n << (8 * (3 - i)) for i, n in enumerate(high))


def _number(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        base, digits = 16, part[2:]
    elif len(part) > 1 and part[0] == "0":
        base, digits = 8, part[1:]
    else:
        base, digits = 10, part
    if not part or not NUMBER[base].match(digits):
        return None
    return int(digits, base) if digits else 0
