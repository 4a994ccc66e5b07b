"""Size limits that keep a hostile publiccode.yml harmless (each is checked before the work it bounds)."""

MAX_INPUT_BYTES = 512 * 1024  # real files are a few KiB; larger input is not parsed
MAX_ALIASES = 100  # alias uses (*name) per document
MAX_NODES = 20_000  # nodes of the document with every alias expanded (real files: a few hundred)
MAX_EXPANDED_CHARS = 4 * 1024 * 1024  # scalar characters with every alias expanded
MAX_DEPTH = 50  # nesting of mappings and sequences
MAX_STRING_CHARS = 10_000  # per string value (longDescription's own maximum)
MAX_KEY_CHARS = 256  # per mapping key
MAX_ERRORS = 100  # errors (and warnings) kept per file
