"""Regions: the check of a code as clients send it (codes), loading the official Kemendagri list (loading), and the
regions a user or key may write (scopes)."""
