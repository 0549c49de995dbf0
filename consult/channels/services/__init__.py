"""Channels services: recording offline opinions (recording.py), importing them from a
spreadsheet (importing.py), the round's ledger (ledger.py), receipts and their lookup
(receipts.py)."""

from consult.channels.services.hearings import (  # noqa: F401
    hearing_choice,
    hearings_of,
)
from consult.channels.services.importing import (  # noqa: F401
    SHEET_KINDS,
    ImportPreview,
    confirm_import,
    preview_import,
)
from consult.channels.services.ledger import (  # noqa: F401
    Ledger,
    channel_counts,
    list_ledger,
    parse_channel_filter,
)
from consult.channels.services.receipts import (  # noqa: F401
    ReceiptAnswer,
    look_up,
    mail_receipt,
    normalise_code,
)
from consult.channels.services.recording import (  # noqa: F401
    OFFLINE,
    SCAN_KINDS,
    get_record,
    record_opinion,
)
