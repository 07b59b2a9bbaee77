"""Signatures that arrive from elsewhere: partners' CSV files, paper sheets typed by staff, the partner API.

decoding and csvfile read a file whatever its encoding and delimiter;
mapping says which column holds which field; rows checks each row with the
sign form's rules; staging loads the valid rows with COPY and deduplicates
them set-wise; importer puts it together and writes the report.
"""
