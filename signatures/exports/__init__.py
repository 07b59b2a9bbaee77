"""Signature list exports: one code path for the admin download, the background file and the command line.

- spec.py: what an export holds (purpose, filters, columns) and which rows match.
- stream.py: the CSV bytes, leaving PostgreSQL through COPY in chunks.
- records.py: the SignatureExport record and audit entry of every export, and its progress.
- files.py: background files in private storage, from writing to deletion.
- forms.py: the filters as staff choose them (admin and command line).

The admin screens are signatures.admin.exports; the command is
manage.py export_signatures.
"""
