"""Administration: people, teams and the bulk import of people."""
