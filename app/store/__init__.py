"""Stage 2, the store: the validated catalog written to SQL (SQLModel) in one transaction, and read back; and the
suggestions faculty send for curators to review; and the one mail module with its outbox.

May import `app.catalog` only.
"""

# Every table is registered on import of the package, so `init_db` creates them all whichever module is used first.
from app.store import alerts as _alerts  # noqa: F401
from app.store import keys as _keys  # noqa: F401
from app.store import mail as _mail  # noqa: F401
from app.store import suggestions as _suggestions  # noqa: F401
