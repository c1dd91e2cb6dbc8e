"""Read -> model: the workbook's format (sheets, columns, settings) and its rows as typed values."""
