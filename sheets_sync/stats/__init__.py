"""Attrition and retention figures, the BG/NBD model, and their report and sheet."""
