"""Channels services: recording offline opinions (recording.py), importing them from a
spreadsheet (importing.py), the round's ledger (ledger.py), receipts and their lookup
(receipts.py), hearings (hearings.py)."""

from consult.channels.services.hearings import (  # noqa: F401  # noqa: F401,E402
    MINUTES_KINDS,
    applications_close,
    applications_of,
    apply_to_attend,
    get_hearing,
    hearing_choice,
    hearings_of,
    lot_order,
    my_application,
    publish_minutes,
    schedule_hearing,
    select_attendees,
    workdays_before,
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
    received_on_of,
    record_opinion,
)
