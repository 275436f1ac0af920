"""The rules about figures, each written once and asked by every door: who may see and change them (access), their
fields (fields), the values clients send (values), each series' latest (latest), what was known when (history),
quality flags (quality), and what a change invalidates (signals)."""
