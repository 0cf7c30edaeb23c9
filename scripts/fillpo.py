"""Fill a .po catalogue from a JSON dict. usage: scripts/fillpo.py PO JSON  -- fill msgstr from a {msgid: msgstr or [singular, plural]} dict; list missing."""
import json, sys
from babel.messages.pofile import read_po, write_po
po_path, tr_path = sys.argv[1], sys.argv[2]
with open(po_path, 'rb') as f: cat = read_po(f)
tr = json.load(open(tr_path))
missing = []
for m in cat:
    if not m.id: continue
    key = m.id[0] if isinstance(m.id, tuple) else m.id
    if key in tr:
        m.string = tuple(tr[key]) if isinstance(m.id, tuple) else tr[key]
        m.flags.discard('fuzzy')
    elif m.fuzzy or not (m.string if not isinstance(m.string, tuple) else all(m.string)):
        missing.append(key)  # a fuzzy guess from makemessages is not a translation
cat.fuzzy = False
with open(po_path, 'wb') as f: write_po(f, cat, width=100)
print("missing:", json.dumps(missing, ensure_ascii=False))
