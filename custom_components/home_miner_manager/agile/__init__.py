"""The Agile Solo strategy in Home Assistant: run, carry out, explain, show."""
