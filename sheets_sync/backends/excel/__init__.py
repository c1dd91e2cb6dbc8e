"""The Excel backend: an .xlsx/.xlsm file read fast and written back losslessly."""
