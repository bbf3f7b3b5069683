"""Store: persists disclosures, their cells, facts, findings and key figures, and answers
history questions. The only service that opens the database."""
