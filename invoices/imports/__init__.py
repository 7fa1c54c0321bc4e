"""Invoice intake from spreadsheets: CSV and XLSX files a creditor exports from anything.

``reading`` opens a file as a table (``xlsx_checks`` first makes sure an .xlsx unpacks to a sane
size and shape; ``errors`` holds the one error), ``fields`` maps its columns to ours, ``values``
reads single cells, ``rows`` turns rows into invoices for the one intake path (or explains why not),
``services`` stores, checks and commits an upload (``ImportJob``), ``selectors`` reads for the pages.
E-invoices (UBL) are handed to ``invoices.ubl`` from the same upload page.
"""
