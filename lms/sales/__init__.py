"""CRM sales import: presets (column mappings), parsing of messy exports, validation, owner
matching, and the all-or-nothing, streaming upsert with its log and undo.

The service API lives in ``lms.sales.importer``; nothing is imported here so that
``lms.people.services`` can use ``lms.sales.matching`` without import cycles.
"""
