"""Micro-projects (Mikroprojekte), partners and the yearly network map (Netzwerkkarte)."""
