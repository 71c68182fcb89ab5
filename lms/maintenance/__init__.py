"""Keeping the database in order: is it ready for this code (``schema``), and its backups
(``backup``, with the ``lms backup`` / ``lms restore`` commands in ``commands``)."""
