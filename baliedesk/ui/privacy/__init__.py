"""The privacy window: the audit log, a resident's rights (inzage, erasure) and the retention terms."""
