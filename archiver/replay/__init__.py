"""Replay with pywb: its own environment, a sorted CDXJ index, `wayback` on loopback."""
