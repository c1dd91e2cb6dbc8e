"""Write: what goes back into the sheet, as one batch of cell updates."""
